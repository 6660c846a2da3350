import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { FirebreakDatabase, Param, Tx } from '../db/database.js';
import type { Database, JobsTable } from '../db/schema.js';
import type { IdGenerator } from '../ids.js';
import { serializePayload } from './job-payload.js';

/**
 * The SQL side of Firebreak's one durable job table (ARCHITECTURE.md, "Jobs"): add, remove, claim,
 * renew, complete and fail. The runner (`job-runner.ts`) decides *when* to call these; this module
 * decides what each means in the table, identically on SQLite and PostgreSQL.
 *
 * Row life cycle:
 *
 * ```
 *   add ──► pending (run_at) ──claim──► locked (locked_by, locked_until = now + lease, attempts + 1)
 *                ▲                          │ success: row deleted (only if its revision is unchanged)
 *                │                          │ failure: unlocked, run_at = now + backoff, last_error kept
 *                └──────────────────────────┤ failure with attempts used up: failed_at set, kept forever
 *                   lease expired: claimable again by any worker (counts as an attempt)
 * ```
 *
 * Work is at-least-once: a worker can die after a handler's side effects and before the row is deleted,
 * and the job then runs again when its lease expires. Handlers must therefore be idempotent.
 */

export const DEFAULT_MAX_ATTEMPTS = 25;

/** Anything Kysely can run the job SQL on: the root `Kysely` or a `Transaction` (which is one). */
export type JobExecutor = Kysely<Database>;

/**
 * Where to add or remove a job. Pass the caller's `Tx` whenever there is one: the job then commits or
 * rolls back with the state change that caused it (STYLE.md habit 9), and the runner is woken once the
 * transaction has committed.
 */
export type JobTarget = Tx | JobExecutor;

export interface JobSpec<P = unknown> {
  /** Names the handler, e.g. `escalate-alert`. */
  task: string;
  /** Plain JSON (checked on add). Omitted means `null`. */
  payload?: P;
  /**
   * At most one job exists per key: adding with an existing key replaces that job's task, payload,
   * run_at and max_attempts, resets its attempts and bumps its revision. Keys are global across tasks,
   * so prefix them with the task: `escalate-alert:01J…`.
   */
  key?: string | null;
  /** Epoch milliseconds; defaults to now. May be in the past (runs as soon as possible). */
  runAt?: number;
  /** Defaults to 25. */
  maxAttempts?: number;
  /**
   * For a job due now that someone is waiting on (a page's first delivery): written already claimed by
   * this process's runner, which starts it as soon as the transaction commits, with no claim and no
   * wait for a pass. Only inside a `Tx`, for a new row (not a replacement), while the runner runs and has
   * a free slot; otherwise the job is added as usual. If the process dies before it finishes, the lease
   * runs out and any worker claims it, as with every claimed job.
   */
  startOnCommit?: boolean;
}

export interface AddedJob {
  id: string;
  task: string;
  key: string | null;
  runAt: number;
  revision: number;
  /** True when an existing keyed job was replaced rather than a new row inserted. */
  replaced: boolean;
  /** True when this process's runner claimed it and starts it once the transaction commits (`JobSpec.startOnCommit`). */
  startsOnCommit?: boolean;
}

/** A job this worker holds the lock on. `revision` and `lockedBy` fence every later write. */
export interface ClaimedJob {
  id: string;
  task: string;
  key: string | null;
  /** JSON text. */
  payload: string;
  runAt: number;
  /** Including this attempt. */
  attempts: number;
  maxAttempts: number;
  revision: number;
  lockedBy: string;
  lockedUntil: number;
  /** The error of the previous attempt, if any. */
  lastError: string | null;
}

export interface QueueStats {
  /** Jobs that will still run, due or not, running or not (everything but failed jobs). */
  depth: number;
  /** Jobs due now and waiting for a worker (not running under a live lease). */
  due: number;
  /** How long the oldest waiting due job is past its run_at, in milliseconds; 0 when none waits. */
  lagMs: number;
  /** Jobs that used up their attempts. */
  failed: number;
}

/**
 * What happened to a claimed job's row when its attempt ended.
 * - `completed`: deleted (success) · `retry`: unlocked with a later run_at · `failed`: attempts used up
 * - `superseded`: the job was replaced while it ran; the new revision was unlocked and runs at its run_at
 * - `gone`: the row is no longer this claim's (removed, or reclaimed after this worker's lease expired)
 */
export type CompleteResult = 'completed' | 'superseded' | 'gone';
export type FailResult = 'retry' | 'failed' | 'superseded' | 'gone';

/** The narrow port feature modules depend on to schedule work. */
export interface JobScheduler {
  /**
   * Adds a job, or replaces the job with the same key (see `JobSpec.key`).
   *
   * @example
   *   await database.transaction(async (tx) => {
   *     await alerts.trigger(tx, alert);
   *     await jobs.addJob(tx, { task: 'escalate-alert', key: `escalate-alert:${alert.id}`, payload: { alertId: alert.id, fence: 1 }, runAt: now + 5 * 60_000 });
   *   });
   */
  addJob<P>(target: JobTarget, spec: JobSpec<P>): Promise<AddedJob>;
  /**
   * Cancels the pending job with this key. Returns false when there is none. A job that is running
   * right now keeps running (handlers cannot be interrupted from another process), but it is not
   * retried and its row is gone; failed jobs are kept for inspection.
   */
  removeJob(target: JobTarget, key: string): Promise<boolean>;
}

export interface JobQueue extends JobScheduler {
  /** Locks up to `limit` due jobs for `workerId` (see `claimStrategy` below). Ordered by run_at. */
  claim(options: { workerId: string; limit: number; leaseMs: number }): Promise<ClaimedJob[]>;
  /** Extends this worker's lock. False when the lock is no longer this worker's. */
  renewLease(job: ClaimedJob, leaseMs: number): Promise<boolean>;
  complete(job: ClaimedJob): Promise<CompleteResult>;
  /**
   * `complete` for several jobs in one write (the runner's group commit of finished jobs), with the same
   * fencing per job; results in the order given. Resolves once committed: a finished job's row needs no
   * wait for the disk (if it is lost, the job runs again, which handlers tolerate).
   */
  completeAll(jobs: readonly ClaimedJob[]): Promise<CompleteResult[]>;
  /**
   * `complete` inside the caller's transaction: the job's completion commits (or rolls back) with the
   * handler's own last writes, one commit instead of two (see `JobContext.completeIn`).
   */
  completeIn(tx: Tx, job: ClaimedJob): Promise<CompleteResult>;
  /**
   * Inserts a new job already locked by `lock.workerId` (its first attempt counted), in `tx`. `claimed`
   * is null when a job with the same key existed: it was replaced as `addJob` would, and keeps its own lock.
   */
  addClaimed(tx: Tx, spec: JobSpec, lock: { workerId: string; leaseMs: number }): Promise<{ added: AddedJob; claimed: ClaimedJob | null }>;
  /** Records a failed attempt: retried at `retryAt`, or marked failed when its attempts are used up. */
  fail(job: ClaimedJob, error: string, retryAt: number): Promise<FailResult>;
  /** The next instant something may become claimable (a run_at or a lease expiry), or null when the table is idle. */
  nextWakeAt(): Promise<number | null>;
  stats(): Promise<QueueStats>;
}

export interface JobQueueOptions {
  database: FirebreakDatabase;
  clock: Clock;
  ids: IdGenerator;
  /**
   * Called when a job was added and is visible to workers: right away for a plain executor, after
   * commit for a `Tx`. The runner uses it to wake up without waiting for its poll interval.
   */
  onAdded?: (job: AddedJob) => void;
  /**
   * `JobSpec.startOnCommit`: the runner of this process (`JobRunner.startOnCommit`), which writes the job
   * claimed and starts it once `tx` commits, or answers null (not running, no free slot: added as usual).
   * Without it (CLI commands, a process with no runner) such jobs are added as usual.
   */
  startOnCommit?: (tx: Tx, spec: JobSpec) => Promise<AddedJob | null>;
}

type Claim = (workerId: string, limit: number, leaseMs: number) => Promise<ClaimedJob[]>;

/** Room for a stack trace without letting one bad job bloat the table. */
const MAX_ERROR_LENGTH = 8_000;

/** Finished jobs deleted by one statement (two parameters each). */
const COMPLETE_CHUNK = 200;

/**
 * Builds the job queue over one database.
 *
 * @example
 *   const queue = createJobQueue({ database, clock, ids });
 *   await queue.addJob(database.db, { task: 'send-digest', payload: { teamId }, runAt: clock.now() + 60_000 });
 */
export function createJobQueue(options: JobQueueOptions): JobQueue {
  const { database, clock, ids, onAdded, startOnCommit } = options;
  const db = database.db;

  /** Due, not failed, and not held under a live lease. A lease that expired means its worker died. */
  const claimable = (now: number) => (eb: ExpressionBuilder<Database, 'jobs'>) =>
    eb.and([eb('failed_at', 'is', null), eb('run_at', '<=', now), eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)])]);
  /** `claimable` with `now` a precompiled query's parameter. */
  const claimableAt = (now: never) => claimable(now);

  const lockUpdate = (workerId: string, now: number, lockedUntil: number) => (eb: ExpressionBuilder<Database, 'jobs'>) => ({
    locked_by: workerId,
    locked_until: lockedUntil,
    // Counted at claim time, not at failure time: a worker that dies mid-job never records a failure,
    // yet its attempt must count, or a job that kills its worker would be retried forever.
    attempts: eb('attempts', '+', 1),
    updated_at: now,
  });

  /**
   * SQLite: one writer and (by design) one process, so a transaction that selects the due rows and then
   * locks them cannot interleave with another claim. Kysely's SQLite driver runs one transaction at a
   * time on its single connection.
   */
  const claimInTransaction: Claim = async (workerId, limit, leaseMs) => {
    const now = clock.now();
    // Nothing due (an idle runner's every pass): a plain read, no transaction.
    const due = await database.run(database.precompiled('jobs.anyDue', (db, p) => db.selectFrom('jobs').select('id').where(claimableAt(p('now'))).limit(1)), { now });
    if (due.rows.length === 0) return [];
    // One statement locks them, selected and updated at once; precompiled: it runs for every batch of jobs.
    const lock = database.precompiled('jobs.claim', (db, p) =>
      db
        .updateTable('jobs')
        .set(lockUpdate(p('workerId'), p('now'), p('lockedUntil')))
        .where('id', 'in', (eb) => eb.selectFrom('jobs').select('id').where(claimableAt(p('now'))).orderBy('run_at').orderBy('id').limit(p('limit')))
        .returningAll(),
    );
    // The claim returns once every row it read (a job added by a commit still being synced) is on disk
    // (ADR 0035): no job runs before the commit that added it is durable. Its own lease need not be: if a
    // power cut loses it, the job is claimable again at once and runs again (at least once).
    const { result, durable, seen } = await database.transactionSyncedLater(async (tx) => (await database.run<JobsTable>(lock, { workerId, now, lockedUntil: now + leaseMs, limit }, tx)).rows.map(toClaimed));
    durable.catch(() => {});
    await seen;
    return result;
  };

  /**
   * PostgreSQL: several nodes claim at once. `FOR UPDATE SKIP LOCKED` in the subquery makes each
   * claimer lock distinct rows without waiting on the others; without it, two concurrent UPDATEs could
   * both pick the same ids from their snapshots and run a job twice. One statement, so no transaction
   * (and no connection) is held while handlers run.
   */
  const claimWithSkipLocked: Claim = async (workerId, limit, leaseMs) => {
    const now = clock.now();
    const rows = await db
      .updateTable('jobs')
      .set(lockUpdate(workerId, now, now + leaseMs))
      .where('id', 'in', (eb) =>
        eb.selectFrom('jobs').select('id').where(claimable(now)).orderBy('run_at').orderBy('id').limit(limit).forUpdate().skipLocked(),
      )
      .returningAll()
      .execute();
    return rows.map(toClaimed);
  };

  // The one place the dialects differ (ARCHITECTURE.md: capabilities, not scattered ifs).
  const claimStrategy: Claim = database.capabilities.skipLocked ? claimWithSkipLocked : claimInTransaction;

  /**
   * Runs the writes that record a job's outcome. SQLite: in a transaction whose commit does not wait for
   * the disk on the main thread (ADR 0035), returning at commit: nothing outside the database acts on an
   * outcome, and one lost in a power cut only means the job runs again. PostgreSQL: the statements as
   * they are (each commits on its own, as before).
   */
  const recordOutcome = async <T>(work: (executor: JobExecutor) => Promise<T>): Promise<T> => {
    if (!database.capabilities.inProcess) return work(db);
    const { result, durable } = await database.transactionSyncedLater((tx) => work(tx.db));
    // Nobody waits for it: an outcome that never reaches the disk means the job runs again.
    durable.catch(() => {});
    return result;
  };

  /** Unlocks a job that was replaced while this worker ran its older revision, so the new one runs. */
  async function releaseSuperseded(job: ClaimedJob, executor: JobExecutor = db): Promise<boolean> {
    const result = await executor
      .updateTable('jobs')
      .set({ locked_by: null, locked_until: null, updated_at: clock.now() })
      .where('id', '=', job.id)
      .where('locked_by', '=', job.lockedBy)
      .where('revision', '<>', job.revision)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** See `JobQueue.completeAll`. */
  async function completeAll(jobs: readonly ClaimedJob[]): Promise<CompleteResult[]> {
    if (jobs.length === 0) return [];
    return recordOutcome(async (executor) => {
      const deleted = new Set<string>();
      for (let i = 0; i < jobs.length; i += COMPLETE_CHUNK) {
        const chunk = jobs.slice(i, i + COMPLETE_CHUNK);
        // Only the revision this worker ran is done. If the job was replaced meanwhile, the row now holds
        // a newer revision that must still run, so it is unlocked instead of deleted (below).
        const rows = await executor
          .deleteFrom('jobs')
          .where((eb) => eb.or(chunk.map((job) => eb.and([eb('id', '=', job.id), eb('revision', '=', job.revision)]))))
          .returning('id')
          .execute();
        for (const row of rows) deleted.add(row.id);
      }
      const results: CompleteResult[] = [];
      for (const job of jobs) results.push(deleted.has(job.id) ? 'completed' : (await releaseSuperseded(job, executor)) ? 'superseded' : 'gone');
      return results;
    });
  }

  /** Every column of a new job row, as parameters of a precompiled insert. */
  const rowParams = (p: Param): JobsTable => ({
    id: p('id'),
    task: p('task'),
    job_key: p('job_key'),
    payload: p('payload'),
    run_at: p('run_at'),
    attempts: p('attempts'),
    max_attempts: p('max_attempts'),
    revision: p('revision'),
    locked_by: p('locked_by'),
    locked_until: p('locked_until'),
    last_error: p('last_error'),
    failed_at: p('failed_at'),
    created_at: p('created_at'),
    updated_at: p('updated_at'),
  });
  const insertQuery = () => database.precompiled('jobs.insert', (db, p) => db.insertInto('jobs').values(rowParams(p)).returning(['id', 'revision', 'run_at']));
  // Replace in place, keeping the row's id and lock: if the old revision is running right now, its
  // worker still holds the lock, and on completion deletes the row only if the revision is the one it
  // claimed (see `complete`). So the replacement is never lost and never runs concurrently with the old
  // revision on a healthy worker.
  const upsertQuery = () =>
    database.precompiled('jobs.upsert', (db, p) =>
      db
        .insertInto('jobs')
        .values(rowParams(p))
        .onConflict((oc) =>
          oc.column('job_key').doUpdateSet((eb) => ({
            task: eb.ref('excluded.task'),
            payload: eb.ref('excluded.payload'),
            run_at: eb.ref('excluded.run_at'),
            max_attempts: eb.ref('excluded.max_attempts'),
            attempts: 0,
            revision: eb('jobs.revision', '+', 1),
            last_error: null,
            failed_at: null,
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .returning(['id', 'revision', 'run_at']),
    );

  /**
   * Inserts (or, for a key in use, replaces) a job row in `tx`: the hot path (a page's delivery job, an
   * escalation's timer), so built and compiled once.
   */
  async function insertIn(tx: Tx, values: JobsTable): Promise<Pick<JobsTable, 'id' | 'revision' | 'run_at'>> {
    const insert = values.job_key === null ? insertQuery() : upsertQuery();
    const [added] = (await database.run<Pick<JobsTable, 'id' | 'revision' | 'run_at'>>(insert, { ...values }, tx)).rows;
    if (!added) throw new Error(`Job \`${values.task}\`: the insert returned no row`);
    return added;
  }

  return {
    async addJob(target, spec) {
      if (spec.startOnCommit && startOnCommit && isTx(target)) {
        const started = await startOnCommit(target, spec);
        if (started) return started;
      }
      const executor = isTx(target) ? target.db : target;
      const now = clock.now();
      const values = validatedRow(spec, now, ids());
      let row: Pick<JobsTable, 'id' | 'revision' | 'run_at'>;
      if (isTx(target)) {
        row = await insertIn(target, values);
      } else if (values.job_key === null) {
        // NULL keys never conflict (SQL unique semantics), so keyless jobs are plain inserts.
        row = await executor.insertInto('jobs').values(values).returning(['id', 'revision', 'run_at']).executeTakeFirstOrThrow();
      } else {
        // As `upsertQuery` (see there), on an executor that is not a `Tx` of this database.
        row = await executor
          .insertInto('jobs')
          .values(values)
          .onConflict((oc) =>
            oc.column('job_key').doUpdateSet((eb) => ({
              task: eb.ref('excluded.task'),
              payload: eb.ref('excluded.payload'),
              run_at: eb.ref('excluded.run_at'),
              max_attempts: eb.ref('excluded.max_attempts'),
              attempts: 0,
              revision: eb('jobs.revision', '+', 1),
              last_error: null,
              failed_at: null,
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .returning(['id', 'revision', 'run_at'])
          .executeTakeFirstOrThrow();
      }
      // A freshly inserted row has revision 0; only an update bumps it.
      const added: AddedJob = { id: row.id, task: values.task, key: values.job_key, runAt: row.run_at, revision: row.revision, replaced: row.revision > 0 };
      if (onAdded) {
        if (isTx(target)) target.afterCommit(() => onAdded(added));
        // A bare `Transaction` has no commit hook; the job is found by the next poll instead.
        else if (!target.isTransaction) onAdded(added);
      }
      return added;
    },

    async addClaimed(tx, spec, lock) {
      const now = clock.now();
      const values = { ...validatedRow(spec, now, ids()), locked_by: lock.workerId, locked_until: now + lock.leaseMs, attempts: 1 };
      const added = await insertIn(tx, values);
      const replaced = added.revision > 0;
      return {
        added: { id: added.id, task: values.task, key: values.job_key, runAt: added.run_at, revision: added.revision, replaced },
        claimed: replaced ? null : toClaimed({ ...values, id: added.id, revision: 0 }),
      };
    },

    async removeJob(target, key) {
      if (isTx(target)) {
        const remove = database.precompiled('jobs.removeByKey', (db, p) => db.deleteFrom('jobs').where('job_key', '=', p('key')).where('failed_at', 'is', null));
        return (await database.run(remove, { key }, target)).numAffectedRows > 0;
      }
      const executor = target;
      const result = await executor.deleteFrom('jobs').where('job_key', '=', key).where('failed_at', 'is', null).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async claim({ workerId, limit, leaseMs }) {
      if (limit < 1) return [];
      const claimed = await claimStrategy(workerId, limit, leaseMs);
      // RETURNING order is unspecified; hand jobs out oldest first.
      return claimed.sort((a, b) => a.runAt - b.runAt || (a.id < b.id ? -1 : 1));
    },

    async renewLease(job, leaseMs) {
      const now = clock.now();
      // No revision check: while an old revision runs, this worker keeps holding the row for the new one,
      // so the replacement waits for the old run to finish instead of running beside it.
      const result = await db
        .updateTable('jobs')
        .set({ locked_until: now + leaseMs, updated_at: now })
        .where('id', '=', job.id)
        .where('locked_by', '=', job.lockedBy)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async complete(job) {
      const [result] = await completeAll([job]);
      return result as CompleteResult;
    },

    completeAll,

    async completeIn(tx, job) {
      const remove = database.precompiled('jobs.completeOne', (db, p) => db.deleteFrom('jobs').where('id', '=', p('id')).where('revision', '=', p('revision')).returning('id'));
      if ((await database.run(remove, { id: job.id, revision: job.revision }, tx)).rows.length > 0) return 'completed';
      return (await releaseSuperseded(job, tx.db)) ? 'superseded' : 'gone';
    },

    async fail(job, error, retryAt) {
      const now = clock.now();
      const lastError = error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH)}…` : error;
      const exhausted = job.attempts >= job.maxAttempts;
      return recordOutcome(async (executor) => {
        // Fenced by revision and lock holder: a failure of an old revision must not push back or fail the
        // replacement, and a worker whose lease expired must not unlock the worker that took over.
        const result = await executor
          .updateTable('jobs')
          .set(
            exhausted
              ? { failed_at: now, last_error: lastError, locked_by: null, locked_until: null, updated_at: now }
              : { run_at: retryAt, last_error: lastError, locked_by: null, locked_until: null, updated_at: now },
          )
          .where('id', '=', job.id)
          .where('revision', '=', job.revision)
          .where('locked_by', '=', job.lockedBy)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) > 0) return exhausted ? 'failed' : 'retry';
        return (await releaseSuperseded(job, executor)) ? 'superseded' : 'gone';
      });
    },

    async nextWakeAt() {
      // Two reads along the (failed_at, run_at) index instead of one over every pending row (the runner
      // asks after each pass, and thousands of escalation timers wait minutes ahead): the earliest run_at
      // still to come, and among the rows already due (jobs running now, or not yet claimed) the earliest
      // lease expiry or run_at. A row due later whose lease ends sooner counts from its run_at, when it
      // really becomes claimable.
      const now = clock.now();
      const later = database.precompiled('jobs.nextRunAt', (db, p) => db.selectFrom('jobs').select('run_at').where('failed_at', 'is', null).where('run_at', '>', p('now')).orderBy('run_at').limit(1));
      const due = database.precompiled('jobs.nextOfDue', (db, p) =>
        db
          .selectFrom('jobs')
          .select((eb) => eb.fn.min<number | null>(eb.fn.coalesce('locked_until', 'run_at')).as('next'))
          .where('failed_at', 'is', null)
          .where('run_at', '<=', p('now')),
      );
      const [next, dueNext] = await Promise.all([database.run<{ run_at: number }>(later, { now }), database.run<{ next: number | null }>(due, { now })]);
      const candidates = [next.rows[0]?.run_at, dueNext.rows[0]?.next].filter((v): v is number => v !== undefined && v !== null).map(Number);
      return candidates.length === 0 ? null : Math.min(...candidates);
    },

    async stats() {
      const now = clock.now();
      const row = await db
        .selectFrom('jobs')
        .select((eb) => {
          const waiting = claimable(now)(eb);
          return [
            eb.fn.count<number>(eb.case().when('failed_at', 'is', null).then(eb.lit(1)).end()).as('depth'),
            eb.fn.count<number>(eb.case().when(waiting).then(eb.lit(1)).end()).as('due'),
            eb.fn.min<number | null>(eb.case().when(waiting).then(eb.ref('run_at')).end()).as('oldest_due'),
            eb.fn.count<number>('failed_at').as('failed'),
          ];
        })
        .executeTakeFirstOrThrow();
      const oldestDue = row.oldest_due === null ? null : Number(row.oldest_due);
      return {
        depth: Number(row.depth),
        due: Number(row.due),
        lagMs: oldestDue === null ? 0 : Math.max(0, now - oldestDue),
        failed: Number(row.failed),
      };
    },
  };
}

function isTx(target: JobTarget): target is Tx {
  return 'afterCommit' in target;
}

function validatedRow(spec: JobSpec, now: number, id: string): JobsTable {
  if (typeof spec.task !== 'string' || spec.task.trim() === '') throw new TypeError('Job task must be a non-empty string');
  const key = spec.key ?? null;
  if (key !== null && (typeof key !== 'string' || key === '')) throw new TypeError(`Job \`${spec.task}\` key must be a non-empty string or omitted`);
  const runAt = spec.runAt ?? now;
  if (!Number.isSafeInteger(runAt)) throw new TypeError(`Job \`${spec.task}\` runAt must be whole epoch milliseconds, got ${runAt}`);
  const maxAttempts = spec.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) throw new TypeError(`Job \`${spec.task}\` maxAttempts must be a whole number >= 1, got ${maxAttempts}`);
  return {
    id,
    task: spec.task,
    job_key: key,
    payload: serializePayload(spec.task, spec.payload),
    run_at: runAt,
    attempts: 0,
    max_attempts: maxAttempts,
    revision: 0,
    locked_by: null,
    locked_until: null,
    last_error: null,
    failed_at: null,
    created_at: now,
    updated_at: now,
  };
}

function toClaimed(row: JobsTable): ClaimedJob {
  return {
    id: row.id,
    task: row.task,
    key: row.job_key,
    payload: row.payload,
    runAt: Number(row.run_at),
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    revision: row.revision,
    lockedBy: row.locked_by ?? '',
    lockedUntil: Number(row.locked_until),
    lastError: row.last_error,
  };
}
