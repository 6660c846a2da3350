import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialectCases } from '../../../../test/support/databases.js';
import { ManualClock } from '../clock.js';
import type { FirebreakDatabase, Tx } from '../db/database.js';
import { createIdGenerator, type IdGenerator } from '../ids.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { createJobQueue } from './job-queue.js';
import { createJobRunner, type JobContext, type JobRunner, type JobRunnerOptions } from './job-runner.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets pending callbacks run once; used to give a wrong implementation the chance to resolve early. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

for (const dialect of dialectCases()) {
  describe(`job runner on ${dialect.name}`, () => {
    let database: FirebreakDatabase;
    let clock: ManualClock;
    let ids: IdGenerator;
    let metrics: Metrics;
    let runners: JobRunner[];

    beforeEach(async () => {
      database = await dialect.open();
      clock = new ManualClock('2026-01-05T09:00:00Z');
      ids = createIdGenerator(clock);
      metrics = createMetrics({ processMetrics: false });
      runners = [];
    });

    afterEach(async () => {
      for (const runner of runners) await runner.stop({ timeoutMs: 5_000 });
      await database.close();
    });

    /** A runner with a silent logger and the highest jitter draw, so retry delays are the exact ceiling. */
    function runner(options: Partial<JobRunnerOptions> = {}): JobRunner {
      const created = createJobRunner({ database, clock, ids, metrics, logger: pino({ level: 'silent' }), random: () => 1, workerId: `worker-${runners.length + 1}`, ...options });
      runners.push(created);
      return created;
    }

    const rows = () => database.db.selectFrom('jobs').selectAll().execute();

    async function counter(name: string, labels: Record<string, string>): Promise<number> {
      const metric = await metrics.registry.getSingleMetric(name)?.get();
      return metric?.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))?.value ?? 0;
    }

    it('records jobs that finish together in one write, fencing each: a job replaced while it ran keeps its replacement', async () => {
      // Counts the writes that record outcomes (a transaction on SQLite; PostgreSQL runs the statements as they are).
      let writes = 0;
      const counted: FirebreakDatabase = { ...database, transactionSyncedLater: (work) => (writes++, database.transactionSyncedLater(work)) };
      const jobs = runner({ database: counted, concurrency: 8 });
      const gate = deferred();
      const started: string[] = [];
      jobs.register<{ name: string }>('batch', async ({ payload }) => {
        started.push(payload.name);
        await gate.promise;
      });
      for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) await jobs.addJob(database.db, { task: 'batch', key: `batch:${name}`, payload: { name } });
      const run = jobs.runDueJobs();
      while (started.length < 6) await nextTurn();
      // `c` is replaced while its old revision runs: the new revision must stay and run later.
      await jobs.addJob(database.db, { task: 'batch', key: 'batch:c', payload: { name: 'c2' }, runAt: clock.now() + 60_000 });
      writes = 0;
      gate.resolve();
      const outcomes = await run;
      expect(outcomes.map((o) => o.outcome)).toEqual(['success', 'success', 'success', 'success', 'success', 'success']);
      // One write for the six (two at most, should one finish a turn later); one each without batching.
      if (database.capabilities.inProcess) expect(writes).toBeLessThanOrEqual(2);
      expect(await rows()).toMatchObject([{ job_key: 'batch:c', payload: '{"name":"c2"}', revision: 1, locked_by: null, locked_until: null }]);
    });

    it('runs a due job once with its payload and job details, then deletes it', async () => {
      const jobs = runner();
      const seen: JobContext[] = [];
      jobs.register('deliver-notification', (context) => {
        seen.push(context);
      });
      const added = await jobs.addJob(database.db, { task: 'deliver-notification', key: 'deliver:n1', payload: { notificationId: 'n1' } });

      const outcomes = await jobs.runDueJobs();

      expect(outcomes).toEqual([{ id: added.id, task: 'deliver-notification', key: 'deliver:n1', attempts: 1, outcome: 'success', error: null }]);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.payload).toEqual({ notificationId: 'n1' });
      expect(seen[0]!.job).toEqual({ id: added.id, task: 'deliver-notification', key: 'deliver:n1', attempts: 1, maxAttempts: 25, runAt: clock.now(), revision: 0 });
      expect(seen[0]!.signal.aborted).toBe(false);
      expect(await rows()).toEqual([]);
      expect(await jobs.runDueJobs()).toEqual([]);
      expect(await counter('firebreak_jobs_completed_total', { task: 'deliver-notification', outcome: 'success' })).toBe(1);
    });

    it('completes a job inside the handler’s own transaction when it asks (completeIn), with no write of its own', async () => {
      let writes = 0;
      const counted: FirebreakDatabase = { ...database, transactionSyncedLater: (work) => (writes++, database.transactionSyncedLater(work)) };
      const jobs = runner({ database: counted });
      let rowsSeenInside = -1;
      jobs.register('record', async ({ completeIn }) => {
        await database.transaction(async (tx) => {
          await tx.db.insertInto('counters').values({ name: 'recorded', value: 1 }).execute();
          await completeIn(tx);
          rowsSeenInside = (await tx.db.selectFrom('jobs').select('id').execute()).length;
        });
      });
      await jobs.addJob(database.db, { task: 'record', key: 'record:1' });
      await jobs.addJob(database.db, { task: 'record', key: 'record:2', runAt: clock.now() + 60_000 });

      expect(await jobs.runDueJobs()).toMatchObject([{ key: 'record:1', outcome: 'success' }]);
      expect(rowsSeenInside).toBe(1);
      // The claim is the runner's only write on SQLite: no completion write of its own.
      if (database.capabilities.inProcess) expect(writes).toBe(1);
      expect((await rows()).map((r) => r.job_key)).toEqual(['record:2']);
      expect(await database.db.selectFrom('counters').select('value').where('name', '=', 'recorded').executeTakeFirst()).toEqual({ value: 1 });
      expect(await counter('firebreak_jobs_completed_total', { task: 'record', outcome: 'success' })).toBe(1);
    });

    it('leaves a job to be retried when the transaction that completed it rolls back', async () => {
      const jobs = runner();
      let runs = 0;
      jobs.register('flaky', async ({ completeIn }) => {
        runs++;
        await database.transaction(async (tx) => {
          await completeIn(tx);
          if (runs === 1) throw new Error('rolled back after completeIn');
        });
      });
      await jobs.addJob(database.db, { task: 'flaky', key: 'flaky:1' });

      expect(await jobs.runDueJobs()).toMatchObject([{ outcome: 'retry', error: expect.stringContaining('rolled back after completeIn') }]);
      expect(await rows()).toMatchObject([{ job_key: 'flaky:1', attempts: 1, locked_by: null }]);
      clock.advance(1_000);
      expect(await jobs.runDueJobs()).toMatchObject([{ outcome: 'success', attempts: 2 }]);
      expect(await rows()).toEqual([]);
    });

    it('keeps a replacement added by the handler itself when it completes in its own transaction', async () => {
      const jobs = runner();
      const payloads: unknown[] = [];
      jobs.register<{ step: number }>('step', async ({ payload, completeIn }) => {
        payloads.push(payload);
        await database.transaction(async (tx) => {
          // The next step re-adds the same key (as an escalation's timer does), then completes this one.
          if (payload.step === 1) await jobs.addJob(tx, { task: 'step', key: 'step:a', payload: { step: 2 }, runAt: clock.now() + 60_000 });
          await completeIn(tx);
        });
      });
      await jobs.addJob(database.db, { task: 'step', key: 'step:a', payload: { step: 1 } });

      expect(await jobs.runDueJobs()).toMatchObject([{ outcome: 'success' }]);
      expect(await rows()).toMatchObject([{ job_key: 'step:a', payload: '{"step":2}', revision: 1, locked_by: null, locked_until: null }]);
      clock.advance(60_000);
      expect(await jobs.runDueJobs()).toMatchObject([{ outcome: 'success' }]);
      expect(payloads).toEqual([{ step: 1 }, { step: 2 }]);
      expect(await rows()).toEqual([]);
    });

    it('does not run a job before its run_at and runs it once the clock reaches it', async () => {
      const jobs = runner();
      const ran: number[] = [];
      jobs.register('remind', () => {
        ran.push(clock.now());
      });
      const runAt = clock.now() + 10 * 60_000;
      await jobs.addJob(database.db, { task: 'remind', runAt });

      clock.advance(10 * 60_000 - 1);
      expect(await jobs.runDueJobs()).toEqual([]);
      clock.advance(1);
      expect(await jobs.runDueJobs()).toHaveLength(1);
      expect(ran).toEqual([runAt]);
    });

    it('retries a failing job after 1 s, then 2 s, and after max_attempts keeps it failed with its last error', async () => {
      const jobs = runner();
      let calls = 0;
      jobs.register('call-webhook', () => {
        calls++;
        throw new Error(`upstream answered 503 (call ${calls})`);
      });
      const added = await jobs.addJob(database.db, { task: 'call-webhook', maxAttempts: 3 });
      const job = () => database.db.selectFrom('jobs').selectAll().where('id', '=', added.id).executeTakeFirstOrThrow();

      expect(await jobs.runDueJobs()).toMatchObject([{ outcome: 'retry', attempts: 1 }]);
      expect(await job()).toMatchObject({ run_at: clock.now() + 1_000, attempts: 1, locked_by: null, failed_at: null });
      clock.advance(999);
      expect(await jobs.runDueJobs()).toEqual([]);
      clock.advance(1);
      expect(await jobs.runDueJobs()).toMatchObject([{ outcome: 'retry', attempts: 2 }]);
      expect(await job()).toMatchObject({ run_at: clock.now() + 2_000, attempts: 2 });
      clock.advance(2_000);
      const [last] = await jobs.runDueJobs();
      expect(last).toMatchObject({ outcome: 'failed', attempts: 3 });
      expect(last!.error).toContain('upstream answered 503 (call 3)');

      const failed = await job();
      expect(failed).toMatchObject({ failed_at: clock.now(), attempts: 3, locked_by: null });
      expect(failed.last_error).toContain('upstream answered 503 (call 3)');
      clock.advance(7 * 86_400_000);
      expect(await jobs.runDueJobs()).toEqual([]);
      expect(calls).toBe(3);
      expect(await counter('firebreak_jobs_completed_total', { task: 'call-webhook', outcome: 'retry' })).toBe(2);
      expect(await counter('firebreak_jobs_completed_total', { task: 'call-webhook', outcome: 'failed' })).toBe(1);
    });

    it('waits as long as a failure asks (a provider’s Retry-After) when that is longer than its backoff', async () => {
      const jobs = runner();
      jobs.register('post-to-chat', () => {
        throw Object.assign(new Error('ratelimited (HTTP 429)'), { retryAfterMs: 30_000 });
      });
      const added = await jobs.addJob(database.db, { task: 'post-to-chat', maxAttempts: 3 });
      expect(await jobs.runDueJobs()).toMatchObject([{ outcome: 'retry', attempts: 1 }]);
      expect(await database.db.selectFrom('jobs').select(['run_at']).where('id', '=', added.id).executeTakeFirstOrThrow()).toEqual({ run_at: clock.now() + 30_000 });
      clock.advance(29_999);
      expect(await jobs.runDueJobs()).toEqual([]);
      clock.advance(1);
      expect(await jobs.runDueJobs()).toMatchObject([{ outcome: 'retry', attempts: 2 }]);
    });

    it('uses a task’s own backoff policy, jittered by the injected random source', async () => {
      const jobs = runner({ random: () => 0 });
      jobs.register(
        'run-probe',
        () => {
          throw new Error('timeout');
        },
        { backoff: { baseMs: 10_000, capMs: 15_000 } },
      );
      const added = await jobs.addJob(database.db, { task: 'run-probe' });
      const runAtAfterFailure = async () => (await database.db.selectFrom('jobs').select('run_at').where('id', '=', added.id).executeTakeFirstOrThrow()).run_at - clock.now();

      await jobs.runDueJobs();
      expect(await runAtAfterFailure()).toBe(5_000); // half of 10 s
      clock.advance(5_000);
      await jobs.runDueJobs();
      expect(await runAtAfterFailure()).toBe(7_500); // half of min(15 s, 20 s)
    });

    it('fails the attempts of a job whose task has no handler, with an error naming the task', async () => {
      const jobs = runner();
      await jobs.addJob(database.db, { task: 'ghost-task', maxAttempts: 1 });
      const [result] = await jobs.runDueJobs();
      expect(result).toMatchObject({ task: 'ghost-task', outcome: 'failed' });
      expect(result!.error).toContain('No handler is registered for task `ghost-task` on worker worker-1');
      expect((await rows())[0]).toMatchObject({ failed_at: clock.now() });
    });

    it('refuses to register two handlers for one task', () => {
      const jobs = runner();
      jobs.register('t', () => {});
      expect(() => jobs.register('t', () => {})).toThrow('A handler for task `t` is already registered');
    });

    it('runs a job again on another worker once the worker that claimed it died and its lease expired', async () => {
      const dying = createJobQueue({ database, clock, ids });
      const survivor = runner({ workerId: 'worker-b', leaseMs: 60_000 });
      const attemptsSeen: number[] = [];
      survivor.register('escalate-alert', ({ job }) => {
        attemptsSeen.push(job.attempts);
      });
      const added = await survivor.addJob(database.db, { task: 'escalate-alert', key: 'escalate-alert:a1', payload: { fence: 1 } });

      // Worker A claims the job and is killed before it finishes: it never completes, fails or renews.
      const [claimedByA] = await dying.claim({ workerId: 'worker-a', limit: 10, leaseMs: 60_000 });
      expect(claimedByA!.id).toBe(added.id);

      clock.advance(59_999);
      expect(await survivor.runDueJobs()).toEqual([]);
      clock.advance(1);
      expect(await survivor.runDueJobs()).toMatchObject([{ id: added.id, outcome: 'success', attempts: 2 }]);
      expect(attemptsSeen).toEqual([2]);
      expect(await rows()).toEqual([]);
    });

    it('fails a job whose last allowed attempt died with its worker instead of running it again', async () => {
      const dying = createJobQueue({ database, clock, ids });
      const survivor = runner({ workerId: 'worker-b' });
      let ran = false;
      survivor.register('crashes-its-worker', () => {
        ran = true;
      });
      await survivor.addJob(database.db, { task: 'crashes-its-worker', maxAttempts: 1 });
      await dying.claim({ workerId: 'worker-a', limit: 1, leaseMs: 60_000 });
      clock.advance(60_000);

      const [result] = await survivor.runDueJobs();
      expect(result).toMatchObject({ outcome: 'failed', attempts: 2 });
      expect(result!.error).toContain('used up its 1 attempts: the worker running the last one stopped before finishing');
      expect(ran).toBe(false);
      expect((await rows())[0]).toMatchObject({ failed_at: clock.now() });
    });

    it('keeps a job that was replaced while it ran, and runs the new revision at its run_at', async () => {
      const jobs = runner();
      const started = deferred();
      const release = deferred();
      const payloads: unknown[] = [];
      jobs.register<{ fence: number }>('escalate-alert', async ({ payload }) => {
        payloads.push(payload);
        if (payload.fence === 1) {
          started.resolve();
          await release.promise;
        }
      });
      const key = 'escalate-alert:a1';
      const added = await jobs.addJob(database.db, { task: 'escalate-alert', key, payload: { fence: 1 } });

      const running = jobs.runDueJobs();
      await started.promise;
      const replacement = await jobs.addJob(database.db, { task: 'escalate-alert', key, payload: { fence: 2 }, runAt: clock.now() + 5 * 60_000 });
      expect(replacement).toMatchObject({ id: added.id, replaced: true, revision: 1 });
      release.resolve();
      expect(await running).toMatchObject([{ outcome: 'success', attempts: 1 }]);

      // The old revision's completion did not delete the row: the new revision waits, unlocked.
      expect(await rows()).toMatchObject([{ id: added.id, payload: '{"fence":2}', revision: 1, attempts: 0, locked_by: null, locked_until: null }]);
      clock.advance(5 * 60_000);
      expect(await jobs.runDueJobs()).toMatchObject([{ outcome: 'success', attempts: 1 }]);
      expect(payloads).toEqual([{ fence: 1 }, { fence: 2 }]);
      expect(await rows()).toEqual([]);
    });

    it('runs a replacement that is already due as soon as the revision it replaced finishes', async () => {
      const jobs = runner();
      const started = deferred();
      const release = deferred();
      const payloads: number[] = [];
      jobs.register<{ n: number }>('send-update-reminder', async ({ payload }) => {
        payloads.push(payload.n);
        if (payload.n === 1) {
          started.resolve();
          await release.promise;
        }
      });
      await jobs.addJob(database.db, { task: 'send-update-reminder', key: 'reminder:i1', payload: { n: 1 } });
      const running = jobs.runDueJobs();
      await started.promise;
      await jobs.addJob(database.db, { task: 'send-update-reminder', key: 'reminder:i1', payload: { n: 2 } });
      release.resolve();

      expect((await running).map((o) => o.outcome)).toEqual(['success', 'success']);
      expect(payloads).toEqual([1, 2]);
      expect(await rows()).toEqual([]);
    });

    it('keeps the lock of a long-running job by renewing its lease, so no other worker runs it', async () => {
      const slowWorker = runner({ leaseMs: 60_000 });
      const otherWorker = runner({ leaseMs: 60_000 });
      const started = deferred();
      const release = deferred();
      let runs = 0;
      for (const jobs of [slowWorker, otherWorker]) {
        jobs.register('export-analytics', async () => {
          runs++;
          started.resolve();
          await release.promise;
        });
      }
      await slowWorker.addJob(database.db, { task: 'export-analytics' });
      const running = slowWorker.runDueJobs();
      await started.promise;

      clock.advance(50_000);
      await slowWorker.renewLeases();
      clock.advance(50_000); // 100 s after the claim, 50 s after the renewal
      expect(await otherWorker.runDueJobs()).toEqual([]);

      release.resolve();
      expect(await running).toMatchObject([{ outcome: 'success' }]);
      expect(runs).toBe(1);
    });

    it('aborts a running handler’s signal when its job is removed, and does not retry it', async () => {
      const jobs = runner();
      const started = deferred<AbortSignal>();
      const release = deferred();
      jobs.register('remind', async ({ signal }) => {
        started.resolve(signal);
        await release.promise;
        throw new Error('gave up after the abort');
      });
      await jobs.addJob(database.db, { task: 'remind', key: 'remind:i1' });
      const running = jobs.runDueJobs();
      const signal = await started.promise;

      expect(await jobs.removeJob(database.db, 'remind:i1')).toBe(true);
      await jobs.renewLeases();
      expect(signal.aborted).toBe(true);
      release.resolve();
      await running;
      expect(await rows()).toEqual([]);
    });

    it('leaves no job behind when the transaction that added it rolls back', async () => {
      const jobs = runner();
      let ran = false;
      jobs.register('escalate-alert', () => {
        ran = true;
      });
      await expect(
        database.transaction(async (tx) => {
          await jobs.addJob(tx, { task: 'escalate-alert', key: 'escalate-alert:a1' });
          throw new Error('alert insert failed');
        }),
      ).rejects.toThrow('alert insert failed');

      expect(await rows()).toEqual([]);
      expect(await jobs.runDueJobs()).toEqual([]);
      expect(ran).toBe(false);
    });

    it('wakes up right after a commit that adds a due job instead of waiting for the poll interval', async () => {
      // An hour-long poll interval: only the after-commit wake-up can run the job before the test times out.
      const jobs = runner({ pollIntervalMs: 3_600_000 });
      const ran = deferred<unknown>();
      jobs.register('page-user', ({ payload }) => ran.resolve(payload));
      jobs.start();
      await nextTurn();

      await database.transaction(async (tx) => {
        await jobs.addJob(tx, { task: 'page-user', payload: { userId: 'u1' } });
      });

      expect(await ran.promise).toEqual({ userId: 'u1' });
      expect(await jobs.stop({ timeoutMs: 5_000 })).toEqual({ unfinished: 0 });
      expect(await rows()).toEqual([]);
    });

    it('starts a job marked startOnCommit as its transaction commits, written already claimed: no claim pass', async () => {
      let writes = 0;
      const counted: FirebreakDatabase = { ...database, transactionSyncedLater: (work) => (writes++, database.transactionSyncedLater(work)) };
      const jobs = runner({ database: counted, pollIntervalMs: 3_600_000 });
      const ran = deferred<unknown>();
      jobs.register('page-user', ({ payload, job }) => ran.resolve({ payload, attempts: job.attempts }));
      jobs.start();
      await nextTurn();
      writes = 0;

      let inside: unknown;
      const added = await database.transaction(async (tx) => {
        const job = await jobs.addJob(tx, { task: 'page-user', payload: { userId: 'u1' }, startOnCommit: true });
        inside = await tx.db.selectFrom('jobs').select(['locked_by', 'attempts']).executeTakeFirst();
        return job;
      });

      expect(added.startsOnCommit).toBe(true);
      expect(inside).toEqual({ locked_by: 'worker-1', attempts: 1 });
      expect(await ran.promise).toEqual({ payload: { userId: 'u1' }, attempts: 1 });
      expect(await jobs.stop({ timeoutMs: 5_000 })).toEqual({ unfinished: 0 });
      expect(await rows()).toEqual([]);
      // The completion only: a claim would be a second write.
      if (database.capabilities.inProcess) expect(writes).toBe(1);
    });

    it('gives the slot back when the transaction that would have started a job rolls back, and adds jobs as usual while every slot is busy', async () => {
      const jobs = runner({ concurrency: 1 });
      const release = deferred();
      const ran: string[] = [];
      jobs.register<{ name: string }>('work', async ({ payload }) => {
        ran.push(payload.name);
        if (payload.name === 'long') await release.promise;
      });
      jobs.start();
      await nextTurn();
      const lockedBy = async (tx: Tx, name: string) => (await tx.db.selectFrom('jobs').select('locked_by').where('payload', '=', JSON.stringify({ name })).executeTakeFirstOrThrow()).locked_by;

      await expect(
        database.transaction(async (tx) => {
          await jobs.addJob(tx, { task: 'work', payload: { name: 'rolled back' }, startOnCommit: true });
          throw new Error('the alert insert failed');
        }),
      ).rejects.toThrow('the alert insert failed');
      // The slot is free again: this one is written claimed and starts on commit.
      const long = await database.transaction(async (tx) => {
        const job = await jobs.addJob(tx, { task: 'work', payload: { name: 'long' }, startOnCommit: true });
        expect(await lockedBy(tx, 'long')).toBe('worker-1');
        return job;
      });
      expect(long.startsOnCommit).toBe(true);
      while (!ran.includes('long')) await nextTurn();
      // Its one slot is taken: the next is added unclaimed and runs once the first finishes.
      const queued = await database.transaction(async (tx) => {
        const job = await jobs.addJob(tx, { task: 'work', payload: { name: 'queued' }, startOnCommit: true });
        expect(await lockedBy(tx, 'queued')).toBeNull();
        return job;
      });
      expect(queued.startsOnCommit).toBeUndefined();
      release.resolve();
      while (!ran.includes('queued')) await nextTurn();
      expect(ran).toEqual(['long', 'queued']);
      expect(await jobs.stop({ timeoutMs: 5_000 })).toEqual({ unfinished: 0 });
    });

    it('stop() waits for a transaction still committing a job it claimed for this runner, and runs that job', async () => {
      const jobs = runner();
      let ran = false;
      jobs.register('work', () => {
        ran = true;
      });
      jobs.start();
      await nextTurn();
      let stopping: Promise<{ unfinished: number }> | undefined;
      await database.transaction(async (tx) => {
        expect((await jobs.addJob(tx, { task: 'work', startOnCommit: true })).startsOnCommit).toBe(true);
        stopping = jobs.stop({ timeoutMs: 5_000 });
        await nextTurn();
      });
      expect(await stopping).toEqual({ unfinished: 0 });
      expect(ran).toBe(true);
      expect(await rows()).toEqual([]);
    });

    it('adds a startOnCommit job as usual when the runner is not running', async () => {
      const jobs = runner();
      jobs.register('work', () => {});
      const added = await database.transaction(async (tx) => jobs.addJob(tx, { task: 'work', startOnCommit: true }));
      expect(added.startsOnCommit).toBeUndefined();
      expect(await rows()).toMatchObject([{ locked_by: null, attempts: 0 }]);
      expect(await jobs.runDueJobs()).toMatchObject([{ outcome: 'success', attempts: 1 }]);
    });

    it('wakes up for a due job added without a transaction', async () => {
      const jobs = runner({ pollIntervalMs: 3_600_000 });
      const ran = deferred();
      jobs.register('page-user', () => ran.resolve());
      jobs.start();
      await jobs.addJob(database.db, { task: 'page-user' });
      await ran.promise;
      await jobs.stop({ timeoutMs: 5_000 });
      const stats = await jobs.stats();
      expect(stats.depth).toBe(0);
      expect(stats.lastLoopAt).toBe(clock.now());
    });

    it('never runs the same job twice when two runners work the queue concurrently', async () => {
      const first = runner({ concurrency: 8 });
      const second = runner({ concurrency: 8 });
      const runsById = new Map<string, string[]>();
      for (const jobs of [first, second]) {
        jobs.register('fan-out', async ({ job }) => {
          runsById.set(job.id, [...(runsById.get(job.id) ?? []), jobs.workerId]);
          await nextTurn();
        });
      }
      const ids: string[] = [];
      for (let i = 0; i < 200; i++) ids.push((await first.addJob(database.db, { task: 'fan-out', payload: { i } })).id);

      const [byFirst, bySecond] = await Promise.all([first.runDueJobs(), second.runDueJobs()]);

      expect(byFirst.length + bySecond.length).toBe(200);
      expect([...runsById.keys()].sort()).toEqual(ids.sort());
      expect([...runsById.entries()].filter(([, workers]) => workers.length !== 1)).toEqual([]);
      expect(await rows()).toEqual([]);
    });

    it('stop() waits for the job in flight to finish before it resolves', async () => {
      const jobs = runner();
      const started = deferred();
      const release = deferred();
      const events: string[] = [];
      jobs.register('deliver-notification', async () => {
        started.resolve();
        await release.promise;
        events.push('handler finished');
      });
      await jobs.addJob(database.db, { task: 'deliver-notification' });
      const running = jobs.runDueJobs();
      await started.promise;

      const stopped = jobs.stop({ timeoutMs: 60_000 }).then((result) => {
        events.push('stopped');
        return result;
      });
      await nextTurn();
      events.push('released');
      release.resolve();

      expect(await stopped).toEqual({ unfinished: 0 });
      expect(events).toEqual(['released', 'handler finished', 'stopped']);
      expect(await running).toMatchObject([{ outcome: 'success' }]);
      expect(await rows()).toEqual([]);
    });

    it('stop() gives up on a job still running after its timeout, aborting the handler’s signal', async () => {
      const jobs = runner();
      const started = deferred();
      jobs.register('hangs', ({ signal }) => {
        started.resolve();
        return new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
      });
      await jobs.addJob(database.db, { task: 'hangs' });
      const running = jobs.runDueJobs();
      await started.promise;

      expect(await jobs.stop({ timeoutMs: 20 })).toEqual({ unfinished: 1 });
      const [result] = await running;
      expect(result).toMatchObject({ outcome: 'retry' });
      expect(result!.error).toContain('stopped before job');
      // Claims end with stop(): nothing more runs.
      expect(await jobs.runDueJobs()).toEqual([]);
    });

    it('reports depth, due jobs, lag and failures, publishes them as metrics and tells when it last ran', async () => {
      const jobs = runner();
      expect((await jobs.stats()).lastLoopAt).toBeNull();
      jobs.register('broken', () => {
        throw new Error('broken');
      });
      await jobs.addJob(database.db, { task: 'broken', maxAttempts: 1 });
      await jobs.runDueJobs();
      const loopAt = clock.now();
      clock.advance(1_000);
      await jobs.addJob(database.db, { task: 'waiting', runAt: clock.now() - 5_000 });
      await jobs.addJob(database.db, { task: 'future', runAt: clock.now() + 5_000 });

      expect(await jobs.stats()).toEqual({ depth: 2, due: 1, lagMs: 5_000, failed: 1, lastLoopAt: loopAt });
      expect(await counter('firebreak_job_queue_depth', {})).toBe(2);
      expect(await counter('firebreak_job_queue_lag_seconds', {})).toBe(5);
      expect(await counter('firebreak_jobs_failed', {})).toBe(1);
    });
  });
}
