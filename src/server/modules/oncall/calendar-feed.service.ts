import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { AppError } from '../../../contracts/errors.js';
import type { calendarFeedInputSchema, calendarFeedSchema, createdCalendarFeedSchema } from '../../../contracts/oncall.js';
import { roleAtLeast, type Principal } from '../../../core/auth/roles.js';
import { DAY_MS, finalSchedule, type Instant } from '../../../core/oncall/index.js';
import type { Clock } from '../../platform/clock.js';
import { hashToken, randomToken } from '../../platform/crypto.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { AuditLog } from '../audit/audit.repo.js';
import type { Acting } from '../catalog/catalog.service.js';
import { eventUid, renderCalendar, type CalendarEvent } from './calendar.js';
import { Issues } from './oncall.input.js';
import { definitionOf, iso, isoOrNull, oncallRepo, type FeedRow, type ScheduleRow } from './oncall.repo.js';
import { shiftsOf, type ScheduleService } from './schedule.service.js';

export type FeedInput = z.output<typeof calendarFeedInputSchema>;
export type FeedView = z.infer<typeof calendarFeedSchema>;
export type CreatedFeed = z.infer<typeof createdCalendarFeedSchema>;

/** A feed shows a week back (recent shifts stay visible) and half a year ahead. */
export const FEED_PAST_DAYS = 7;
export const FEED_FUTURE_DAYS = 180;
/** How much further shifts are drawn so one crossing an edge of the window keeps its real start (and UID) and end. */
const LOOK_AROUND_MS = 36 * DAY_MS;

/**
 * iCalendar feeds behind unguessable, revocable tokens: one per person (their shifts in every
 * schedule) or per schedule (everyone's shifts). The token is 256 random bits shown once in the URL;
 * only its SHA-256 is stored. A feed stops working when revoked, when its owner is deactivated, or
 * when its schedule is deleted, and it then answers 404 like a token that never existed.
 */
export class CalendarFeedService {
  constructor(
    private readonly deps: { database: FirebreakDatabase; clock: Clock; ids: IdGenerator; audit: AuditLog; schedules: ScheduleService; publicUrl: string },
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  view(row: FeedRow): FeedView {
    return { id: row.id, kind: row.kind as FeedView['kind'], subjectId: row.subject_id, createdAt: iso(row.created_at), revokedAt: isoOrNull(row.revoked_at) };
  }

  /** The caller's own feeds, newest first, revoked ones included. */
  async list(principal: Principal): Promise<FeedView[]> {
    const rows = await this.db.selectFrom('calendar_feeds').selectAll().where('user_id', '=', principal.userId).orderBy('id', 'desc').execute();
    return rows.map((r) => this.view(r));
  }

  async create(acting: Acting & { principal: Principal }, input: FeedInput): Promise<CreatedFeed> {
    return this.deps.database.transaction(async (tx) => {
      const issues = new Issues();
      let subjectId = acting.principal.userId;
      if (input.kind === 'schedule') {
        if (input.schedule === undefined) issues.add('body.schedule', 'is required for a schedule feed');
        else {
          const schedule = await oncallRepo.findSchedule(tx.db, input.schedule);
          if (!schedule) issues.add('body.schedule', `unknown schedule \`${input.schedule}\``);
          else subjectId = schedule.id;
        }
      } else if (input.schedule !== undefined) issues.add('body.schedule', 'is only for kind schedule; a user feed shows your shifts in every schedule');
      issues.throwIfAny();
      const token = randomToken('fbc_');
      const row: FeedRow = {
        id: this.deps.ids(),
        token_hash: hashToken(token),
        kind: input.kind,
        subject_id: subjectId,
        user_id: acting.principal.userId,
        created_at: this.deps.clock.now(),
        revoked_at: null,
      };
      await tx.db.insertInto('calendar_feeds').values(row).execute();
      const feed = this.view(row);
      await this.deps.audit.record(tx.db, acting.actor, { action: 'calendar_feed.create', targetType: 'calendar_feed', targetId: row.id, after: feed });
      return { feed, url: `${this.deps.publicUrl}/calendar/${token}.ics` };
    });
  }

  /** Revokes one of the caller's feeds (admins: anyone's). Someone else's feed is "not found". */
  async revoke(acting: Acting & { principal: Principal }, id: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const row = await tx.db.selectFrom('calendar_feeds').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row || (row.user_id !== acting.principal.userId && !roleAtLeast(acting.principal.role, 'admin'))) throw new AppError('NOT_FOUND', `Calendar feed \`${id}\` does not exist`);
      if (row.revoked_at !== null) return;
      const now = this.deps.clock.now();
      await tx.db.updateTable('calendar_feeds').set({ revoked_at: now }).where('id', '=', row.id).execute();
      await this.deps.audit.record(tx.db, acting.actor, { action: 'calendar_feed.revoke', targetType: 'calendar_feed', targetId: row.id, before: this.view(row), after: this.view({ ...row, revoked_at: now }) });
    });
  }

  /** The feed behind a secret token as `text/calendar`; NOT_FOUND for anything that should not answer. */
  async render(token: string): Promise<{ filename: string; body: string }> {
    const db = this.db;
    const notFound = new AppError('NOT_FOUND', 'No such calendar feed (it may have been revoked)');
    const feed = await db.selectFrom('calendar_feeds').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
    if (!feed || feed.revoked_at !== null) throw notFound;
    const owner = (await oncallRepo.usersByIds(db, [feed.user_id])).get(feed.user_id);
    if (!owner || owner.deactivated_at !== null) throw notFound;
    const now = this.deps.clock.now();
    const window = { start: now - FEED_PAST_DAYS * DAY_MS, end: now + FEED_FUTURE_DAYS * DAY_MS };
    if (feed.kind === 'user') {
      return { filename: `oncall-${owner.handle}.ics`, body: await this.userCalendar(db, owner.id, owner.name, window, now) };
    }
    const schedule = await db.selectFrom('schedules').selectAll().where('id', '=', feed.subject_id).where('deleted_at', 'is', null).executeTakeFirst();
    if (!schedule) throw notFound;
    return { filename: `oncall-${schedule.handle}.ics`, body: await this.scheduleCalendar(db, schedule, window, now) };
  }

  /** One person's shifts in every schedule over `window`. */
  async userCalendar(db: Kysely<Database>, userId: string, userName: string, window: { start: number; end: number }, now: number): Promise<string> {
    const shifts = await this.deps.schedules.userShifts(db, userId, window);
    const events: CalendarEvent[] = shifts.map((s) => ({
      uid: eventUid(s.schedule.id, userId, s.start),
      start: s.start,
      end: s.end,
      summary: `On call: ${s.schedule.name}`,
      description: `${userName} is on call in schedule ${s.schedule.name} (${s.schedule.handle}).`,
    }));
    return renderCalendar({ name: `On call: ${userName}`, description: `${userName}'s on-call shifts (Firebreak)`, now, events });
  }

  /** Everyone's shifts in one schedule over `window`. */
  async scheduleCalendar(db: Kysely<Database>, schedule: ScheduleRow, window: { start: number; end: number }, now: number): Promise<string> {
    const drawn = { start: window.start - LOOK_AROUND_MS, end: window.end + LOOK_AROUND_MS };
    const overrides = await oncallRepo.overridesIn(db, [schedule.id], drawn);
    const entries = finalSchedule(definitionOf(schedule, overrides), { start: drawn.start as Instant, end: drawn.end as Instant }).entries;
    const shifts = shiftsOf(entries).filter((s) => s.end > window.start && s.start < window.end);
    const users = await oncallRepo.usersByIds(db, shifts.map((s) => s.userId));
    const events: CalendarEvent[] = shifts.map((s) => {
      const name = users.get(s.userId)?.name ?? s.userId;
      return { uid: eventUid(schedule.id, s.userId, s.start), start: s.start, end: s.end, summary: `On call: ${name}`, description: `${name} is on call in schedule ${schedule.name} (${schedule.handle}).` };
    });
    return renderCalendar({ name: `On call: ${schedule.name}`, description: `Who is on call in ${schedule.name} (Firebreak)`, now, events });
  }
}
