import { sql, type Kysely, type Selectable } from 'kysely';
import type { z } from 'zod';
import { AppError, type FieldIssue } from '../../../contracts/errors.js';
import type {
  listMaintenanceWindowsQuery,
  listSilencesQuery,
  MaintenanceWindow,
  MaintenanceWindowInput,
  MaintenanceWindowUpdate,
  MatcherView,
  Silence,
  SilenceInput,
} from '../../../contracts/suppression.js';
import { roleAtLeast } from '../../../core/auth/roles.js';
import type { AlertEvent, AlertState, Decision, TimelineEntry } from '../../../core/alerts/alert.js';
import {
  activeOccurrence,
  applySuppression,
  compileMatchers,
  describeSuppression as describe,
  inStorm,
  matcherIssues,
  matchingSilence,
  nextOccurrence,
  occurrences,
  rruleIssue,
  silenceState,
  STORM_DEDUP_KEY,
  stormEvent,
  stormTitle,
  type CompiledMatcher,
  type MaintenanceSpec,
  type Matcher,
  type Occurrence,
  type SilenceSpec,
  type SuppressedBy,
} from '../../../core/alerts/suppression.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { Database, MaintenanceWindowsTable, SilencesTable } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { JobScheduler } from '../../platform/jobs/job-queue.js';
import type { JobRunner } from '../../platform/jobs/job-runner.js';
import type { Logger } from '../../platform/logger.js';
import type { AuditLog } from '../audit/audit.repo.js';
import type { Acting } from '../catalog/catalog.service.js';
import { assertCanManageService, type ServiceCatalog, type ServiceRow } from '../services/service.service.js';
import { alertRepo, toState, type AlertRow } from './alert.repo.js';
import type { AlertHooks } from './alert.service.js';

type WindowRow = Selectable<MaintenanceWindowsTable>;
type SilenceRow = Selectable<SilencesTable>;

interface Snapshot {
  /** Clock time it was read at. */
  at: number;
  windows: Map<string, WindowRow[]>;
  silences: SilenceSpec[];
}

/** How long the windows and silences read for intake are reused (see `Suppression.snapshot`). */
const SNAPSHOT_MS = 2_000;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** The longest occurrence a recurring window may have (the input schema's cap): how far back an active one can start. */
const MAX_OCCURRENCE_MS = 7 * DAY;
/** Views show the next occurrence within this horizon. */
const NEXT_HORIZON_MS = 400 * DAY;

/** The durable job that re-checks alerts a window or silence suppressed once it ends (or changes). */
export const SUPPRESSION_REVIEW_TASK = 'suppression-review';
export interface ReviewPayload {
  kind: 'maintenance' | 'silence';
  id: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

function invalid(issues: FieldIssue[]): never {
  const first = issues[0] as FieldIssue;
  throw new AppError('VALIDATION_FAILED', `Invalid request. ${first.path}: ${first.message}`, { issues });
}

function specOf(row: WindowRow): MaintenanceSpec {
  return {
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    endedAt: row.ended_at,
    recurrence: row.rrule ? { rrule: row.rrule, durationMinutes: row.duration_minutes ?? 60, timeZone: row.time_zone ?? 'UTC' } : null,
  };
}

/**
 * Maintenance windows and silences (API and intake), and the storm guard. Intake calls `check` before
 * an event is applied and `apply` after: suppression changes only whether anyone is notified, never
 * what is stored. Mutations run in one transaction with their audit entry.
 */
export class Suppression {
  /** Recurring windows' occurrences around today, per window version: expanding an RRULE on every event would cost too much. */
  private readonly occurrenceCache = new Map<string, Occurrence[]>();
  /** Silences' compiled matchers, per silence version. */
  private readonly matcherCache = new Map<string, CompiledMatcher[]>();
  private held: Snapshot | null = null;
  private generation = 0;

  constructor(
    private readonly deps: { database: FirebreakDatabase; clock: Clock; ids: IdGenerator; audit: AuditLog; services: ServiceCatalog; jobs?: JobScheduler; hooks?: AlertHooks },
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  // ---- intake

  /**
   * Why this event notifies nobody, if it does not: an active maintenance window covering the service
   * (the one active longest), else the first active silence (oldest first) whose matchers all match.
   * Only triggers and group posts are checked: acknowledging and resolving never notify.
   */
  async check(db: Kysely<Database>, service: ServiceRow, event: AlertEvent, now: number): Promise<SuppressedBy | null> {
    if (event.action !== 'trigger' && event.action !== 'group') return null;
    const snapshot = await this.snapshot(db, now);
    let best: SuppressedBy | null = null;
    for (const w of snapshot.windows.get(service.id) ?? []) {
      const occurrence = this.activeAt(w, now);
      if (occurrence && (best === null || (best.until ?? 0) < occurrence.end)) best = { kind: 'maintenance', id: w.id, name: w.name, until: occurrence.end };
    }
    if (best) return best;
    if (snapshot.silences.length === 0) return null;
    const match = matchingSilence(snapshot.silences, event, service, now);
    return match ? { kind: 'silence', id: match.id, name: match.comment, until: match.endsAt } : null;
  }

  /**
   * The windows and silences that may apply, read at most every `SNAPSHOT_MS` (two queries per event
   * cost more than the rest of intake). Changes made through this process are seen at once (the
   * snapshot is dropped after each commits); changes made on another node within `SNAPSHOT_MS`.
   * Read through the caller's transaction: SQLite has one connection, and the event's transaction holds it.
   */
  private async snapshot(db: Kysely<Database>, now: number): Promise<Snapshot> {
    const held = this.held;
    if (held && now >= held.at && now - held.at < SNAPSHOT_MS) return held;
    const generation = this.generation;
    const windows = await db
      .selectFrom('maintenance_windows')
      .innerJoin('maintenance_window_services', 'maintenance_window_services.window_id', 'maintenance_windows.id')
      .selectAll('maintenance_windows')
      .select('maintenance_window_services.service_id')
      .where((eb) => eb.or([eb('maintenance_windows.ended_at', 'is', null), eb('maintenance_windows.ended_at', '>', now - SNAPSHOT_MS)]))
      .where((eb) => eb.or([eb('maintenance_windows.ends_at', 'is', null), eb('maintenance_windows.ends_at', '>', now - MAX_OCCURRENCE_MS)]))
      .execute();
    const silences = await db.selectFrom('silences').selectAll().where('ends_at', '>', now - SNAPSHOT_MS).orderBy('id').execute();
    const byService = new Map<string, WindowRow[]>();
    for (const { service_id, ...w } of windows) byService.set(service_id, [...(byService.get(service_id) ?? []), w]);
    const fresh: Snapshot = { at: now, windows: byService, silences: silences.map((row) => this.silenceSpec(row)) };
    // A change committed while this was read is not in it: keep it only if nothing changed meanwhile.
    if (generation === this.generation) this.held = fresh;
    return fresh;
  }

  /** Drops the snapshot after a change to windows or silences has committed. */
  private changed<T>(result: T): T {
    this.generation++;
    this.held = null;
    return result;
  }

  /** `changed`, once the caller's transaction commits (the `*In` methods run in the caller's transaction). */
  private changedAfter(tx: Tx): void {
    tx.afterCommit(() => this.changed(undefined));
  }

  /** The occurrence of a window active at `now`, from a per-day cache of its occurrences. */
  private activeAt(row: WindowRow, now: number): Occurrence | null {
    const spec = specOf(row);
    if (!spec.recurrence) return activeOccurrence(spec, now, MAX_OCCURRENCE_MS);
    const day = Math.floor(now / DAY) * DAY;
    const key = `${row.id}:${row.updated_at}:${row.ended_at ?? ''}:${day}`;
    let found = this.occurrenceCache.get(key);
    if (!found) {
      if (this.occurrenceCache.size > 2000) this.occurrenceCache.clear();
      found = occurrences(spec, day - MAX_OCCURRENCE_MS, day + DAY);
      this.occurrenceCache.set(key, found);
    }
    return found.filter((o) => o.start <= now && now < o.end).reduce<Occurrence | null>((a, o) => (a === null || o.end > a.end ? o : a), null);
  }

  private silenceSpec(row: SilenceRow): SilenceSpec {
    // By version: config apply may change a silence's matchers (on any node).
    const key = `${row.id}:${row.updated_at}`;
    let matchers = this.matcherCache.get(key);
    if (!matchers) {
      if (this.matcherCache.size > 5000) this.matcherCache.clear();
      matchers = compileMatchers(JSON.parse(row.matchers_json) as Matcher[]);
      this.matcherCache.set(key, matchers);
    }
    return { id: row.id, comment: row.comment, serviceId: row.service_id, matchers, startsAt: row.starts_at, endsAt: row.ends_at };
  }

  /**
   * After the event is applied, before it is stored: marks the decision suppressed (or lifts an ended
   * suppression), then runs the storm guard. `summarize` ingests the storm summary's event in the same
   * transaction and returns the summary alert.
   */
  async apply(
    db: Kysely<Database>,
    service: ServiceRow,
    event: AlertEvent,
    decision: Decision,
    suppressedBy: SuppressedBy | null,
    now: number,
    summarize: (event: AlertEvent) => Promise<AlertRow | null>,
  ): Promise<Decision> {
    if (event.dedupKey === STORM_DEDUP_KEY && event.action === 'trigger' && event.source === 'firebreak') return summaryDecision(service, event, decision);
    const suppressed = applySuppression(decision, suppressedBy);
    return this.stormGuard(db, service, suppressed, now, summarize);
  }

  /**
   * Counts new alerts that would notify, per service and minute, in the durable `alert_storms` row
   * (an atomic upsert, so concurrent intake on several PostgreSQL nodes counts each once). Past the
   * threshold, or in the minute after one that was, the new alert is stored but collapsed into the
   * service's storm summary alert, which alone notifies.
   */
  private async stormGuard(db: Kysely<Database>, service: ServiceRow, decision: Decision, now: number, summarize: (event: AlertEvent) => Promise<AlertRow | null>): Promise<Decision> {
    const threshold = service.storm_threshold_per_minute;
    const alert = decision.alert;
    if (threshold <= 0 || !decision.created || !decision.notify || !alert) return decision;
    const bucket = Math.floor(now / MINUTE);
    const counted = await db
      .insertInto('alert_storms')
      .values({ service_id: service.id, bucket, count: 1, previous_count: 0 })
      .onConflict((oc) =>
        oc.column('service_id').doUpdateSet({
          // SET expressions read the row as it was: previous_count from the old bucket, then count and bucket.
          previous_count: sql<number>`CASE WHEN alert_storms.bucket = ${bucket} THEN alert_storms.previous_count WHEN alert_storms.bucket = ${bucket - 1} THEN alert_storms.count ELSE 0 END`,
          count: sql<number>`CASE WHEN alert_storms.bucket = ${bucket} THEN alert_storms.count + 1 ELSE 1 END`,
          bucket: sql<number>`${bucket}`,
        }),
      )
      .returning(['count', 'previous_count'])
      .executeTakeFirstOrThrow();
    if (!inStorm(threshold, Number(counted.count), Number(counted.previous_count))) return decision;
    const summary = await summarize(stormEvent(service.name, alert));
    if (!summary) return decision;
    const by: SuppressedBy = { kind: 'storm', id: summary.id, name: summary.title, until: null };
    const entry: TimelineEntry = { kind: 'event', action: 'suppress', actor: null, summary: `Collapsed into alert storm #${summary.number}: more than ${threshold} new alerts a minute on ${service.name}; nobody is notified of this alert`, data: by };
    return { ...decision, alert: { ...alert, suppressedBy: by }, timeline: [...decision.timeline, entry], notify: false };
  }

  // ---- when a window or silence ends

  /**
   * Schedules the review of a window or silence (keyed: one pending per window or silence, replaced
   * on every change): at the end of its current or next occurrence, or now after an edit.
   */
  private async scheduleReview(tx: Tx, payload: ReviewPayload, at: number | null): Promise<void> {
    if (!this.deps.jobs) return;
    const key = `${SUPPRESSION_REVIEW_TASK}:${payload.id}`;
    if (at === null) await this.deps.jobs.removeJob(tx, key);
    else await this.deps.jobs.addJob(tx, { task: SUPPRESSION_REVIEW_TASK, key, payload, runAt: at });
  }

  /** When a window's current occurrence ends, else when its next one does; null when none is left. */
  private windowReviewAt(row: WindowRow, now: number): number | null {
    const spec = specOf(row);
    const active = activeOccurrence(spec, now, MAX_OCCURRENCE_MS);
    if (active) return active.end;
    return nextOccurrence(spec, now, NEXT_HORIZON_MS)?.end ?? null;
  }

  /**
   * The review job: every open alert this window or silence suppresses is checked again. Still
   * covered (the window was extended): left alone. Covered by another window or silence: it says so.
   * Covered by nothing: the suppression is lifted and, if the alert is still triggered, the paging
   * seam hears `notify: true`, so a problem that outlives its maintenance pages even if its source
   * sends nothing more. Idempotent: a second run finds nothing to change.
   */
  async review(payload: ReviewPayload): Promise<number> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const now = this.deps.clock.now();
      // Ids are ULIDs (no LIKE wildcards); the JSON is parsed and compared exactly below.
      const rows = await db.selectFrom('alerts').selectAll().where('open_dedup_key', 'is not', null).where('suppressed_json', 'like', `%"id":"${payload.id}"%`).execute();
      let changed = 0;
      for (const row of rows) {
        const was = JSON.parse(row.suppressed_json as string) as SuppressedBy;
        if (was.kind !== payload.kind || was.id !== payload.id) continue;
        const service = await db.selectFrom('services').selectAll().where('id', '=', row.service_id).executeTakeFirst();
        if (!service) continue;
        const state = toState(row);
        const current = await this.check(db, service, eventOf(state), now);
        if (current && current.kind === was.kind && current.id === was.id && current.until === was.until) continue;
        const decision = applySuppression({ alert: state, created: false, outcome: 'updated', timeline: [], notify: false }, current);
        const after = decision.alert as AlertState;
        const suppressedJson = after.suppressedBy ? JSON.stringify(after.suppressedBy) : null;
        const result = await db.updateTable('alerts').set({ suppressed_json: suppressedJson, revision: row.revision + 1, updated_at: now }).where('id', '=', row.id).where('revision', '=', row.revision).executeTakeFirst();
        // Changed concurrently: that change ran the suppression check itself.
        if (Number(result.numUpdatedRows) !== 1) continue;
        const timeline: TimelineEntry[] = current ? decision.timeline : [{ kind: 'event', action: 'unsuppress', actor: null, summary: `Suppression ended (${describe(was)})${decision.notify ? ': notifying' : ''}`, data: was }];
        await alertRepo.insertTimeline(db, this.deps.ids, row.id, now, timeline);
        await this.deps.hooks?.afterChange(tx, { alertId: row.id, number: row.number, serviceId: row.service_id, outcome: 'updated', status: row.status as AlertState['status'], urgency: row.urgency as AlertState['urgency'], notify: decision.notify, suppressedBy: after.suppressedBy ?? null });
        changed++;
      }
      if (payload.kind === 'maintenance') {
        // A recurring window: review again when its next occurrence ends.
        const window = await db.selectFrom('maintenance_windows').selectAll().where('id', '=', payload.id).executeTakeFirst();
        if (window) await this.scheduleReview(tx, payload, this.windowReviewAt(window, now + 1));
      } else {
        // A silence changed by config apply is reviewed at once: review again when it ends.
        const silence = await db.selectFrom('silences').select('ends_at').where('id', '=', payload.id).executeTakeFirst();
        if (silence && silence.ends_at > now) await this.scheduleReview(tx, payload, silence.ends_at);
      }
      return changed;
    });
  }

  // ---- maintenance windows

  async listWindows(query: z.output<typeof listMaintenanceWindowsQuery>): Promise<MaintenanceWindow[]> {
    const db = this.db;
    let q = db.selectFrom('maintenance_windows').selectAll().orderBy('starts_at', 'desc').orderBy('id', 'desc').limit(500);
    if (query.service) {
      const service = await this.deps.services.find(db, query.service);
      if (!service) invalid([{ path: 'query.service', message: `service \`${query.service}\` does not exist` }]);
      q = q.where('id', 'in', db.selectFrom('maintenance_window_services').select('window_id').where('service_id', '=', service.id));
    }
    const views = await this.windowViews(db, await q.execute());
    return query.active === undefined ? views : views.filter((w) => w.active === (query.active === 'true'));
  }

  async getWindow(id: string): Promise<MaintenanceWindow> {
    return (await this.windowViews(this.db, [await this.requireWindow(this.db, id)]))[0] as MaintenanceWindow;
  }

  private async requireWindow(db: Kysely<Database>, id: string): Promise<WindowRow> {
    const row = await db.selectFrom('maintenance_windows').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `Maintenance window \`${id}\` does not exist`);
    return row;
  }

  private async windowViews(db: Kysely<Database>, rows: readonly WindowRow[]): Promise<MaintenanceWindow[]> {
    if (rows.length === 0) return [];
    const links = await db
      .selectFrom('maintenance_window_services')
      .innerJoin('services', 'services.id', 'maintenance_window_services.service_id')
      .select(['maintenance_window_services.window_id', 'services.id', 'services.handle'])
      .where('maintenance_window_services.window_id', 'in', rows.map((r) => r.id))
      .orderBy('services.handle')
      .execute();
    const now = this.deps.clock.now();
    return rows.map((row) => {
      const spec = specOf(row);
      const active = activeOccurrence(spec, now, MAX_OCCURRENCE_MS);
      const next = nextOccurrence(spec, now, NEXT_HORIZON_MS);
      return {
        id: row.id,
        name: row.name,
        description: row.description,
        services: links.filter((l) => l.window_id === row.id).map((l) => ({ id: l.id, handle: l.handle.split('~deleted~')[0] as string })),
        startsAt: iso(row.starts_at),
        endsAt: isoOrNull(row.ends_at),
        endedAt: isoOrNull(row.ended_at),
        recurrence: spec.recurrence,
        active: active !== null,
        activeUntil: active ? iso(active.end) : null,
        nextStartsAt: next ? iso(next.start) : null,
        createdBy: row.created_by,
        createdAt: iso(row.created_at),
        updatedAt: iso(row.updated_at),
      };
    });
  }

  /** The window's services, each one the caller may manage (admins, or team admins of its team). */
  private async windowServices(db: Kysely<Database>, acting: Acting, refs: readonly string[]): Promise<ServiceRow[]> {
    const found: ServiceRow[] = [];
    for (const [i, ref] of refs.entries()) {
      const service = await this.deps.services.find(db, ref);
      if (!service) invalid([{ path: `body.services.${i}`, message: `service \`${ref}\` does not exist` }]);
      assertCanManageService(acting, service.team_id, `Service \`${service.handle}\``);
      if (!found.some((s) => s.id === service.id)) found.push(service);
    }
    return found;
  }

  private validateWindow(w: { startsAt: number; endsAt: number | null; recurrence: MaintenanceWindowInput['recurrence'] | null }): void {
    if (w.recurrence) {
      const issue = rruleIssue(w.recurrence.rrule);
      if (issue) invalid([{ path: 'body.recurrence.rrule', message: issue }]);
      if (w.endsAt !== null && w.endsAt <= w.startsAt) invalid([{ path: 'body.endsAt', message: 'must be after startsAt' }]);
      return;
    }
    if (w.endsAt === null) invalid([{ path: 'body.endsAt', message: 'is required for a one-off window (or give durationMinutes, or a recurrence)' }]);
    if (w.endsAt <= w.startsAt) invalid([{ path: 'body.endsAt', message: 'must be after startsAt' }]);
  }

  async createWindow(acting: Acting, input: MaintenanceWindowInput): Promise<MaintenanceWindow> {
    return this.deps.database.transaction((tx) => this.createWindowIn(tx, acting, input));
  }

  /**
   * `createWindow` inside an open transaction (config apply). `options.handle` is the config name
   * (`metadata.name`) of a window made from a document.
   */
  async createWindowIn(tx: Tx, acting: Acting, input: MaintenanceWindowInput, options: { handle?: string } = {}): Promise<MaintenanceWindow> {
    const startsAt = input.startsAt === undefined ? this.deps.clock.now() : Date.parse(input.startsAt);
    if (input.durationMinutes !== undefined && (input.endsAt !== undefined || input.recurrence)) invalid([{ path: 'body.durationMinutes', message: 'is for one-off windows without endsAt (a recurrence has its own durationMinutes)' }]);
    const endsAt = input.endsAt !== undefined ? Date.parse(input.endsAt) : input.durationMinutes !== undefined ? startsAt + input.durationMinutes * MINUTE : null;
    this.validateWindow({ startsAt, endsAt, recurrence: input.recurrence ?? null });
    const db = tx.db;
    const services = await this.windowServices(db, acting, input.services);
    const now = this.deps.clock.now();
    const row: WindowRow = {
      id: this.deps.ids(),
      name: input.name,
      description: input.description,
      starts_at: startsAt,
      ends_at: endsAt,
      ended_at: null,
      rrule: input.recurrence?.rrule.replace(/^RRULE:/i, '') ?? null,
      duration_minutes: input.recurrence?.durationMinutes ?? null,
      time_zone: input.recurrence?.timeZone ?? null,
      created_by: acting.actor.label,
      created_at: now,
      updated_at: now,
      handle: options.handle ?? null,
    };
    await db.insertInto('maintenance_windows').values(row).execute();
    await db.insertInto('maintenance_window_services').values(services.map((s) => ({ window_id: row.id, service_id: s.id }))).execute();
    await this.scheduleReview(tx, { kind: 'maintenance', id: row.id }, this.windowReviewAt(row, now));
    const [view] = await this.windowViews(db, [row]);
    await this.deps.audit.record(db, acting.actor, { action: 'maintenance_window.create', targetType: 'maintenance_window', targetId: row.id, after: view });
    this.changedAfter(tx);
    return view as MaintenanceWindow;
  }

  async updateWindow(acting: Acting, id: string, changes: MaintenanceWindowUpdate): Promise<MaintenanceWindow> {
    return this.deps.database.transaction((tx) => this.updateWindowIn(tx, acting, id, changes));
  }

  /** `updateWindow` inside an open transaction (config apply). */
  async updateWindowIn(tx: Tx, acting: Acting, id: string, changes: MaintenanceWindowUpdate): Promise<MaintenanceWindow> {
    const db = tx.db;
    const row = await this.requireWindow(db, id);
    const [before] = await this.windowViews(db, [row]);
    await this.assertCanManageWindow(db, acting, row);
    const recurrence = changes.recurrence === undefined ? specOf(row).recurrence : changes.recurrence;
    const updated: WindowRow = {
      ...row,
      name: changes.name ?? row.name,
      description: changes.description ?? row.description,
      starts_at: changes.startsAt === undefined ? row.starts_at : Date.parse(changes.startsAt),
      ends_at: changes.endsAt === undefined ? row.ends_at : changes.endsAt === null ? null : Date.parse(changes.endsAt),
      rrule: recurrence?.rrule.replace(/^RRULE:/i, '') ?? null,
      duration_minutes: recurrence?.durationMinutes ?? null,
      time_zone: recurrence?.timeZone ?? null,
      updated_at: Math.max(this.deps.clock.now(), row.updated_at + 1),
    };
    this.validateWindow({ startsAt: updated.starts_at, endsAt: updated.ends_at, recurrence });
    if (changes.services) {
      const services = await this.windowServices(db, acting, changes.services);
      await db.deleteFrom('maintenance_window_services').where('window_id', '=', row.id).execute();
      await db.insertInto('maintenance_window_services').values(services.map((s) => ({ window_id: row.id, service_id: s.id }))).execute();
    }
    const { id: _id, ...columns } = updated;
    await db.updateTable('maintenance_windows').set(columns).where('id', '=', row.id).execute();
    // Alerts it suppresses are checked again at once (the review then waits for the next end).
    await this.scheduleReview(tx, { kind: 'maintenance', id: row.id }, this.deps.clock.now());
    const [after] = await this.windowViews(db, [updated]);
    await this.deps.audit.record(db, acting.actor, { action: 'maintenance_window.update', targetType: 'maintenance_window', targetId: row.id, before, after });
    this.changedAfter(tx);
    return after as MaintenanceWindow;
  }

  /** Ends a window now: a one-off window stops; a recurring one stops and has no further occurrences. */
  async endWindow(acting: Acting, id: string): Promise<MaintenanceWindow> {
    return this.changed(await this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const row = await this.requireWindow(db, id);
      await this.assertCanManageWindow(db, acting, row);
      if (row.ended_at !== null) throw new AppError('RULE_VIOLATION', `Maintenance window ‘${row.name}’ already ended at ${iso(row.ended_at)}`);
      const now = this.deps.clock.now();
      const [before] = await this.windowViews(db, [row]);
      const updated: WindowRow = { ...row, ended_at: now, updated_at: Math.max(now, row.updated_at + 1) };
      await db.updateTable('maintenance_windows').set({ ended_at: updated.ended_at, updated_at: updated.updated_at }).where('id', '=', row.id).execute();
      await this.scheduleReview(tx, { kind: 'maintenance', id: row.id }, now);
      const [after] = await this.windowViews(db, [updated]);
      await this.deps.audit.record(db, acting.actor, { action: 'maintenance_window.end', targetType: 'maintenance_window', targetId: row.id, before, after });
      return after as MaintenanceWindow;
    }));
  }

  async deleteWindow(acting: Acting, id: string): Promise<void> {
    await this.deps.database.transaction((tx) => this.deleteWindowIn(tx, acting, id));
  }

  /** `deleteWindow` inside an open transaction (config apply). */
  async deleteWindowIn(tx: Tx, acting: Acting, id: string): Promise<void> {
    const db = tx.db;
    const row = await this.requireWindow(db, id);
    await this.assertCanManageWindow(db, acting, row);
    const [before] = await this.windowViews(db, [row]);
    await db.deleteFrom('maintenance_window_services').where('window_id', '=', row.id).execute();
    await db.deleteFrom('maintenance_windows').where('id', '=', row.id).execute();
    await this.scheduleReview(tx, { kind: 'maintenance', id: row.id }, this.deps.clock.now());
    await this.deps.audit.record(db, acting.actor, { action: 'maintenance_window.delete', targetType: 'maintenance_window', targetId: row.id, before });
    this.changedAfter(tx);
  }

  /** Changing a window needs the right to manage every service it covers. */
  private async assertCanManageWindow(db: Kysely<Database>, acting: Acting, row: WindowRow): Promise<void> {
    const services = await db
      .selectFrom('services')
      .select(['team_id', 'handle'])
      .where('id', 'in', db.selectFrom('maintenance_window_services').select('service_id').where('window_id', '=', row.id))
      .execute();
    for (const s of services) assertCanManageService(acting, s.team_id, `Service \`${s.handle.split('~deleted~')[0]}\``);
  }

  // ---- silences

  async listSilences(query: z.output<typeof listSilencesQuery>): Promise<Silence[]> {
    const db = this.db;
    const states = new Set((query.state ?? 'pending,active').split(','));
    const now = this.deps.clock.now();
    let q = db.selectFrom('silences').selectAll().orderBy('id', 'desc').limit(1000);
    if (!states.has('expired')) q = q.where('ends_at', '>', now);
    if (query.service) {
      const service = await this.deps.services.find(db, query.service);
      if (!service) invalid([{ path: 'query.service', message: `service \`${query.service}\` does not exist` }]);
      q = q.where('service_id', '=', service.id);
    }
    const views = await this.silenceViews(db, await q.execute());
    return views.filter((s) => states.has(s.state));
  }

  async getSilence(id: string): Promise<Silence> {
    return (await this.silenceViews(this.db, [await this.requireSilence(this.db, id)]))[0] as Silence;
  }

  private async requireSilence(db: Kysely<Database>, id: string): Promise<SilenceRow> {
    const row = await db.selectFrom('silences').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `Silence \`${id}\` does not exist`);
    return row;
  }

  private async silenceViews(db: Kysely<Database>, rows: readonly SilenceRow[]): Promise<Silence[]> {
    if (rows.length === 0) return [];
    const serviceIds = [...new Set(rows.map((r) => r.service_id).filter((v): v is string => v !== null))];
    const services = serviceIds.length ? await db.selectFrom('services').select(['id', 'handle']).where('id', 'in', serviceIds).execute() : [];
    const handles = new Map(services.map((s) => [s.id, s.handle.split('~deleted~')[0] as string]));
    const now = this.deps.clock.now();
    return rows.map((row) => ({
      id: row.id,
      service: row.service_id ? { id: row.service_id, handle: handles.get(row.service_id) ?? row.service_id } : null,
      matchers: JSON.parse(row.matchers_json) as MatcherView[],
      comment: row.comment,
      createdBy: row.created_by,
      startsAt: iso(row.starts_at),
      endsAt: iso(row.ends_at),
      state: silenceState({ startsAt: row.starts_at, endsAt: row.ends_at }, now),
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
    }));
  }

  /**
   * Who may silence: responders and above (on-call people silence noise at night, as in Alertmanager),
   * for one service their token's team owns or for any service; a silence covering every service needs
   * an organization-wide caller (no team-scoped token).
   */
  private assertCanSilence(acting: Acting, service: ServiceRow | null): void {
    const p = acting.principal;
    if (!p) return;
    if (!roleAtLeast(p.role, 'responder')) throw new AppError('FORBIDDEN', 'Silencing needs the responder role');
    if (p.teamScope !== null && (service === null || service.team_id !== p.teamScope)) {
      throw new AppError('FORBIDDEN', service ? `This API token is scoped to another team than the one owning service \`${service.handle}\`` : 'A team-scoped API token can only silence its own team’s services: give `service`');
    }
  }

  async createSilence(acting: Acting, input: SilenceInput): Promise<Silence> {
    return this.deps.database.transaction((tx) => this.createSilenceIn(tx, acting, input));
  }

  /**
   * `createSilence` inside an open transaction (config apply). `options.handle` is the config name
   * (`metadata.name`) of a silence made from a document.
   */
  async createSilenceIn(tx: Tx, acting: Acting, input: SilenceInput, options: { handle?: string } = {}): Promise<Silence> {
    const issues = matcherIssues(input.matchers as Matcher[], 'body.matchers');
    if (issues.length > 0) invalid(issues);
    const now = this.deps.clock.now();
    const startsAt = input.startsAt === undefined ? now : Date.parse(input.startsAt);
    let endsAt: number;
    if (input.endsAt !== undefined) endsAt = Date.parse(input.endsAt);
    else if (input.durationMinutes !== undefined) endsAt = startsAt + input.durationMinutes * MINUTE;
    else invalid([{ path: 'body.endsAt', message: 'give endsAt or durationMinutes: a silence always expires' }]);
    if (endsAt <= startsAt) invalid([{ path: 'body.endsAt', message: 'must be after startsAt' }]);
    if (endsAt <= now) invalid([{ path: 'body.endsAt', message: 'must be in the future' }]);
    const db = tx.db;
    const service = await this.silenceService(db, input.service);
    this.assertCanSilence(acting, service);
    const row: SilenceRow = {
      id: this.deps.ids(),
      service_id: service?.id ?? null,
      matchers_json: matchersJson(input.matchers),
      comment: input.comment,
      created_by: acting.actor.label,
      starts_at: startsAt,
      ends_at: endsAt,
      created_at: now,
      updated_at: now,
      handle: options.handle ?? null,
    };
    await db.insertInto('silences').values(row).execute();
    await this.scheduleReview(tx, { kind: 'silence', id: row.id }, endsAt);
    const [view] = await this.silenceViews(db, [row]);
    await this.deps.audit.record(db, acting.actor, { action: 'silence.create', targetType: 'silence', targetId: row.id, after: view });
    this.changedAfter(tx);
    return view as Silence;
  }

  /** The service a silence is scoped to (null: every service); 400 at `body.service` when there is none. */
  private async silenceService(db: Kysely<Database>, ref: string | null | undefined): Promise<ServiceRow | null> {
    if (ref === undefined || ref === null) return null;
    const service = await this.deps.services.find(db, ref);
    if (!service) invalid([{ path: 'body.service', message: `service \`${ref}\` does not exist` }]);
    return service;
  }

  /**
   * Changes a silence in place, for config apply (the API, as Alertmanager, expires a silence and
   * creates another instead). The caller must be allowed to silence both the old and the new scope.
   * Alerts it suppresses are checked again at once.
   */
  async updateSilenceIn(tx: Tx, acting: Acting, id: string, changes: SilenceUpdate): Promise<Silence> {
    if (changes.matchers) {
      const issues = matcherIssues(changes.matchers as Matcher[], 'body.matchers');
      if (issues.length > 0) invalid(issues);
    }
    const db = tx.db;
    const row = await this.requireSilence(db, id);
    const was = row.service_id ? ((await db.selectFrom('services').selectAll().where('id', '=', row.service_id).executeTakeFirst()) ?? null) : null;
    this.assertCanSilence(acting, was);
    const service = changes.service === undefined ? was : await this.silenceService(db, changes.service);
    if (changes.service !== undefined) this.assertCanSilence(acting, service);
    const now = this.deps.clock.now();
    const updated: SilenceRow = {
      ...row,
      service_id: service?.id ?? null,
      matchers_json: changes.matchers ? matchersJson(changes.matchers) : row.matchers_json,
      comment: changes.comment ?? row.comment,
      starts_at: changes.startsAt === undefined ? row.starts_at : Date.parse(changes.startsAt),
      ends_at: changes.endsAt === undefined ? row.ends_at : Date.parse(changes.endsAt),
      updated_at: Math.max(now, row.updated_at + 1),
    };
    if (updated.ends_at <= updated.starts_at) invalid([{ path: 'body.endsAt', message: 'must be after startsAt' }]);
    const { id: _id, ...columns } = updated;
    await db.updateTable('silences').set(columns).where('id', '=', row.id).execute();
    // Checked again at once; the review then waits for its end.
    await this.scheduleReview(tx, { kind: 'silence', id: row.id }, now);
    const [before, after] = await this.silenceViews(db, [row, updated]);
    await this.deps.audit.record(db, acting.actor, { action: 'silence.update', targetType: 'silence', targetId: row.id, before, after });
    this.changedAfter(tx);
    return after as Silence;
  }

  /** Expires a silence now (Alertmanager's "expire"): it stops matching at once; expired ones are refused. */
  async expireSilence(acting: Acting, id: string): Promise<Silence> {
    return this.deps.database.transaction((tx) => this.expireSilenceIn(tx, acting, id));
  }

  /** `expireSilence` inside an open transaction (config apply's --prune). */
  async expireSilenceIn(tx: Tx, acting: Acting, id: string): Promise<Silence> {
    const db = tx.db;
    const row = await this.requireSilence(db, id);
    const service = row.service_id ? ((await db.selectFrom('services').selectAll().where('id', '=', row.service_id).executeTakeFirst()) ?? null) : null;
    this.assertCanSilence(acting, service);
    const now = this.deps.clock.now();
    if (row.ends_at <= now) throw new AppError('RULE_VIOLATION', `Silence \`${id}\` already expired at ${iso(row.ends_at)}`);
    const updated: SilenceRow = { ...row, ends_at: now, starts_at: Math.min(row.starts_at, now), updated_at: Math.max(now, row.updated_at + 1) };
    await db.updateTable('silences').set({ ends_at: updated.ends_at, starts_at: updated.starts_at, updated_at: updated.updated_at }).where('id', '=', row.id).execute();
    await this.scheduleReview(tx, { kind: 'silence', id: row.id }, now);
    const [before, after] = await this.silenceViews(db, [row, updated]);
    await this.deps.audit.record(db, acting.actor, { action: 'silence.expire', targetType: 'silence', targetId: row.id, before, after });
    this.changedAfter(tx);
    return after as Silence;
  }

  // ---- config-as-code

  /**
   * Every maintenance window and silence with its config name, for config-as-code: the stored
   * `handle`, or `window-<id>` / `silence-<id>` for one made through the API. `ended` when it
   * suppresses nothing now or later (a window with no occurrence left within 400 days, an expired
   * silence): export leaves those out.
   */
  async configEntriesIn(db: Kysely<Database>): Promise<{ windows: Array<{ name: string; view: MaintenanceWindow; ended: boolean }>; silences: Array<{ name: string; view: Silence; ended: boolean }> }> {
    const windowRows = await db.selectFrom('maintenance_windows').selectAll().orderBy('id').execute();
    const silenceRows = await db.selectFrom('silences').selectAll().orderBy('id').execute();
    const windowViews = await this.windowViews(db, windowRows);
    const silenceViews = await this.silenceViews(db, silenceRows);
    const now = this.deps.clock.now();
    return {
      windows: windowRows.map((row, i) => {
        const view = windowViews[i] as MaintenanceWindow;
        return { name: row.handle ?? configName('window', row.id), view, ended: this.windowEnded(row, view, now) };
      }),
      silences: silenceRows.map((row, i) => {
        const view = silenceViews[i] as Silence;
        return { name: row.handle ?? configName('silence', row.id), view, ended: view.state === 'expired' };
      }),
    };
  }

  /** Whether a window will never suppress anything again: ended early, past its end, or out of occurrences. */
  private windowEnded(row: WindowRow, view: MaintenanceWindow, now: number): boolean {
    if (view.active) return false;
    if (row.ended_at !== null) return true;
    if (row.starts_at > now) return false;
    if (row.ends_at !== null && row.ends_at <= now) return true;
    if (!row.rrule) return row.ends_at === null;
    return view.nextStartsAt === null && nextOccurrence(specOf(row), now, ENDED_HORIZON_MS) === null;
  }
}

/** How far ahead config looks for a recurring window's next occurrence before it counts as ended. */
const ENDED_HORIZON_MS = 10 * 366 * DAY;

/** Changes config apply makes to a silence (see `Suppression.updateSilenceIn`). */
export interface SilenceUpdate {
  matchers?: SilenceInput['matchers'];
  comment?: string;
  /** A service id or handle; null for every service. */
  service?: string | null;
  startsAt?: string;
  endsAt?: string;
}

const matchersJson = (matchers: SilenceInput['matchers']): string => JSON.stringify(matchers.map((m) => ({ name: m.name, op: m.op, value: m.value })));

/** The config name of a window or silence made through the API: `window-<id>`, lower case, a valid handle. */
function configName(prefix: 'window' | 'silence', id: string): string {
  return `${prefix}-${id.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`.slice(0, 63).replace(/-+$/, '');
}

/** The event an open alert stands for, to check it against windows and silences again. */
function eventOf(state: AlertState): AlertEvent {
  const content = { dedupKey: state.dedupKey, title: state.title, description: state.description, source: state.source, severity: state.severity, labels: state.labels, details: state.details, links: state.links, images: state.images };
  return state.members.length > 0 ? { action: 'group', ...content, members: state.members } : { action: 'trigger', ...content };
}

/** Registers the review job (idempotent; see `Suppression.review`). */
export function registerSuppressionJobs(runner: JobRunner, suppression: Suppression, logger: Logger): void {
  runner.register<ReviewPayload>(SUPPRESSION_REVIEW_TASK, async ({ payload }) => {
    const changed = await suppression.review(payload);
    if (changed > 0) logger.info({ ...payload, changed }, 'suppression ended or changed: alerts re-checked');
  });
}

/** The storm summary's own update: its title counts the collapsed alerts, its timeline names each one. */
function summaryDecision(service: ServiceRow, event: AlertEvent, decision: Decision): Decision {
  const alert = decision.alert;
  if (!alert || event.action !== 'trigger') return decision;
  const title = stormTitle(service.name, alert.eventCount);
  const collapsed = (event.details ?? null) as { title?: string; dedupKey?: string } | null;
  const what = collapsed?.title ? `${collapsed.title} (dedup key ${collapsed.dedupKey ?? '?'})` : 'a new alert';
  const timeline: TimelineEntry[] = decision.created
    ? [{ kind: 'event', action: 'trigger', actor: null, summary: `Alert storm: more new alerts than the threshold in a minute; collapsed ${what}`, data: null }]
    : [{ kind: 'event', action: 'collapse', actor: null, summary: `Collapsed ${what}`, data: null }, ...decision.timeline.filter((e) => e.action !== 'trigger')];
  // `details` only carried the collapsed alert to this timeline; the summary keeps none.
  return { ...decision, alert: { ...alert, title, details: null }, timeline };
}
