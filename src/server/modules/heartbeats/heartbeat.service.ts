import type { Kysely, Selectable } from 'kysely';
import type { z } from 'zod';
import type { heartbeatViewSchema } from '../../../contracts/alerts.js';
import { AppError } from '../../../contracts/errors.js';
import type { AlertEvent } from '../../../core/alerts/alert.js';
import {
  applyPing,
  applyWake,
  checkHeartbeatSettings,
  deadlineAt,
  dueAt,
  heartbeatWakeAt,
  initialHeartbeatState,
  runDeadlineAt,
  shownHeartbeatStatus,
  type HeartbeatAlert,
  type HeartbeatSettings,
  type HeartbeatState,
  type HeartbeatStep,
  type Ping,
} from '../../../core/alerts/heartbeat.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { Database, HeartbeatsTable } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { JobScheduler } from '../../platform/jobs/job-queue.js';
import type { AlertService } from '../alerts/alert.service.js';
import { storedPayload } from '../alerts/alert.repo.js';
import type { IntegrationExtension, IntegrationRow, ServiceCatalog, ServiceRow } from '../services/service.service.js';

export type HeartbeatRow = Selectable<HeartbeatsTable>;
export type HeartbeatView = z.infer<typeof heartbeatViewSchema>;

/** The one timer task: fires at a heartbeat's next deadline (missed ping or unfinished run). */
export const HEARTBEAT_DEADLINE_TASK = 'heartbeat-deadline';
export interface HeartbeatDeadlinePayload {
  integrationId: string;
  /** The heartbeat row's revision when the timer was set: a timer for an older revision is a no-op. */
  revision: number;
}
const jobKey = (integrationId: string) => `${HEARTBEAT_DEADLINE_TASK}:${integrationId}`;

/** Every heartbeat's alerts share one dedup key, so a miss, a failure and a timeout are one open alert. */
export const heartbeatDedupKey = (integrationId: string) => `heartbeat:${integrationId}`;

/** How a ping was answered; the routes turn it into HTTP. */
export type PingResult = { ok: true; outcome: string } | { ok: false; reason: 'unknown-key' | 'disabled' | 'wrong-type'; type?: string };

/** What the event log keeps of a ping: never the key, at most 10 KB of body (a job's log tail). */
export interface PingRequest {
  method: string;
  userAgent: string | null;
  remoteAddress: string | null;
  body: string;
}

/** Another ping (or the timer) changed the heartbeat between our read and our write: read again. */
class HeartbeatConflict extends Error {}
const MAX_ATTEMPTS = 6;
/** PostgreSQL's deadlock and serialization failures: the transaction did nothing and may simply run again. */
const isTransient = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
};
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function settingsOf(row: Pick<HeartbeatRow, 'settings_json'>): HeartbeatSettings {
  return JSON.parse(row.settings_json) as HeartbeatSettings;
}

export function stateOf(row: HeartbeatRow): HeartbeatState {
  return {
    status: row.status as HeartbeatState['status'],
    downReason: row.down_reason as HeartbeatState['downReason'],
    lastPingAt: row.last_ping_at === null ? null : Number(row.last_ping_at),
    lastPingKind: row.last_ping_kind as HeartbeatState['lastPingKind'],
    lastExitCode: row.last_exit_code,
    lastSuccessAt: row.last_success_at === null ? null : Number(row.last_success_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
  };
}

const stateColumns = (s: HeartbeatState) => ({
  status: s.status,
  down_reason: s.downReason,
  last_ping_at: s.lastPingAt,
  last_ping_kind: s.lastPingKind,
  last_exit_code: s.lastExitCode,
  last_success_at: s.lastSuccessAt,
  started_at: s.startedAt,
});

/** The heartbeat part of an integration's view, as of `now`. */
export function heartbeatView(row: HeartbeatRow, now: number): HeartbeatView {
  const settings = settingsOf(row);
  const state = stateOf(row);
  const run = runDeadlineAt(settings, state);
  const deadline = deadlineAt(settings, state);
  const next = [deadline, run].filter((t): t is number => t !== null);
  return {
    ...settings,
    status: shownHeartbeatStatus(settings, state, now),
    downReason: state.downReason,
    running: state.startedAt !== null,
    startedAt: iso(state.startedAt),
    lastPingAt: iso(state.lastPingAt),
    lastPingKind: state.lastPingKind,
    lastExitCode: state.lastExitCode,
    lastSuccessAt: iso(state.lastSuccessAt),
    nextDueAt: iso(dueAt(settings, state)),
    nextDeadlineAt: iso(next.length > 0 ? Math.min(...next) : null),
  };
}

/**
 * Heartbeats (dead man's switch; ADR 0017). The timing rules are pure (`core/alerts/heartbeat.ts`);
 * this applies them: each ping's state change, its alert event (through `AlertService.ingest`, so it
 * is in the event log and deduplicated like any event) and the one pending deadline timer per
 * heartbeat commit in one transaction before the sender is answered. Writes check the row's
 * revision, so concurrent pings on PostgreSQL are applied one after the other, never lost.
 */
export class HeartbeatService {
  constructor(private readonly deps: { database: FirebreakDatabase; clock: Clock; ids: IdGenerator; alerts: AlertService; services: ServiceCatalog; jobs: JobScheduler; publicUrl: string }) {}

  /** Settings, status and snippets of heartbeat integrations, for the service catalog. */
  readonly extension: IntegrationExtension = {
    type: 'heartbeat',
    field: 'heartbeat',
    created: async (tx, row, input) => {
      const settings = this.checked(input.heartbeat ?? {});
      await tx.db
        .insertInto('heartbeats')
        .values({ integration_id: row.id, settings_json: JSON.stringify(settings), ...stateColumns(initialHeartbeatState), revision: 0, updated_at: this.deps.clock.now() })
        .execute();
    },
    updated: async (tx, before, after, changes) => {
      const row = await this.rowFor(tx.db, after.id);
      const settings = changes.heartbeat === undefined ? settingsOf(row) : this.checked(changes.heartbeat, settingsOf(row));
      let state = stateOf(row);
      // Re-enabled: wait for the next ping, as a new heartbeat does, rather than alerting at once for
      // every deadline missed while it was off.
      if (before.disabled === 1 && after.disabled === 0) state = { ...state, status: 'new', downReason: null, startedAt: null };
      try {
        await this.write(tx, row, settings, state, after.disabled === 1 ? null : heartbeatWakeAt(settings, state));
      } catch (error) {
        if (error instanceof HeartbeatConflict) throw new AppError('CONFLICT', `Heartbeat \`${after.name}\` was pinged while it was being changed; try again`);
        throw error;
      }
    },
    views: async (db, rows) => {
      const found = await db.selectFrom('heartbeats').selectAll().where('integration_id', 'in', rows.map((r) => r.id)).execute();
      const now = this.deps.clock.now();
      return new Map(found.map((r) => [r.integration_id, { heartbeat: heartbeatView(r, now) }]));
    },
    endpoint: (_row, key) => {
      const url = `${this.deps.publicUrl}/integrations/heartbeat/${key}`;
      return { url, snippet: heartbeatSnippet(url) };
    },
  };

  private checked(input: Parameters<typeof checkHeartbeatSettings>[0], base?: HeartbeatSettings): HeartbeatSettings {
    const result = checkHeartbeatSettings(input, this.deps.clock.now(), base);
    if (result.ok) return result.settings;
    const issues = result.issues.map((i) => ({ path: `body.heartbeat.${i.path}`, message: i.message }));
    throw new AppError('VALIDATION_FAILED', `Invalid heartbeat settings. ${issues[0]?.path}: ${issues[0]?.message}`, { issues });
  }

  private async rowFor(db: Kysely<Database>, integrationId: string): Promise<HeartbeatRow> {
    const row = await db.selectFrom('heartbeats').selectAll().where('integration_id', '=', integrationId).executeTakeFirst();
    if (row) return row;
    // Only an integration created before this table existed lacks a row: give it the defaults.
    const fresh: HeartbeatRow = { integration_id: integrationId, settings_json: JSON.stringify(this.checked({})), ...stateColumns(initialHeartbeatState), revision: 0, updated_at: this.deps.clock.now() };
    await db.insertInto('heartbeats').values(fresh).onConflict((oc) => oc.column('integration_id').doNothing()).execute();
    return (await db.selectFrom('heartbeats').selectAll().where('integration_id', '=', integrationId).executeTakeFirstOrThrow());
  }

  /**
   * Stores the new state if the row is still at the revision read, and sets (or clears) the single
   * deadline timer in the same transaction. The timer carries the new revision as its fence.
   */
  private async write(tx: Tx, read: HeartbeatRow, settings: HeartbeatSettings, state: HeartbeatState, wakeAt: number | null): Promise<void> {
    const revision = read.revision + 1;
    const result = await tx.db
      .updateTable('heartbeats')
      .set({ settings_json: JSON.stringify(settings), ...stateColumns(state), revision, updated_at: this.deps.clock.now() })
      .where('integration_id', '=', read.integration_id)
      .where('revision', '=', read.revision)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new HeartbeatConflict();
    if (wakeAt === null) await this.deps.jobs.removeJob(tx, jobKey(read.integration_id));
    else await this.deps.jobs.addJob<HeartbeatDeadlinePayload>(tx, { task: HEARTBEAT_DEADLINE_TASK, key: jobKey(read.integration_id), payload: { integrationId: read.integration_id, revision }, runAt: wakeAt });
  }

  /**
   * Runs one heartbeat's pings and timers one at a time in this process: each reads the state the
   * previous one committed, so a burst of pings (a job's start and end, retries from `curl --retry`)
   * never races. Across PostgreSQL nodes the revision check still catches a race, and `again` retries.
   */
  private serialized<T>(integrationId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(integrationId) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(integrationId, tail);
    void tail.then(() => {
      if (this.chains.get(integrationId) === tail) this.chains.delete(integrationId);
    });
    return run;
  }

  private readonly chains = new Map<string, Promise<void>>();

  private async again<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        const retry = error instanceof HeartbeatConflict || isTransient(error);
        if (!retry || attempt >= MAX_ATTEMPTS) throw retry ? new AppError('CONFLICT', 'The heartbeat changed concurrently; ping again') : error;
      }
    }
  }

  /** One ping (`/`, `/start`, `/fail`, `/<exit code>`). Answered only after it has committed. */
  async ping(key: string, ping: Ping, request: PingRequest): Promise<PingResult> {
    const raw = JSON.stringify({ ping: ping.kind, exitCode: 'exitCode' in ping ? (ping.exitCode ?? null) : null, method: request.method, userAgent: request.userAgent, remoteAddress: request.remoteAddress, body: request.body.slice(0, 10_000) });
    const found = await this.deps.services.findByKey(this.deps.database.db, key);
    if (!found) return { ok: false, reason: 'unknown-key' };
    const { integration, service } = found;
    if (integration.type !== 'heartbeat') return { ok: false, reason: 'wrong-type', type: integration.type };
    if (integration.disabled === 1) {
      await this.deps.alerts.logRejected(integration, 'heartbeat', ping.kind, raw, 'disabled');
      return { ok: false, reason: 'disabled' };
    }
    return this.serialized(integration.id, () => this.again(async () => {
      const row = await this.rowFor(this.deps.database.db, integration.id);
      const settings = settingsOf(row);
      const step = applyPing(settings, stateOf(row), ping, this.deps.clock.now(), integration.name);
      const outcome = await this.commit(service, integration, row, settings, step, raw, ping.kind);
      return { ok: true, outcome } as const;
    }));
  }

  /** The deadline timer: alerts if a ping is overdue; a timer for an older revision does nothing. */
  async wake(payload: HeartbeatDeadlinePayload): Promise<void> {
    await this.serialized(payload.integrationId, () => this.again(async () => {
      const db = this.deps.database.db;
      const row = await db.selectFrom('heartbeats').selectAll().where('integration_id', '=', payload.integrationId).executeTakeFirst();
      if (!row || row.revision !== payload.revision) return;
      const integration = await db.selectFrom('integrations').selectAll().where('id', '=', payload.integrationId).executeTakeFirst();
      const service = integration && (await db.selectFrom('services').selectAll().where('id', '=', integration.service_id).where('deleted_at', 'is', null).executeTakeFirst());
      if (!integration || !service || integration.disabled === 1) return;
      const settings = settingsOf(row);
      const step = applyWake(settings, stateOf(row), this.deps.clock.now(), integration.name);
      // Woken before anything was due (another node's clock, a replaced timer): set it again.
      if (!step.alert) {
        await this.deps.database.transaction((tx) => this.write(tx, row, settings, step.state, step.wakeAt));
        return;
      }
      await this.commit(service, integration, row, settings, step, JSON.stringify({ timer: step.alert.action === 'trigger' ? step.alert.reason : 'wake' }), 'deadline');
    }));
  }

  /** Commits a step: its alert event (if any) with the state and timer, or just the state and an event-log row. */
  private async commit(service: ServiceRow, integration: IntegrationRow, row: HeartbeatRow, settings: HeartbeatSettings, step: HeartbeatStep, raw: string, action: string): Promise<string> {
    const event = this.eventOf(integration, step.alert);
    if (event) {
      const result = await this.deps.alerts.ingest({
        service,
        integration,
        format: 'heartbeat',
        event,
        raw,
        actor: integration.name,
        alongside: (tx) => this.write(tx, row, settings, step.state, step.wakeAt),
      });
      return result.outcome;
    }
    // `/start` changes no alert; the event log still records it, in the same transaction as the state.
    // Rows are locked in the order `ingest` locks them (integration, then heartbeat), so a start and a
    // concurrent success ping on PostgreSQL queue behind each other instead of deadlocking.
    await this.deps.database.transaction(async (tx) => {
      await tx.db.updateTable('integrations').set({ last_event_at: this.deps.clock.now() }).where('id', '=', integration.id).execute();
      await tx.db
        .insertInto('alert_events')
        .values({ id: this.deps.ids(), alert_id: null, integration_id: integration.id, service_id: integration.service_id, received_at: this.deps.clock.now(), format: 'heartbeat', action, dedup_key: heartbeatDedupKey(integration.id), payload_json: storedPayload(raw), outcome: 'recorded' })
        .execute();
      await this.write(tx, row, settings, step.state, step.wakeAt);
    });
    return 'recorded';
  }

  private eventOf(integration: IntegrationRow, alert: HeartbeatAlert): AlertEvent | null {
    if (!alert) return null;
    const dedupKey = heartbeatDedupKey(integration.id);
    if (alert.action === 'resolve') return { action: 'resolve', dedupKey };
    return {
      action: 'trigger',
      dedupKey,
      title: alert.title,
      description: alert.description,
      source: 'heartbeat',
      severity: alert.severity,
      labels: { heartbeat: integration.name, reason: alert.reason },
      details: null,
      links: [],
      images: [],
    };
  }
}

/** Copy-paste use: a crontab line that pings after a successful run, and start/exit-code reporting. */
export function heartbeatSnippet(url: string): string {
  return [
    '# crontab: ping after each successful run (replace the schedule and command with your own)',
    `0 3 * * * /usr/local/bin/backup.sh && curl -fsS -m 10 --retry 5 -o /dev/null '${url}'`,
    '',
    '# or report the start, then the exit code (0 is success, 1-255 a failure) of each run:',
    `curl -fsS -m 10 --retry 3 -o /dev/null '${url}/start'`,
    '/usr/local/bin/backup.sh',
    `curl -fsS -m 10 --retry 3 -o /dev/null "${url}/$?"`,
    '',
    '# an explicit failure:',
    `curl -fsS -m 10 --retry 3 -o /dev/null '${url}/fail'`,
    '',
  ].join('\n');
}
