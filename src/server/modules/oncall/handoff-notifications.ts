import type { Kysely } from 'kysely';
import { notificationSettingsBody } from '../../../contracts/notify.js';
import { DAY_MS, finalSchedule, type Instant } from '../../../core/oncall/index.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import type { JobScheduler, JobTarget } from '../../platform/jobs/job-queue.js';
import type { JobRunner } from '../../platform/jobs/job-runner.js';
import type { Logger } from '../../platform/logger.js';
import { ChannelError, type Channels } from '../notify/channels/channel.js';
import { handoffMessage } from '../notify/messages.js';
import { iso, oncallRepo, type Window } from './oncall.repo.js';
import { shiftsOf, type ScheduleService } from './schedule.service.js';

/**
 * Handoff notifications: "On call in 15 min: Platform primary" and "On-call shift ends in 15 min: …",
 * for people who turned them on in their notification settings (`handoffNotifications`), by email to
 * their verified addresses.
 *
 * How each handoff is announced once, with at-least-once jobs (ADR 0007):
 *
 * - One recurring **scan** job (`oncall.handoff-scan`, keyed by its task name, so exactly one is
 *   pending) covers the half-open window `(last, now]` of *notification times* (handoff − lead), where
 *   `last` is a cursor in the `runtime` table. It adds one keyed **send** job per handoff whose
 *   notification time falls in the window, moves the cursor to `now` and adds its own next run, all in
 *   one transaction. Windows never overlap and a window's jobs commit with the cursor move, so a crash
 *   before the commit scans the same window again and a crash after it scans nothing twice.
 * - The cursor move is a compare-and-set, done first in the transaction: two scans that read the same
 *   cursor (PostgreSQL nodes, a lease that expired under a slow scan) cannot both commit, and the
 *   loser's transaction waits on the winner's row lock, then adds nothing.
 * - The send job re-checks everything when it runs (the person, their setting, their verified
 *   addresses, and that the shift still starts or ends at that instant: an override may have changed
 *   it since the scan) and otherwise does nothing.
 * - After an outage the window is cut to the last {@link HANDOFF_MAX_CATCH_UP_MS}: older messages would
 *   only be noise, so they are counted and logged at WARN instead of sent.
 *
 * Notifications go out when the scan runs, so up to one scan interval after their nominal time; the
 * subject counts down from when the message is written, so it stays true.
 */

export const HANDOFF_SCAN_TASK = 'oncall.handoff-scan';
export const SEND_HANDOFF_TASK = 'notify.send-handoff';
/** How often the scan runs, and so how late (at most) a handoff notification can be. */
export const HANDOFF_SCAN_INTERVAL_MS = 5 * 60_000;
/** After an outage, notifications older than this are skipped (counted and logged), not sent. */
export const HANDOFF_MAX_CATCH_UP_MS = DAY_MS;
/** The `runtime` row holding the end of the last scanned window (ISO 8601). */
export const HANDOFF_CURSOR = 'oncall.handoff-scan.last';

/**
 * The scan is the only thing keeping handoff notifications alive, so it retries at most one interval
 * apart for about a day before it is marked failed; a restart adds it again either way.
 */
const SCAN_MAX_ATTEMPTS = 288;
const SCAN_BACKOFF = { baseMs: 5_000, capMs: HANDOFF_SCAN_INTERVAL_MS };
/** Like notify's deliveries: 5 s doubling to 2 min, six attempts (about five minutes). */
const SEND_MAX_ATTEMPTS = 6;
const SEND_BACKOFF = { baseMs: 5_000, capMs: 120_000 };
/** Shifts are drawn this far beyond the window so both ends of a shift are its real ones (as /me/oncall does). */
const SHIFT_CONTEXT_MS = 36 * DAY_MS;
/** `userShifts` draws 36 days around the instant asked about; a shift edge this far away may be where drawing stopped. */
const FAR_EDGE_MS = 35 * DAY_MS;
/** How far back skipped notifications are counted for the log after a long outage. */
const SKIPPED_COUNT_LIMIT_MS = 7 * DAY_MS;

export type HandoffKind = 'start' | 'end';

/** One person's merged shift in one schedule (as `shiftsOf` returns it), tagged with the schedule. */
export interface ShiftSpan {
  scheduleId: string;
  userId: string;
  start: number;
  end: number;
}

/** A shift start or end someone should be told about, and when. */
export interface Handoff {
  userId: string;
  scheduleId: string;
  kind: HandoffKind;
  /** The start or end of the shift (epoch ms). */
  boundary: number;
  /** `boundary − lead`: when the person asked to be told. */
  notifyAt: number;
  shiftStart: number | null;
  shiftEnd: number | null;
}

export interface SendHandoffPayload {
  userId: string;
  scheduleId: string;
  kind: HandoffKind;
  boundary: number;
  /** As the scan saw the shift; the send job draws it again. Null where it lay beyond what was drawn. */
  shiftStart: number | null;
  shiftEnd: number | null;
}

/** One send job per person, schedule and handoff: a job added twice for one handoff replaces the pending one. */
export const handoffJobKey = (h: Pick<Handoff, 'userId' | 'scheduleId' | 'kind' | 'boundary'>) => `${SEND_HANDOFF_TASK}:${h.userId}:${h.scheduleId}:${h.kind}:${iso(h.boundary)}`;

// ---- pure decisions

/**
 * The handoffs whose notification time (`boundary − lead`) falls in `(window.after, window.upTo]`.
 * `shifts` were drawn over `drawn`; an edge lying on `drawn`'s edge is where drawing stopped, not a
 * handoff. People missing from `leadMs` are not told. Sorted by notification time.
 *
 * @example
 *   handoffsDue([{ scheduleId: 's', userId: 'ana', start: T, end: T + DAY_MS }], new Map([['ana', 15 * 60_000]]), { after: T - 20 * 60_000, upTo: T - 15 * 60_000 }, drawn);
 *   // → [{ kind: 'start', boundary: T, notifyAt: T − 15 min, … }]
 */
export function handoffsDue(shifts: readonly ShiftSpan[], leadMs: ReadonlyMap<string, number>, window: { after: number; upTo: number }, drawn: Window): Handoff[] {
  const out: Handoff[] = [];
  for (const s of shifts) {
    const lead = leadMs.get(s.userId);
    if (lead === undefined) continue;
    const shiftStart = s.start > drawn.start ? s.start : null;
    const shiftEnd = s.end < drawn.end ? s.end : null;
    const edges: Array<[HandoffKind, number | null]> = [
      ['start', shiftStart],
      ['end', shiftEnd],
    ];
    for (const [kind, boundary] of edges) {
      if (boundary === null) continue;
      const notifyAt = boundary - lead;
      if (notifyAt > window.after && notifyAt <= window.upTo) out.push({ userId: s.userId, scheduleId: s.scheduleId, kind, boundary, notifyAt, shiftStart, shiftEnd });
    }
  }
  return out.sort((a, b) => a.notifyAt - b.notifyAt || cmp(a.userId, b.userId) || cmp(a.scheduleId, b.scheduleId) || cmp(a.kind, b.kind));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface ScanWindow {
  /** Notification times in `(after, upTo]` are sent. */
  after: number;
  /** The new cursor. Never earlier than the old one, even if this node's clock is behind. */
  upTo: number;
  /**
   * After an outage longer than the catch-up limit: notification times in `(after, upTo]` here are
   * skipped and counted. `partial` when the outage was so long that only its last part is counted.
   */
  skipped: { after: number; upTo: number; partial: boolean } | null;
}

/**
 * Which notification times one scan covers, from the cursor (`null` before the first scan) and now.
 * The first scan looks back one interval, so nothing already past when the feature was switched on
 * is announced.
 */
export function scanWindow(last: number | null, now: number, limits: { intervalMs: number; maxCatchUpMs: number; countLimitMs: number }): ScanWindow {
  const from = last ?? now - limits.intervalMs;
  const upTo = Math.max(now, from);
  if (upTo - from <= limits.maxCatchUpMs) return { after: from, upTo, skipped: null };
  const after = upTo - limits.maxCatchUpMs;
  const countFrom = Math.max(from, after - limits.countLimitMs);
  return { after, upTo, skipped: { after: countFrom, upTo: after, partial: countFrom > from } };
}

// ---- effects

export interface HandoffDeps {
  database: FirebreakDatabase;
  clock: Clock;
  jobs: JobScheduler;
  schedules: ScheduleService;
  /** Only email is delivered today (ADR 0012). */
  channels: Channels;
  /** Links in messages point here. */
  publicUrl: string;
  logger: Logger;
}

export type ScanResult =
  | { outcome: 'scanned'; after: number; upTo: number; enqueued: number; skipped: number }
  /** Another scan moved the cursor first; this one added nothing. */
  | { outcome: 'raced' };

export type HandoffDelivery = { outcome: 'delivered'; sent: number } | { outcome: 'skipped'; reason: string };

export interface HandoffNotifications {
  /** Runs one scan now (the `oncall.handoff-scan` job). */
  scan(): Promise<ScanResult>;
  /** Delivers one handoff message (the `notify.send-handoff` job). Idempotent apart from at-least-once email. */
  deliver(payload: SendHandoffPayload, options?: { signal?: AbortSignal }): Promise<HandoffDelivery>;
}

/**
 * Builds the scanner and the sender. The composition root registers them with
 * {@link registerHandoffJobs} and calls {@link scheduleHandoffScan} on start; tests build their own with
 * fake channels and a ManualClock.
 *
 * @example
 *   const handoffs = createHandoffNotifications({ database, clock, jobs: runner, schedules: services.oncall.schedules, channels, publicUrl, logger });
 *   registerHandoffJobs(runner, handoffs, logger);
 */
export function createHandoffNotifications(deps: HandoffDeps): HandoffNotifications {
  const { database, clock, jobs, schedules, channels, logger } = deps;
  let toldNoChannel = false;

  /** Said once per process, not once per scan or message: the operator knows after the first. */
  const noChannel = (): void => {
    if (toldNoChannel) return;
    toldNoChannel = true;
    logger.info('Handoff notifications are not sent: email delivery is not configured (set FIREBREAK_SMTP_URL; see docs/notifications.md)');
  };

  /** Merged shifts of `people` in every live schedule they are in, drawn around `range`. */
  async function shiftsAround(db: Kysely<Database>, people: ReadonlySet<string>, range: Window): Promise<{ spans: ShiftSpan[]; drawn: Window }> {
    const drawn = { start: range.start - SHIFT_CONTEXT_MS, end: range.end + SHIFT_CONTEXT_MS };
    const rows = await oncallRepo.listSchedules(db);
    const defs = await schedules.definitions(db, rows, drawn);
    const spans: ShiftSpan[] = [];
    for (const row of rows) {
      const def = defs.get(row.id);
      if (!def) continue;
      const involved = def.layers.some((l) => l.participants.some((p) => people.has(p))) || def.overrides.some((o) => people.has(o.userId));
      if (!involved) continue;
      const entries = finalSchedule(def, { start: drawn.start as Instant, end: drawn.end as Instant }).entries;
      for (const s of shiftsOf(entries)) if (people.has(s.userId)) spans.push({ scheduleId: row.id, userId: s.userId, start: s.start, end: s.end });
    }
    return { spans, drawn };
  }

  async function scan(): Promise<ScanResult> {
    const now = clock.now();
    const db = database.db;
    const stored = await db.selectFrom('runtime').select('value').where('name', '=', HANDOFF_CURSOR).executeTakeFirst();
    let last: number | null = null;
    if (stored) {
      last = Date.parse(stored.value);
      if (Number.isNaN(last)) {
        logger.warn({ cursor: HANDOFF_CURSOR, value: stored.value }, 'The handoff scan cursor is unreadable; scanning from one interval ago');
        last = null;
      }
    }
    const window = scanWindow(last, now, { intervalMs: HANDOFF_SCAN_INTERVAL_MS, maxCatchUpMs: HANDOFF_MAX_CATCH_UP_MS, countLimitMs: SKIPPED_COUNT_LIMIT_MS });

    // Read and decide outside the transaction (drawing schedules takes a moment, and SQLite has one
    // connection); the compare-and-set below discards the result if another scan got there first.
    let due: Handoff[] = [];
    let skipped = 0;
    const from = window.skipped?.after ?? window.after;
    if (window.upTo > from) {
      if (!channels.email) noChannel();
      else {
        const leads = await optedIn(db, { everyone: true });
        if (leads.size > 0) {
          const values = [...leads.values()];
          const { spans, drawn } = await shiftsAround(db, new Set(leads.keys()), { start: from + Math.min(...values), end: window.upTo + Math.max(...values) });
          const all = handoffsDue(spans, leads, { after: from, upTo: window.upTo }, drawn);
          due = all.filter((h) => h.notifyAt > window.after);
          skipped = all.length - due.length;
        }
      }
    }

    const committed = await database.transaction(async (tx) => {
      // First, so a concurrent scan waits here on the row lock (PostgreSQL) and then finds it moved.
      if (!(await moveCursor(tx.db, stored?.value ?? null, iso(window.upTo), now))) return false;
      for (const h of due) {
        await jobs.addJob<SendHandoffPayload>(tx, {
          task: SEND_HANDOFF_TASK,
          key: handoffJobKey(h),
          payload: { userId: h.userId, scheduleId: h.scheduleId, kind: h.kind, boundary: h.boundary, shiftStart: h.shiftStart, shiftEnd: h.shiftEnd },
          runAt: now,
          maxAttempts: SEND_MAX_ATTEMPTS,
        });
      }
      await jobs.addJob(tx, { task: HANDOFF_SCAN_TASK, key: HANDOFF_SCAN_TASK, runAt: now + HANDOFF_SCAN_INTERVAL_MS, maxAttempts: SCAN_MAX_ATTEMPTS });
      return true;
    });
    if (!committed) {
      logger.info('Another handoff scan covered this window first; nothing added');
      return { outcome: 'raced' };
    }
    if (window.skipped) {
      const fields = { skipped, partial: window.skipped.partial, from: iso(window.skipped.after), until: iso(window.skipped.upTo), lastScan: last === null ? null : iso(last) };
      const gap = `Handoff notifications were not scanned for ${Math.round((window.upTo - (last ?? window.upTo)) / 3_600_000)} h`;
      if (skipped > 0 || window.skipped.partial) {
        logger.warn(fields, `${gap}; skipped ${window.skipped.partial ? 'at least ' : ''}${skipped} due more than ${HANDOFF_MAX_CATCH_UP_MS / 3_600_000} h ago`);
      } else logger.info(fields, `${gap}; none was due before the last ${HANDOFF_MAX_CATCH_UP_MS / 3_600_000} h`);
    }
    if (due.length > 0) logger.debug({ enqueued: due.length, from: iso(window.after), until: iso(window.upTo) }, 'Handoff notifications queued');
    return { outcome: 'scanned', after: window.after, upTo: window.upTo, enqueued: due.length, skipped };
  }

  async function deliver(payload: SendHandoffPayload, options: { signal?: AbortSignal } = {}): Promise<HandoffDelivery> {
    const db = database.db;
    const now = clock.now();
    const skip = (reason: string): HandoffDelivery => ({ outcome: 'skipped', reason });
    if (now - payload.boundary > HANDOFF_MAX_CATCH_UP_MS) return skip('the handoff is more than a day past');
    const channel = channels.email;
    if (!channel) {
      noChannel();
      return skip('email delivery is not configured');
    }
    const user = (await oncallRepo.usersByIds(db, [payload.userId])).get(payload.userId);
    if (!user || user.deactivated_at !== null) return skip('the person is deactivated');
    if (!(await optedIn(db, { userId: payload.userId })).has(payload.userId)) return skip('handoff notifications were turned off');
    const methods = await db
      .selectFrom('contact_methods')
      .select(['address'])
      .where('user_id', '=', user.id)
      .where('type', '=', 'email')
      .where('verified_at', 'is not', null)
      .orderBy('id')
      .execute();
    if (methods.length === 0) {
      logger.debug({ userId: user.id }, 'No verified email address for a handoff notification');
      return skip('no verified email address');
    }
    // The schedule may have changed since the scan: announce only a shift that still starts (or ends)
    // at this instant, drawn the way /me/oncall draws it.
    const b = payload.boundary;
    const shift = (await schedules.userShifts(db, user.id, { start: b - 1, end: b + 1 })).find(
      (s) => s.schedule.id === payload.scheduleId && (payload.kind === 'start' ? s.start === b : s.end === b),
    );
    if (!shift) return skip('the shift changed since the scan');
    const other = (await schedules.shiftsAt(db, [shift.schedule], payload.kind === 'start' ? b - 1 : b))[0];
    const otherName = other === undefined ? null : ((await oncallRepo.usersByIds(db, [other.userId])).get(other.userId)?.name ?? null);
    const message = handoffMessage({
      kind: payload.kind,
      personName: user.name,
      scheduleName: shift.schedule.name,
      boundary: b,
      shiftStart: b - shift.start >= FAR_EDGE_MS ? null : shift.start,
      shiftEnd: shift.end - b >= FAR_EDGE_MS ? null : shift.end,
      now,
      timeZone: user.time_zone,
      otherPerson: otherName,
      scheduleUrl: `${deps.publicUrl}/oncall/schedules/${shift.schedule.handle}`,
      settingsUrl: `${deps.publicUrl}/settings/contact-methods`,
    });
    let sent = 0;
    let retryable: unknown = null;
    for (const method of methods) {
      try {
        await channel.send({ to: { type: 'email', email: method.address, name: user.name }, ...message, kind: 'handoff' }, options.signal ? { signal: options.signal } : {});
        sent++;
      } catch (error) {
        if (error instanceof ChannelError && error.permanent) logger.warn({ userId: user.id, address: method.address, err: error }, 'The mail server refused a handoff notification for good');
        else retryable ??= error;
      }
    }
    // Retrying sends to every address again: at-least-once, as every delivery here.
    if (retryable !== null) throw retryable;
    return { outcome: 'delivered', sent };
  }

  return { scan, deliver };
}

/**
 * People who want handoff notifications, with their lead in milliseconds: active and with the setting
 * on. For the scan (`everyone`), only those with a verified email address too, since nothing else can
 * deliver yet; the send job checks that itself so it can say why it sends nothing.
 */
async function optedIn(db: Kysely<Database>, who: { everyone: true } | { userId: string }): Promise<Map<string, number>> {
  let query = db.selectFrom('notification_settings as s').innerJoin('users as u', 'u.id', 's.user_id').select(['s.user_id', 's.json']).where('u.deactivated_at', 'is', null);
  if ('userId' in who) query = query.where('s.user_id', '=', who.userId);
  else {
    query = query.where((eb) =>
      eb.exists(eb.selectFrom('contact_methods as m').select('m.id').whereRef('m.user_id', '=', 's.user_id').where('m.type', '=', 'email').where('m.verified_at', 'is not', null)),
    );
  }
  const out = new Map<string, number>();
  for (const row of await query.execute()) {
    const lead = handoffLeadMs(row.json);
    if (lead !== null) out.set(row.user_id, lead);
  }
  return out;
}

/** The lead of stored settings with handoff notifications on, else null. Parsed again rather than trusting a row an older release wrote. */
function handoffLeadMs(json: string): number | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  const parsed = notificationSettingsBody.safeParse(value);
  return parsed.success && parsed.data.handoffNotifications.enabled ? parsed.data.handoffNotifications.leadMinutes * 60_000 : null;
}

/** Compare-and-set of the cursor: false when another scan moved it since `expected` was read. */
async function moveCursor(db: Kysely<Database>, expected: string | null, value: string, now: number): Promise<boolean> {
  if (expected === null) {
    const inserted = await db
      .insertInto('runtime')
      .values({ name: HANDOFF_CURSOR, value, updated_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning('name')
      .executeTakeFirst();
    return inserted !== undefined;
  }
  const updated = await db.updateTable('runtime').set({ value, updated_at: now }).where('name', '=', HANDOFF_CURSOR).where('value', '=', expected).executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/**
 * Makes sure the scan job exists, due now: called on every start, so a restart scans promptly (the
 * window since the last scan is covered however long the process was down, up to the catch-up limit).
 * Keyed, so this replaces the pending scan rather than adding a second.
 */
export async function scheduleHandoffScan(jobs: JobScheduler, target: JobTarget, now: number): Promise<void> {
  await jobs.addJob(target, { task: HANDOFF_SCAN_TASK, key: HANDOFF_SCAN_TASK, runAt: now, maxAttempts: SCAN_MAX_ATTEMPTS });
}

/** Registers the scan and the send handlers on this process's runner. */
export function registerHandoffJobs(runner: JobRunner, handoffs: HandoffNotifications, logger: Logger): void {
  runner.register(
    HANDOFF_SCAN_TASK,
    async () => {
      await handoffs.scan();
    },
    { backoff: SCAN_BACKOFF },
  );
  runner.register<SendHandoffPayload>(
    SEND_HANDOFF_TASK,
    async ({ payload, job, signal }) => {
      const result = await handoffs.deliver(payload, { signal });
      const fields = { task: job.task, userId: payload.userId, scheduleId: payload.scheduleId, kind: payload.kind, boundary: iso(payload.boundary), attempts: job.attempts };
      if (result.outcome === 'delivered') logger.info({ ...fields, sent: result.sent }, 'handoff notification delivered');
      // Skipping is the expected answer to a change since the scan; an unconfigured channel is said once at INFO by `deliver`.
      else logger.debug({ ...fields, reason: result.reason }, `handoff notification skipped: ${result.reason}`);
    },
    { backoff: SEND_BACKOFF },
  );
}
