import type { z } from 'zod';
import { AppError } from '../../../contracts/errors.js';
import type { holidayInputSchema, holidaySchema, hoursReportSchema } from '../../../contracts/oncall.js';
import { splitOnCallHours } from '../../../core/oncall/hours.js';
import { HOUR_MS, finalSchedule, mergeIntervals, type Instant, type Interval, type ScheduleDefinition } from '../../../core/oncall/index.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { AuditLog } from '../audit/audit.repo.js';
import type { Acting } from '../catalog/catalog.service.js';
import { Issues, parseWindow } from './oncall.input.js';
import { iso, oncallRepo, type HolidayRow, type ScheduleRow } from './oncall.repo.js';
import type { ScheduleService } from './schedule.service.js';

export type HolidayView = z.infer<typeof holidaySchema>;
export type HolidayInput = z.output<typeof holidayInputSchema>;
export type HoursReport = z.infer<typeof hoursReportSchema>;

export const BUSINESS_HOURS_TEXT = 'Mon–Fri 09:00–17:00 in each person’s own time zone; Saturday and Sunday are weekend; configured holidays (local dates) count whole';

/** Hours to two decimals (36 seconds); each figure is rounded on its own. */
const hours = (ms: number) => Math.round((ms / HOUR_MS) * 100) / 100;

/**
 * The on-call hours report: per person over a period, hours on call (the final schedule, so overrides
 * and swaps count for whoever actually covered) split by the pure `splitOnCallHours` in the person's
 * own time zone. Time a person is on call in two schedules at once counts once.
 */
export class HoursReportService {
  constructor(private readonly deps: { database: FirebreakDatabase; clock: Clock; ids: IdGenerator; audit: AuditLog; schedules: ScheduleService }) {}

  private get db() {
    return this.deps.database.db;
  }

  // ---- holidays

  holidayView(row: HolidayRow): HolidayView {
    return { id: row.id, date: row.date, name: row.name };
  }

  async listHolidays(): Promise<HolidayView[]> {
    return (await this.db.selectFrom('holidays').selectAll().orderBy('date').execute()).map((r) => this.holidayView(r));
  }

  async createHoliday(acting: Acting, input: HolidayInput): Promise<HolidayView> {
    const issues = new Issues();
    const [y, m, d] = input.date.split('-').map(Number) as [number, number, number];
    const probe = new Date(Date.UTC(y, m - 1, d));
    if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) issues.add('body.date', `is not a calendar date: ${input.date}`);
    issues.throwIfAny();
    return this.deps.database.transaction(async (tx) => {
      if (await tx.db.selectFrom('holidays').select('id').where('date', '=', input.date).executeTakeFirst()) {
        throw new AppError('CONFLICT', `${input.date} is already a holiday`, { field: 'date' });
      }
      const row: HolidayRow = { id: this.deps.ids(), date: input.date, name: input.name, created_at: this.deps.clock.now() };
      await tx.db.insertInto('holidays').values(row).execute();
      const view = this.holidayView(row);
      await this.deps.audit.record(tx.db, acting.actor, { action: 'holiday.create', targetType: 'holiday', targetId: row.id, after: view });
      return view;
    });
  }

  async deleteHoliday(acting: Acting, id: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const row = await tx.db.selectFrom('holidays').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new AppError('NOT_FOUND', `Holiday \`${id}\` does not exist`);
      await tx.db.deleteFrom('holidays').where('id', '=', id).execute();
      await this.deps.audit.record(tx.db, acting.actor, { action: 'holiday.delete', targetType: 'holiday', targetId: id, before: this.holidayView(row) });
    });
  }

  // ---- the report

  /** Hours per person over `[from, to)` (at most 400 days) in one schedule, a team's schedules, or all. */
  async report(query: { from: string; to: string; team?: string | undefined; schedule?: string | undefined }): Promise<HoursReport> {
    const db = this.db;
    const window = parseWindow(query, this.deps.clock.now(), { defaultDays: 30, maxDays: 400 });
    let rows: ScheduleRow[];
    if (query.schedule !== undefined) {
      rows = [await this.deps.schedules.require(db, query.schedule)];
      if (query.team !== undefined) {
        const team = await oncallRepo.findTeam(db, query.team);
        if (!team) throw new AppError('NOT_FOUND', `Team \`${query.team}\` does not exist`);
        rows = rows.filter((r) => r.team_id === team.id);
      }
    } else if (query.team !== undefined) {
      const team = await oncallRepo.findTeam(db, query.team);
      if (!team) throw new AppError('NOT_FOUND', `Team \`${query.team}\` does not exist`);
      rows = await oncallRepo.listSchedules(db, { teamId: team.id });
    } else rows = await oncallRepo.listSchedules(db);

    const defs = await this.deps.schedules.definitions(db, rows, window);
    const byUser = new Map<string, Interval[]>();
    for (const row of rows) {
      for (const e of finalSchedule(defs.get(row.id) as ScheduleDefinition, { start: window.start as Instant, end: window.end as Instant }).entries) {
        byUser.set(e.userId, [...(byUser.get(e.userId) ?? []), { start: e.start, end: e.end }]);
      }
    }
    const holidayRows = await db.selectFrom('holidays').selectAll().orderBy('date').execute();
    const holidayDates = new Set(holidayRows.map((h) => h.date));
    const users = await oncallRepo.usersByIds(db, byUser.keys());
    const reportRows: HoursReport['rows'] = [];
    for (const [userId, intervals] of byUser) {
      const user = users.get(userId);
      const zone = user?.time_zone ?? 'UTC';
      const split = splitOnCallHours(mergeIntervals(intervals), zone, holidayDates);
      reportRows.push({
        userId,
        handle: user?.handle ?? userId,
        name: user?.name ?? userId,
        timeZone: zone,
        totalHours: hours(split.total),
        weekdayBusinessHours: hours(split.weekdayBusiness),
        weekdayOffHours: hours(split.weekdayOff),
        weekendHours: hours(split.weekend),
        holidayHours: hours(split.holiday),
      });
    }
    reportRows.sort((a, b) => (a.handle < b.handle ? -1 : a.handle > b.handle ? 1 : 0));
    return {
      from: iso(window.start),
      to: iso(window.end),
      rules: { businessHours: BUSINESS_HOURS_TEXT, holidays: holidayRows.map((h) => this.holidayView(h)) },
      rows: reportRows,
    };
  }
}

/** RFC 4180 field; text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) is prefixed with `'`. */
function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The report as CSV (header row, one row per person, CRLF line ends). */
export function hoursReportCsv(report: HoursReport): string {
  const header = ['handle', 'name', 'time_zone', 'from', 'to', 'total_hours', 'weekday_business_hours', 'weekday_off_hours', 'weekend_hours', 'holiday_hours'];
  const lines = [header.join(',')];
  for (const r of report.rows) {
    lines.push([r.handle, r.name, r.timeZone, report.from, report.to, r.totalHours, r.weekdayBusinessHours, r.weekdayOffHours, r.weekendHours, r.holidayHours].map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
