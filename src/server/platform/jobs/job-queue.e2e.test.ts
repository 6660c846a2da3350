import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialectCases } from '../../../../test/support/databases.js';
import { ManualClock } from '../clock.js';
import type { FirebreakDatabase } from '../db/database.js';
import { createIdGenerator } from '../ids.js';
import { createJobQueue, type AddedJob, type JobQueue } from './job-queue.js';

const LEASE = 60_000;

for (const dialect of dialectCases()) {
  describe(`job queue on ${dialect.name}`, () => {
    let database: FirebreakDatabase;
    let clock: ManualClock;
    let queue: JobQueue;
    let announced: AddedJob[];

    beforeEach(async () => {
      database = await dialect.open();
      clock = new ManualClock('2026-01-05T09:00:00Z');
      announced = [];
      queue = createJobQueue({ database, clock, ids: createIdGenerator(clock), onAdded: (job) => announced.push(job) });
    });

    afterEach(async () => {
      await database.close();
    });

    const rows = () => database.db.selectFrom('jobs').selectAll().orderBy('run_at').execute();
    const row = (id: string) => database.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    it('keeps exactly one pending job per key: adding again replaces payload and run_at, resets attempts and bumps the revision', async () => {
      const first = await queue.addJob(database.db, { task: 'escalate-alert', key: 'escalate-alert:a1', payload: { fence: 1 }, runAt: clock.now() + 60_000 });
      const [claimed] = await queue.claim({ workerId: 'w', limit: 1, leaseMs: LEASE }); // nothing due yet
      expect(claimed).toBeUndefined();
      const second = await queue.addJob(database.db, { task: 'escalate-alert', key: 'escalate-alert:a1', payload: { fence: 2 }, runAt: clock.now() + 120_000, maxAttempts: 5 });

      expect(first).toMatchObject({ replaced: false, revision: 0 });
      expect(second).toMatchObject({ id: first.id, replaced: true, revision: 1, runAt: clock.now() + 120_000 });
      const all = await rows();
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ id: first.id, job_key: 'escalate-alert:a1', payload: '{"fence":2}', run_at: clock.now() + 120_000, attempts: 0, max_attempts: 5, revision: 1 });
    });

    it('resets the attempts of a keyed job that already failed some attempts when it is replaced', async () => {
      const added = await queue.addJob(database.db, { task: 't', key: 'k' });
      const [claimed] = await queue.claim({ workerId: 'w', limit: 1, leaseMs: LEASE });
      await queue.fail(claimed!, 'Error: down', clock.now() + 1_000);
      expect(await row(added.id)).toMatchObject({ attempts: 1, last_error: 'Error: down' });

      await queue.addJob(database.db, { task: 't', key: 'k', payload: { retry: 'fresh' } });
      expect(await row(added.id)).toMatchObject({ attempts: 0, last_error: null, revision: 1, run_at: clock.now() });
    });

    it('adds jobs without a key as independent rows', async () => {
      await queue.addJob(database.db, { task: 'send-digest', payload: { team: 'a' } });
      await queue.addJob(database.db, { task: 'send-digest', payload: { team: 'a' } });
      expect(await rows()).toHaveLength(2);
    });

    it('stores an omitted payload as null and defaults to 25 attempts, due now', async () => {
      const added = await queue.addJob(database.db, { task: 'tick' });
      expect(await row(added.id)).toMatchObject({ payload: 'null', max_attempts: 25, run_at: clock.now(), attempts: 0, failed_at: null, locked_by: null });
    });

    it('rejects a payload that is not plain JSON before writing anything', async () => {
      await expect(queue.addJob(database.db, { task: 'deliver', payload: { at: new Date() } })).rejects.toThrow(/Job `deliver` payload is not plain JSON: payload\.at is a Date/);
      await expect(queue.addJob(database.db, { task: 'deliver', runAt: 1.5 })).rejects.toThrow(/runAt must be whole epoch milliseconds/);
      await expect(queue.addJob(database.db, { task: 'deliver', maxAttempts: 0 })).rejects.toThrow(/maxAttempts must be a whole number >= 1/);
      expect(await rows()).toEqual([]);
    });

    it('cancels a pending keyed job with removeJob and reports whether there was one', async () => {
      await queue.addJob(database.db, { task: 'remind', key: 'remind:i1' });
      await queue.addJob(database.db, { task: 'remind', key: 'remind:i2' });
      expect(await queue.removeJob(database.db, 'remind:i1')).toBe(true);
      expect(await queue.removeJob(database.db, 'remind:i1')).toBe(false);
      expect(await queue.removeJob(database.db, 'never-added')).toBe(false);
      expect((await rows()).map((r) => r.job_key)).toEqual(['remind:i2']);
    });

    it('keeps a failed job for inspection when its key is removed', async () => {
      const added = await queue.addJob(database.db, { task: 't', key: 'k', maxAttempts: 1 });
      const [claimed] = await queue.claim({ workerId: 'w', limit: 1, leaseMs: LEASE });
      expect(await queue.fail(claimed!, 'Error: bad', clock.now() + 1_000)).toBe('failed');
      expect(await queue.removeJob(database.db, 'k')).toBe(false);
      expect(await row(added.id)).toMatchObject({ failed_at: clock.now(), last_error: 'Error: bad' });
    });

    it('schedules a failed keyed job again when a job with its key is added', async () => {
      const added = await queue.addJob(database.db, { task: 't', key: 'k', maxAttempts: 1 });
      const [claimed] = await queue.claim({ workerId: 'w', limit: 1, leaseMs: LEASE });
      await queue.fail(claimed!, 'Error: bad', clock.now());
      await queue.addJob(database.db, { task: 't', key: 'k', maxAttempts: 1 });
      expect(await row(added.id)).toMatchObject({ failed_at: null, last_error: null, attempts: 0 });
      expect(await queue.claim({ workerId: 'w', limit: 1, leaseMs: LEASE })).toHaveLength(1);
    });

    it('adds a job inside the caller’s transaction and announces it only after the commit', async () => {
      const seenInside: number[] = [];
      await database.transaction(async (tx) => {
        await queue.addJob(tx, { task: 'escalate-alert', key: 'escalate-alert:a1' });
        await queue.removeJob(tx, 'nothing');
        seenInside.push(announced.length);
      });
      expect(seenInside).toEqual([0]);
      expect(announced).toHaveLength(1);
      expect(await rows()).toHaveLength(1);
    });

    it('leaves no job and announces nothing when the transaction that added it rolls back', async () => {
      await expect(
        database.transaction(async (tx) => {
          await queue.addJob(tx, { task: 'escalate-alert', key: 'escalate-alert:a1' });
          throw new Error('the alert could not be stored');
        }),
      ).rejects.toThrow('the alert could not be stored');
      expect(await rows()).toEqual([]);
      expect(announced).toEqual([]);
    });

    it('claims only due jobs, oldest run_at first, counting an attempt and setting the lease', async () => {
      const now = clock.now();
      await queue.addJob(database.db, { task: 'later', runAt: now + 1 });
      await queue.addJob(database.db, { task: 'second', runAt: now - 1_000 });
      await queue.addJob(database.db, { task: 'first', runAt: now - 2_000 });
      await queue.addJob(database.db, { task: 'third', runAt: now });

      const claimed = await queue.claim({ workerId: 'w1', limit: 2, leaseMs: LEASE });
      expect(claimed.map((j) => j.task)).toEqual(['first', 'second']);
      expect(claimed[0]).toMatchObject({ attempts: 1, lockedBy: 'w1', lockedUntil: now + LEASE, revision: 0, payload: 'null' });
      expect((await queue.claim({ workerId: 'w2', limit: 10, leaseMs: LEASE })).map((j) => j.task)).toEqual(['third']);
      expect(await queue.claim({ workerId: 'w3', limit: 10, leaseMs: LEASE })).toEqual([]);
    });

    it('lets another worker take over a job only once its lease has expired, counting another attempt', async () => {
      await queue.addJob(database.db, { task: 'probe' });
      const [dead] = await queue.claim({ workerId: 'dead', limit: 1, leaseMs: LEASE });
      clock.advance(LEASE - 1);
      expect(await queue.claim({ workerId: 'alive', limit: 1, leaseMs: LEASE })).toEqual([]);
      clock.advance(1);
      const [takenOver] = await queue.claim({ workerId: 'alive', limit: 1, leaseMs: LEASE });
      expect(takenOver).toMatchObject({ id: dead!.id, attempts: 2, lockedBy: 'alive' });

      // The first worker waking up late can neither unlock nor push back the job it lost.
      expect(await queue.fail(dead!, 'Error: late', clock.now() + 1_000)).toBe('gone');
      expect(await queue.renewLease(dead!, LEASE)).toBe(false);
      expect(await row(dead!.id)).toMatchObject({ locked_by: 'alive', last_error: null });
    });

    it('extends a lease on renewal so the job is not taken over while it runs', async () => {
      await queue.addJob(database.db, { task: 'slow' });
      const [job] = await queue.claim({ workerId: 'w1', limit: 1, leaseMs: LEASE });
      clock.advance(LEASE - 1_000);
      expect(await queue.renewLease(job!, LEASE)).toBe(true);
      clock.advance(LEASE - 1_000);
      expect(await queue.claim({ workerId: 'w2', limit: 1, leaseMs: LEASE })).toEqual([]);
    });

    it('deletes a completed job whose revision is unchanged', async () => {
      await queue.addJob(database.db, { task: 't', key: 'k' });
      const [job] = await queue.claim({ workerId: 'w', limit: 1, leaseMs: LEASE });
      expect(await queue.complete(job!)).toBe('completed');
      expect(await rows()).toEqual([]);
    });

    it('keeps and unlocks the replacement when the revision that ran completes', async () => {
      await queue.addJob(database.db, { task: 't', key: 'k', payload: { v: 1 } });
      const [job] = await queue.claim({ workerId: 'w', limit: 1, leaseMs: LEASE });
      await queue.addJob(database.db, { task: 't', key: 'k', payload: { v: 2 }, runAt: clock.now() + 5_000 });
      // While the old revision runs, its worker keeps the lock: the replacement does not run beside it.
      expect(await queue.claim({ workerId: 'other', limit: 1, leaseMs: LEASE })).toEqual([]);

      expect(await queue.complete(job!)).toBe('superseded');
      expect(await rows()).toMatchObject([{ payload: '{"v":2}', revision: 1, locked_by: null, locked_until: null, attempts: 0 }]);
      clock.advance(5_000);
      expect(await queue.claim({ workerId: 'other', limit: 1, leaseMs: LEASE })).toMatchObject([{ payload: '{"v":2}', revision: 1, attempts: 1 }]);
    });

    it('neither fails nor delays the replacement when the revision that ran fails', async () => {
      await queue.addJob(database.db, { task: 't', key: 'k', maxAttempts: 1 });
      const [job] = await queue.claim({ workerId: 'w', limit: 1, leaseMs: LEASE });
      await queue.addJob(database.db, { task: 't', key: 'k', maxAttempts: 1 });
      expect(await queue.fail(job!, 'Error: old revision broke', clock.now() + 1_000)).toBe('superseded');
      expect(await rows()).toMatchObject([{ revision: 1, run_at: clock.now(), failed_at: null, last_error: null, locked_by: null }]);
    });

    it('reschedules a failed attempt at the given time and marks the job failed once its attempts are used up', async () => {
      const added = await queue.addJob(database.db, { task: 't', maxAttempts: 2 });
      const [first] = await queue.claim({ workerId: 'w', limit: 1, leaseMs: LEASE });
      expect(await queue.fail(first!, 'Error: one', clock.now() + 1_000)).toBe('retry');
      expect(await row(added.id)).toMatchObject({ run_at: clock.now() + 1_000, locked_by: null, locked_until: null, failed_at: null, last_error: 'Error: one' });
      clock.advance(1_000);
      const [second] = await queue.claim({ workerId: 'w', limit: 1, leaseMs: LEASE });
      expect(await queue.fail(second!, 'Error: two', clock.now() + 2_000)).toBe('failed');
      expect(await row(added.id)).toMatchObject({ failed_at: clock.now(), last_error: 'Error: two', attempts: 2, locked_by: null });
      clock.advance(86_400_000);
      expect(await queue.claim({ workerId: 'w', limit: 1, leaseMs: LEASE })).toEqual([]);
    });

    it('never hands the same job to two of many concurrent claims', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 200; i++) ids.push((await queue.addJob(database.db, { task: 'fan-out', payload: { i } })).id);
      const workers = Array.from({ length: 8 }, (_, w) => `w${w}`);
      const claimedBy = new Map<string, string[]>();
      await Promise.all(
        workers.map(async (workerId) => {
          for (;;) {
            const batch = await queue.claim({ workerId, limit: 7, leaseMs: LEASE });
            expect(batch.length).toBeLessThanOrEqual(7);
            if (batch.length === 0) return;
            for (const job of batch) claimedBy.set(job.id, [...(claimedBy.get(job.id) ?? []), workerId]);
          }
        }),
      );
      expect([...claimedBy.keys()].sort()).toEqual([...ids].sort());
      expect([...claimedBy.values()].filter((by) => by.length !== 1)).toEqual([]);
      expect((await rows()).every((r) => r.attempts === 1)).toBe(true);
    });

    it('reports the next instant a job becomes claimable, counting lease expiries', async () => {
      expect(await queue.nextWakeAt()).toBeNull();
      await queue.addJob(database.db, { task: 'a', runAt: clock.now() + 30_000 });
      expect(await queue.nextWakeAt()).toBe(clock.now() + 30_000);
      await queue.addJob(database.db, { task: 'b' });
      await queue.claim({ workerId: 'w', limit: 1, leaseMs: 10_000 });
      expect(await queue.nextWakeAt()).toBe(clock.now() + 10_000);
      await queue.addJob(database.db, { task: 'c', runAt: clock.now() + 5_000 });
      expect(await queue.nextWakeAt()).toBe(clock.now() + 5_000);
      // The running job replaced to run later keeps its lock; it becomes claimable at its new run_at.
      await queue.addJob(database.db, { task: 'b2', key: 'k', runAt: clock.now() });
      const [keyed] = await queue.claim({ workerId: 'w', limit: 1, leaseMs: 1_000 });
      expect(keyed?.task).toBe('b2');
      await queue.addJob(database.db, { task: 'b2', key: 'k', runAt: clock.now() + 2_000 });
      expect(await queue.nextWakeAt()).toBe(clock.now() + 2_000);
    });

    it('counts pending, waiting-and-due and failed jobs and measures the lag of the oldest waiting one', async () => {
      const now = clock.now();
      await queue.addJob(database.db, { task: 'broken', maxAttempts: 1, runAt: now - 60_000 });
      const [broken] = await queue.claim({ workerId: 'w', limit: 1, leaseMs: LEASE });
      await queue.fail(broken!, 'Error: broken', now);
      await queue.addJob(database.db, { task: 'running', runAt: now - 30_000 });
      await queue.claim({ workerId: 'w', limit: 1, leaseMs: LEASE });
      await queue.addJob(database.db, { task: 'waiting', runAt: now - 5_000 });
      await queue.addJob(database.db, { task: 'due-now', runAt: now });
      await queue.addJob(database.db, { task: 'future', runAt: now + 5_000 });

      expect(await queue.stats()).toEqual({ depth: 4, due: 2, lagMs: 5_000, failed: 1 });
    });

    it('reports an empty queue as zeros', async () => {
      expect(await queue.stats()).toEqual({ depth: 0, due: 0, lagMs: 0, failed: 0 });
    });
  });
}
