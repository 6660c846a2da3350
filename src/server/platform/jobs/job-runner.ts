import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import type { FirebreakDatabase, Tx } from '../db/database.js';
import type { IdGenerator } from '../ids.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { backoffDelay, resolveBackoff, type BackoffPolicy, type RandomSource } from './backoff.js';
import { createJobQueue, type AddedJob, type ClaimedJob, type CompleteResult, type JobQueue, type JobScheduler, type JobSpec, type QueueStats } from './job-queue.js';

/** What a handler learns about the job it runs. */
export interface JobInfo {
  id: string;
  task: string;
  key: string | null;
  /** 1 on the first attempt; a reclaim after a worker died counts too. */
  attempts: number;
  maxAttempts: number;
  /** When the job was due (epoch ms). */
  runAt: number;
  /** Bumped each time a keyed job is replaced. */
  revision: number;
}

export interface JobContext<P = unknown> {
  payload: P;
  job: JobInfo;
  /**
   * Aborted when this worker lost the job's lock (another worker may now run it) or when a graceful
   * shutdown timed out. Pass it to fetch/timers and stop early when it fires.
   */
  signal: AbortSignal;
  /**
   * Records the job as done inside the handler's last transaction, so the handler's writes and the job's
   * completion commit together: one commit instead of two on hot paths (a page's delivery, an escalation
   * step). Fenced like the runner's own completion: only the revision claimed is deleted, and a
   * replacement added meanwhile is unlocked to run instead. Call it in a transaction that has committed
   * by the time the handler returns. If that transaction rolls back, it is as if it had not been called:
   * call it again in the transaction that retries the work, or let the handler throw (the attempt fails)
   * or return (the runner then records the completion itself).
   */
  completeIn(tx: Tx): Promise<void>;
}

/**
 * Runs one job. Throw (or reject) to fail the attempt; it is retried with backoff until its attempts are
 * used up.
 *
 * Handlers MUST be idempotent: delivery is at-least-once. A worker can finish the side effects and die
 * before the row is deleted, a slow handler can outlive its lease, and a keyed job can be replaced while
 * it runs; in each case the same or an equivalent payload runs again. Make a repeat a no-op: check state
 * before acting (a fencing token in the payload for timers, an idempotency key for deliveries).
 * The payload type `P` is not checked at run time; it was written by whichever release added the job.
 */
export type JobHandler<P = unknown> = (context: JobContext<P>) => Promise<void> | void;

export interface TaskOptions {
  /** Retry delays for this task; defaults to 1 s doubling up to 1 h. */
  backoff?: Partial<BackoffPolicy>;
}

/** How one attempt ended, as counted in `firebreak_jobs_completed_total`. */
export type JobOutcomeKind = 'success' | 'retry' | 'failed';

export interface JobOutcome {
  id: string;
  task: string;
  key: string | null;
  attempts: number;
  outcome: JobOutcomeKind;
  /** The failure recorded as `last_error`, or null on success. */
  error: string | null;
}

export interface JobRunnerStats extends QueueStats {
  /** When the runner last finished a pass (epoch ms), or null before the first. `/readyz` checks it is recent. */
  lastLoopAt: number | null;
}

export interface JobRunnerOptions {
  database: FirebreakDatabase;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  ids: IdGenerator;
  /** Jobs run at once by this runner. Default 4. */
  concurrency?: number;
  /** Longest sleep between passes when nothing is due sooner and nothing wakes the runner. Default 1000. */
  pollIntervalMs?: number;
  /** How long a claim lasts without renewal. Renewed every third of it while the handler runs. Default 60 s. */
  leaseMs?: number;
  /** Numbers in [0, 1) for backoff jitter. Default `Math.random`. */
  random?: RandomSource;
  /** Stored in `locked_by`; unique per process. Default `host:pid:suffix`. */
  workerId?: string;
}

export interface JobRunner extends JobScheduler {
  readonly workerId: string;
  /**
   * Registers the handler for a task. One handler per task.
   *
   * @example
   *   runner.register<{ alertId: string; fence: number }>('escalate-alert', async ({ payload }) => {
   *     await escalation.step(payload.alertId, payload.fence); // a stale fence makes this a no-op
   *   });
   */
  register<P>(task: string, handler: JobHandler<P>, options?: TaskOptions): void;
  /** Starts the background loop (real timers). Idempotent. */
  start(): void;
  /**
   * Stops claiming, then waits up to `timeoutMs` (default 10 s) for jobs in flight. Jobs still running
   * after that get their signal aborted and keep their lock until the lease expires, when another worker
   * (or this one after a restart) runs them again. Resolves with how many were left unfinished.
   */
  stop(options?: { timeoutMs?: number }): Promise<{ unfinished: number }>;
  /** Asks the loop for a pass now instead of at its next timer. Cheap; called after commits that add due jobs. */
  wake(): void;
  /**
   * `JobSpec.startOnCommit` for queues outside the runner (`JobQueueOptions.startOnCommit`): writes the
   * job claimed by this runner in `tx` and starts it once `tx` commits. Null, having written nothing,
   * when the runner is not running, the job is not due yet, or every slot is taken.
   */
  startOnCommit(tx: Tx, spec: JobSpec): Promise<AddedJob | null>;
  /**
   * Claims and runs every job due at `clock.now()` (including jobs that become due through replacement
   * while it runs), in batches of `concurrency`, and resolves when they have finished. For tests with a
   * `ManualClock` and for one-shot tools; not meant to be combined with `start()`.
   */
  runDueJobs(): Promise<JobOutcome[]>;
  /** Renews the lease of every job this runner is running. Called on a timer; exposed for tests. */
  renewLeases(): Promise<void>;
  /** Queue numbers for `/readyz` and `/metrics`; also publishes them through `metrics.setJobQueue`. */
  stats(): Promise<JobRunnerStats>;
}

interface Registration {
  handler: JobHandler;
  backoff: BackoffPolicy;
}

/** A claimed job this runner is running: its lock is renewed and its signal can be aborted. */
interface Lease {
  job: ClaimedJob;
  controller: AbortController;
}

interface RunningJob extends Lease {
  done: Promise<JobOutcome>;
}

/**
 * When a pass claimed nothing although a job is due (on PostgreSQL another transaction may hold it for a
 * moment), wait this long before looking again rather than spinning.
 */
const MIN_IDLE_MS = 25;

/** Most finished jobs recorded in one write. */
const COMPLETION_BATCH = 256;

/**
 * Builds the job runner: one per process. Feature modules get it as a `JobScheduler` to add jobs and
 * register their handlers at composition time.
 *
 * Scheduling: after each pass the loop sleeps until the earliest future run_at or lease expiry, or
 * `pollIntervalMs`, whichever is sooner; `wake()` (called after a transaction that added a due job has
 * committed) cuts the sleep short, so the hot path (trigger → escalate → page) never waits for a poll.
 * The poll still matters: it picks up jobs added by other nodes and leases that expired.
 *
 * @example
 *   const jobs = createJobRunner({ database, clock: systemClock, logger, metrics, ids, concurrency: config.jobConcurrency, pollIntervalMs: config.jobPollMs });
 *   jobs.register('deliver-notification', deliverNotification);
 *   jobs.start();
 *   // on shutdown:
 *   await jobs.stop({ timeoutMs: config.shutdownTimeoutMs });
 */
export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { database, clock, metrics, ids } = options;
  const concurrency = positiveInteger(options.concurrency ?? 4, 'concurrency');
  const pollIntervalMs = positiveInteger(options.pollIntervalMs ?? 1_000, 'pollIntervalMs');
  const leaseMs = positiveInteger(options.leaseMs ?? 60_000, 'leaseMs');
  const random = options.random ?? Math.random;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${ids().slice(-6)}`;
  // The composition root scopes the logger (component: 'jobs'); each line also names this worker.
  const logger = options.logger.child({ workerId });
  const defaultBackoff = resolveBackoff(undefined, 'the job runner');

  const registrations = new Map<string, Registration>();
  const inFlight = new Set<RunningJob>();
  let state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  let loopDone: Promise<void> = Promise.resolve();
  let wakeRequested = false;
  /**
   * Set when due jobs may be waiting for a slot (the last pass filled every slot, or a job could not
   * start on commit for want of one): a finishing job then wakes the loop to claim the next. Otherwise a
   * finishing job leaves the loop asleep: an idle pass after every job would cost more than the jobs.
   */
  let saturated = false;
  let interruptSleep: (() => void) | null = null;
  let lastLoopAt: number | null = null;

  const queue: JobQueue = createJobQueue({
    database,
    clock,
    ids,
    // Due now or before the loop would look anyway: wake it. Later jobs are found by a regular pass.
    onAdded: (job) => {
      if (job.runAt <= clock.now() + pollIntervalMs) wake();
    },
    startOnCommit: (tx, spec) => addStartingOnCommit(tx, spec),
  });

  const claimingAllowed = () => state === 'idle' || state === 'running';

  /**
   * Group commit of finished jobs: a job that finishes while the previous batch is being written waits
   * for the next one, which records every job that finished meanwhile in one write (one transaction on
   * SQLite). No timer: a lone job is recorded at once (after the current microtasks, so jobs finishing
   * together share the first write). Each job keeps its own fencing (`completeAll`).
   */
  const finished: Array<{ job: ClaimedJob; resolve: (result: CompleteResult) => void; reject: (error: unknown) => void }> = [];
  let recording = false;

  function recordCompletion(job: ClaimedJob): Promise<CompleteResult> {
    return new Promise((resolve, reject) => {
      finished.push({ job, resolve, reject });
      if (!recording) {
        recording = true;
        queueMicrotask(() => void recordFinished());
      }
    });
  }

  async function recordFinished(): Promise<void> {
    try {
      while (finished.length > 0) {
        const batch = finished.splice(0, COMPLETION_BATCH);
        try {
          const results = await queue.completeAll(batch.map((entry) => entry.job));
          batch.forEach((entry, i) => entry.resolve(results[i] as CompleteResult));
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      recording = false;
    }
  }

  function wake(): void {
    wakeRequested = true;
    interruptSleep?.();
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        interruptSleep = null;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      interruptSleep = finish;
    });
  }

  async function loop(): Promise<void> {
    while (state === 'running') {
      wakeRequested = false;
      let delay = pollIntervalMs;
      try {
        const free = concurrency - inFlight.size;
        saturated = free <= 0;
        if (free > 0) {
          const claimed = await queue.claim({ workerId, limit: free, leaseMs });
          saturated = claimed.length >= free;
          for (const job of claimed) startJob(job);
          if (claimed.length < free) {
            // Everything due was claimed: sleep until the next job is due or a lease expires.
            const next = await queue.nextWakeAt();
            if (next !== null) {
              const until = next - clock.now();
              delay = Math.min(pollIntervalMs, until > 0 ? until : claimed.length > 0 ? 0 : MIN_IDLE_MS);
            }
          }
          // Otherwise every slot is busy; a finishing job wakes the loop.
        }
        lastLoopAt = clock.now();
      } catch (error) {
        logger.error({ err: error }, 'Job runner pass failed; trying again after the poll interval');
      }
      if (state !== 'running') break;
      if (wakeRequested || delay === 0) continue;
      await sleep(delay);
    }
  }

  function startJob(job: ClaimedJob): RunningJob {
    const lease: Lease = { job, controller: new AbortController() };
    const running: RunningJob = {
      ...lease,
      done: execute(lease).finally(() => {
        inFlight.delete(running);
        if (state === 'running' && saturated) wake();
      }),
    };
    inFlight.add(running);
    return running;
  }

  async function execute(lease: Lease): Promise<JobOutcome> {
    const { job, controller } = lease;
    const registration = registrations.get(job.task);
    const started = performance.now();
    const renewal = setInterval(() => void renew(lease), Math.max(250, Math.floor(leaseMs / 3)));
    renewal.unref();
    let result: JobOutcome;
    try {
      let failure: unknown = null;
      let completedIn: CompleteResult | null = null;
      const completeIn = async (tx: Tx) => {
        if (completedIn !== null) throw new Error(`Job \`${job.task}\` ${job.id}: completeIn was called twice`);
        completedIn = await queue.completeIn(tx, job);
        // Rolled back (a group commit's batch that failed): the handler may complete it again in a retry.
        tx.afterRollback(() => (completedIn = null));
      };
      try {
        await runHandler(job, registration, controller.signal, completeIn);
      } catch (error) {
        failure = error;
      }
      result = failure !== null ? await recordFailure(job, failure, registration?.backoff ?? defaultBackoff) : recordedSuccess(job, completedIn ?? (await recordCompletion(job)));
    } catch (storageError) {
      // The outcome could not be written (database unreachable). The row stays locked; when the lease
      // expires the job runs again, which idempotent handlers tolerate.
      logger.error({ err: storageError, jobId: job.id, task: job.task }, 'Could not record a job outcome; it runs again after its lease expires');
      result = outcome(job, 'retry', describeError(storageError));
    } finally {
      clearInterval(renewal);
    }
    metrics.jobDuration.observe({ task: job.task }, (performance.now() - started) / 1000);
    metrics.jobsCompleted.inc({ task: job.task, outcome: result.outcome });
    return result;
  }

  async function runHandler(job: ClaimedJob, registration: Registration | undefined, signal: AbortSignal, completeIn: (tx: Tx) => Promise<void>): Promise<void> {
    if (job.attempts > job.maxAttempts) {
      // Reached only through reclaims: the worker running the last allowed attempt stopped before
      // recording an outcome (crash, kill -9, node loss) and its lease expired.
      throw new Error(
        `Job \`${job.task}\` ${job.id} used up its ${job.maxAttempts} attempts: the worker running the last one stopped before finishing and its lease expired` +
          (job.lastError ? `; previous error: ${job.lastError}` : ''),
      );
    }
    if (!registration) {
      // Counted as a failed attempt and retried rather than failed at once: during a rolling upgrade of
      // several nodes, a node running the newer release may know this task.
      throw new Error(`No handler is registered for task \`${job.task}\` on worker ${workerId} (job ${job.id}); register one with runner.register('${job.task}', handler)`);
    }
    const payload: unknown = JSON.parse(job.payload);
    const info: JobInfo = { id: job.id, task: job.task, key: job.key, attempts: job.attempts, maxAttempts: job.maxAttempts, runAt: job.runAt, revision: job.revision };
    await registration.handler({ payload, job: info, signal, completeIn });
  }

  function recordedSuccess(job: ClaimedJob, result: CompleteResult): JobOutcome {
    // Its replacement, unlocked just now, may be due already.
    if (result === 'superseded' && state === 'running') wake();
    // Routine for recurring jobs that re-add their own key while running; debug, not info.
    if (result === 'superseded') logger.debug({ jobId: job.id, task: job.task, key: job.key }, 'Job finished an older revision; its replacement stays scheduled');
    if (result === 'gone') logger.warn({ jobId: job.id, task: job.task }, 'Job finished after its row was removed or taken over by another worker');
    return outcome(job, 'success', null);
  }

  async function recordFailure(job: ClaimedJob, failure: unknown, backoff: BackoffPolicy): Promise<JobOutcome> {
    const message = describeError(failure);
    // A failure may say how long to wait (a provider's Retry-After, `ChannelError.retryAfterMs`): never sooner.
    const retryAt = clock.now() + Math.max(backoffDelay(job.attempts, backoff, random), askedWait(failure));
    const result = await queue.fail(job, message, retryAt);
    const fields = { jobId: job.id, task: job.task, key: job.key, attempts: job.attempts, maxAttempts: job.maxAttempts, err: failure };
    if (result === 'failed') {
      logger.error(fields, 'Job failed and used up its attempts; it stays in the jobs table for inspection');
      return outcome(job, 'failed', message);
    }
    if (result === 'retry') logger.warn({ ...fields, retryAt }, 'Job attempt failed; retrying later');
    else logger.info(fields, 'Job attempt failed, but the job was replaced or removed meanwhile; nothing to retry for this revision');
    // `superseded` and `gone` are not the job's failure: its newer revision (if any) runs on its own schedule.
    return outcome(job, 'retry', message);
  }

  async function renew(running: Lease): Promise<void> {
    if (running.controller.signal.aborted) return;
    try {
      if (!(await queue.renewLease(running.job, leaseMs))) {
        logger.warn({ jobId: running.job.id, task: running.job.task }, 'Lost the lock on a running job (removed, or reclaimed after the lease expired); aborting its signal');
        running.controller.abort(new Error(`Worker ${workerId} no longer holds the lock on job ${running.job.id}`));
      }
    } catch (error) {
      // Keep running: the next renewal may succeed well before the lease (three renewals long) expires.
      logger.warn({ err: error, jobId: running.job.id }, 'Could not renew a job lease');
    }
  }

  /** Jobs written claimed by a transaction not yet committed (`startOnCommit`): they hold a slot. */
  let starting = 0;
  /** Called when one of them commits or rolls back (`stop` waits for them). */
  let startingSettled: (() => void) | null = null;

  /** `JobSpec.startOnCommit`: claimed in the caller's transaction, started once it commits. */
  async function addStartingOnCommit(tx: Tx, spec: JobSpec): Promise<AddedJob | null> {
    const now = clock.now();
    if (state !== 'running' || (spec.runAt ?? now) > now) return null;
    if (inFlight.size + starting >= concurrency) {
      saturated = true;
      return null;
    }
    starting++;
    let settled = false;
    const release = () => {
      if (!settled) starting--;
      settled = true;
      startingSettled?.();
    };
    let result: { added: AddedJob; claimed: ClaimedJob | null };
    try {
      result = await queue.addClaimed(tx, spec, { workerId, leaseMs });
    } catch (error) {
      release();
      throw error;
    }
    tx.afterRollback(release);
    const { added, claimed } = result;
    if (claimed === null) {
      // It replaced an existing job, which keeps that job's lock: found by a pass as usual.
      release();
      tx.afterCommit(wake);
      return added;
    }
    tx.afterCommit(() => {
      release();
      // While stopping too: `stop` waits for it like any job in flight. Once stopped, the row stays locked
      // to this worker until its lease runs out, and then any worker runs it.
      if (state !== 'stopped') startJob(claimed);
    });
    return { ...added, startsOnCommit: true };
  }

  return {
    workerId,
    addJob: (target, spec) => queue.addJob(target, spec),
    startOnCommit: addStartingOnCommit,
    removeJob: (target, key) => queue.removeJob(target, key),

    register(task, handler, taskOptions = {}) {
      if (registrations.has(task)) throw new Error(`A handler for task \`${task}\` is already registered`);
      registrations.set(task, { handler: handler as JobHandler, backoff: resolveBackoff(taskOptions.backoff, `task \`${task}\``) });
    },

    start() {
      if (state === 'running') return;
      if (state === 'stopping') throw new Error('The job runner is stopping; wait for stop() before starting it again');
      state = 'running';
      loopDone = loop();
    },

    async stop({ timeoutMs = 10_000 } = {}) {
      if (state === 'idle' || state === 'running') state = 'stopping';
      wake();
      await loopDone;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(resolve, timeoutMs, 'timeout');
      });
      try {
        // Loop: jobs claimed by a `runDueJobs` batch in progress may join while we wait, and so may jobs
        // written claimed by a transaction still committing (`startOnCommit`): left unstarted, they
        // would wait for their lease to run out.
        while (inFlight.size > 0 || starting > 0) {
          const settledOne = new Promise<void>((resolve) => (startingSettled = resolve));
          const running = inFlight.size > 0 ? [Promise.allSettled([...inFlight].map((r) => r.done))] : [];
          const settled = await Promise.race([...running, settledOne, deadline]);
          if (settled === 'timeout') break;
        }
        startingSettled = null;
      } finally {
        clearTimeout(timer);
      }
      const unfinished = inFlight.size;
      if (unfinished > 0) {
        logger.warn({ unfinished }, 'Job runner stopped with jobs still running; they run again once their leases expire');
        for (const running of inFlight) running.controller.abort(new Error(`Job runner ${workerId} stopped before job ${running.job.id} finished`));
      }
      state = 'stopped';
      return { unfinished };
    },

    wake,

    async runDueJobs() {
      const outcomes: JobOutcome[] = [];
      while (claimingAllowed()) {
        const claimed = await queue.claim({ workerId, limit: concurrency, leaseMs });
        if (claimed.length === 0) break;
        outcomes.push(...(await Promise.all(claimed.map((job) => startJob(job).done))));
      }
      lastLoopAt = clock.now();
      return outcomes;
    },

    async renewLeases() {
      await Promise.all([...inFlight].map(renew));
    },

    async stats() {
      const queueStats = await queue.stats();
      metrics.setJobQueue(queueStats.depth, queueStats.lagMs / 1000, queueStats.failed);
      return { ...queueStats, lastLoopAt };
    },
  };
}

function outcome(job: ClaimedJob, kind: JobOutcomeKind, error: string | null): JobOutcome {
  return { id: job.id, task: job.task, key: job.key, attempts: job.attempts, outcome: kind, error };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`Job runner ${name} must be a whole number >= 1, got ${value}`);
  return value;
}

/** The wait a failure asks for (`retryAfterMs`, e.g. from a provider's Retry-After), else 0. */
export function askedWait(failure: unknown): number {
  const asked = (failure as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof asked === 'number' && Number.isFinite(asked) && asked > 0 ? Math.min(asked, 3_600_000) : 0;
}
