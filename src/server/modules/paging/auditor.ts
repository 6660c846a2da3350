import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { JobScheduler, JobTarget } from '../../platform/jobs/job-queue.js';
import type { JobRunner } from '../../platform/jobs/job-runner.js';
import type { Logger } from '../../platform/logger.js';
import type { PagingMetrics } from '../../platform/metrics.js';
import { stepJobKey, timerGeneration, type EscalationRepair, type PagingService } from './paging.service.js';

/**
 * The escalation auditor (docs/paging.md, ADR 0024): a second line of defence behind the engine's own
 * guarantees (ADR 0022). Every minute it looks for escalations that cannot move on by themselves and
 * repairs them with the paging service's own pieces (`PagingService.repairIn`):
 *
 * - **lost timer**: an active escalation of a triggered, high-urgency, unsuppressed alert whose keyed
 *   `escalation.step:<alert>` job is missing, failed, or set for another generation. Its timer is added
 *   again at the state's own next step (due now when that is past), so a repair never pages a level
 *   early, and a replayed timer stays a no-op through the generation fence;
 * - **never started**: a triggered, high-urgency, unsuppressed, undeferred alert created more than
 *   {@link AUDIT_START_GRACE_MS} ago (and within {@link AUDIT_START_LOOKBACK_MS}) that should page (its
 *   service has a policy, or it is assigned) but has no escalation at all. It is started as the trigger
 *   would have started it.
 *
 * Each repair commits in its own transaction with a timeline entry on the alert ("Escalation was stuck
 * for N s …; repaired by the auditor"), and is logged at WARN and counted in
 * `firebreak_escalation_auditor_repairs_total` (alert on it: a repair means a bug or lost data).
 *
 * The scan reads only active escalations (few) and the step jobs by their unique key, so it stays cheap
 * with many alerts; it is one keyed job re-adding itself, so exactly one is pending across nodes.
 */

export const ESCALATION_AUDIT_TASK = 'escalation.audit';
/** How often the auditor runs: the longest a lost timer stays lost. */
export const AUDIT_INTERVAL_MS = 60_000;
/** An alert that should page gets this long to have started its escalation before it counts as stuck. */
export const AUDIT_START_GRACE_MS = 2 * 60_000;
/** Alerts older than this without an escalation are left alone (for example ones from before paging existed). */
export const AUDIT_START_LOOKBACK_MS = 24 * 60 * 60_000;
/** Repairs per run; the rest wait one interval (a flood of repairs is a bug to look at, not to race). */
export const AUDIT_MAX_REPAIRS = 200;

/** Retries about a day, at most one interval apart, like the handoff scan; a restart adds it again anyway. */
const AUDIT_MAX_ATTEMPTS = 1440;
const AUDIT_BACKOFF = { baseMs: 5_000, capMs: AUDIT_INTERVAL_MS };
/** Step jobs are looked up this many keys at a time. */
const KEY_CHUNK = 500;

export interface AuditorDeps {
  database: FirebreakDatabase;
  clock: Clock;
  jobs: JobScheduler;
  paging: PagingService;
  metrics: PagingMetrics;
  logger: Logger;
}

export interface AuditResult {
  /** Alerts that looked stuck when read. */
  suspects: number;
  repairs: Array<EscalationRepair & { alertId: string }>;
}

export interface EscalationAuditor {
  /** One audit now (the `escalation.audit` job), then its next run in one interval. */
  audit(): Promise<AuditResult>;
}

export function createEscalationAuditor(deps: AuditorDeps): EscalationAuditor {
  const { database, clock, jobs, paging, metrics, logger } = deps;

  /** Alerts whose escalation looks stuck, read without a transaction; `repairIn` checks each again under the fence. */
  async function suspects(now: number): Promise<string[]> {
    const db = database.db;
    const active = await db
      .selectFrom('escalations as e')
      .innerJoin('alerts as a', 'a.id', 'e.alert_id')
      .select(['e.alert_id', 'e.generation'])
      .where('e.status', '=', 'active')
      .where('a.status', '=', 'triggered')
      .where('a.urgency', '=', 'high')
      .where('a.suppressed_json', 'is', null)
      .execute();
    const out: string[] = [];
    for (let i = 0; i < active.length; i += KEY_CHUNK) {
      const chunk = active.slice(i, i + KEY_CHUNK);
      const timers = await db
        .selectFrom('jobs')
        .select(['job_key', 'payload', 'failed_at'])
        .where('job_key', 'in', chunk.map((r) => stepJobKey(r.alert_id)))
        .execute();
      const byKey = new Map(timers.map((j) => [j.job_key, j]));
      for (const r of chunk) {
        const job = byKey.get(stepJobKey(r.alert_id));
        if (!job || job.failed_at !== null || timerGeneration(job.payload) !== r.generation) out.push(r.alert_id);
      }
    }
    const unstarted = await db
      .selectFrom('alerts as a')
      .innerJoin('services as s', 's.id', 'a.service_id')
      .leftJoin('escalations as e', 'e.alert_id', 'a.id')
      .select(['a.id'])
      .where('e.alert_id', 'is', null)
      .where('a.status', '=', 'triggered')
      .where('a.urgency', '=', 'high')
      .where('a.suppressed_json', 'is', null)
      .where('a.deliver_at', 'is', null)
      .where('a.created_at', '<=', now - AUDIT_START_GRACE_MS)
      .where('a.created_at', '>', now - AUDIT_START_LOOKBACK_MS)
      .where((eb) => eb.or([eb('s.escalation_policy_id', 'is not', null), eb('a.assignee_json', 'is not', null)]))
      .orderBy('a.created_at')
      .limit(AUDIT_MAX_REPAIRS)
      .execute();
    for (const r of unstarted) out.push(r.id);
    return out.slice(0, AUDIT_MAX_REPAIRS);
  }

  async function audit(): Promise<AuditResult> {
    const now = clock.now();
    const found = await suspects(now);
    const repairs: AuditResult['repairs'] = [];
    for (const alertId of found) {
      const repair = await database.transaction((tx) => paging.repairIn(tx, alertId));
      if (repair === null) continue;
      repairs.push({ alertId, ...repair });
      metrics.auditorRepairs.inc();
      const seconds = Math.round(repair.stuckMs / 1000);
      logger.warn(
        { alertId, repair: repair.kind, stuckSeconds: seconds, nextAt: repair.nextAt === null ? null : new Date(repair.nextAt).toISOString() },
        repair.kind === 'started' ? `Escalation for alert ${alertId} never started (${seconds} s); started by the auditor` : `Escalation for alert ${alertId} had lost its step timer (stuck for ${seconds} s); repaired by the auditor`,
      );
    }
    await scheduleEscalationAudit(jobs, database.db, now + AUDIT_INTERVAL_MS);
    return { suspects: found.length, repairs };
  }

  return { audit };
}

/**
 * Makes sure the audit job exists, due at `runAt`: called on every start (due now) and by each run for
 * the next one. Keyed, so this replaces the pending audit rather than adding a second.
 */
export async function scheduleEscalationAudit(jobs: JobScheduler, target: JobTarget, runAt: number): Promise<void> {
  await jobs.addJob(target, { task: ESCALATION_AUDIT_TASK, key: ESCALATION_AUDIT_TASK, runAt, maxAttempts: AUDIT_MAX_ATTEMPTS });
}

/** Registers the audit handler on this process's runner. */
export function registerEscalationAuditor(runner: JobRunner, auditor: EscalationAuditor, logger: Logger): void {
  runner.register(
    ESCALATION_AUDIT_TASK,
    async () => {
      const result = await auditor.audit();
      if (result.suspects > result.repairs.length) logger.debug({ suspects: result.suspects, repaired: result.repairs.length }, 'escalation audit: some suspects had moved on by themselves');
    },
    { backoff: AUDIT_BACKOFF },
  );
}
