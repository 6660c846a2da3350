import type { FirebreakDatabase, Tx } from './database.js';

interface Waiting<I, O> {
  input: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export interface GroupCommitOptions<I, O> {
  database: FirebreakDatabase;
  /** Applies one item inside the shared transaction. */
  apply(tx: Tx, input: I): Promise<O>;
  /** Runs once at the end of a batch's transaction, after every item (writes shared by the batch). */
  finish?(tx: Tx, inputs: readonly I[]): Promise<void>;
  /**
   * Sorts each batch by this key (stable: items with one key keep their order), so concurrent batches
   * take row locks in one order.
   */
  orderKey?(input: I): string;
  /** Applies one item in its own transaction (with its own retries; `finish` included): the fallback when a batch fails. */
  alone(input: I): Promise<O>;
  /** Most items in one transaction. */
  maxBatch: number;
  /** Batches in flight at once: 1 on SQLite (one writer), a few on PostgreSQL. */
  concurrency: number;
  /**
   * False: callers are answered as soon as their batch has committed, without waiting for the disk
   * (writes whose loss in a power cut only repeats work, ADR 0035). Default true.
   */
  waitForDisk?: boolean;
}

/**
 * Group commit: items submitted while a transaction is committing wait and then commit together in
 * the next one, so a burst of events costs one durable commit (one fsync) per batch instead of one per
 * event. Every caller is answered only after the transaction holding its item has committed, so the
 * durability contract (2xx only after commit) is unchanged; under light load a batch holds one item and
 * nothing waits.
 *
 * A batch is all or nothing: if any item throws (a bug, a constraint, a concurrent writer on
 * PostgreSQL), the whole transaction rolls back and each of its items is applied again on its own with
 * `alone`, so one bad item never fails its neighbours (ADR 0021). A batch of one item takes the same
 * path (a failure then costs one more attempt, alone, with `alone`'s retries).
 *
 * On SQLite a batch's commit is synced to disk off the main thread (`transactionSyncedLater`): the
 * process never stands still for an fsync, and each caller is answered only once its batch is on disk.
 * With `waitForDisk` (the default) the next batch starts after that sync, so every item arriving during
 * it shares one commit; without, the next batch starts as soon as this one has committed.
 */
export class GroupCommit<I, O> {
  private readonly queue: Array<Waiting<I, O>> = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly options: GroupCommitOptions<I, O>) {}

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      // Start on the next turn of the event loop, not now: better-sqlite3 answers every query
      // synchronously, so a batch started here would run to its commit in microtasks before the other
      // requests already read from their sockets reach `submit`. setImmediate runs after the poll
      // phase, once every request of this turn has been handled, so they share the batch.
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      const orderKey = this.options.orderKey;
      if (orderKey) {
        const keys = new Map(batch.map((w) => [w, orderKey(w.input)]));
        batch.sort((a, b) => ((keys.get(a) as string) < (keys.get(b) as string) ? -1 : (keys.get(a) as string) > (keys.get(b) as string) ? 1 : 0));
      }
      this.inFlight++;
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /**
   * Runs one batch; returns once its callers are answered: after its commit is on disk (default), or
   * at its commit (`waitForDisk: false`, while the sync goes on).
   */
  private async commit(batch: Array<Waiting<I, O>>): Promise<void> {
    let results: O[];
    let durable: Promise<void>;
    try {
      ({ result: results, durable } = await this.options.database.transactionSyncedLater(async (tx) => {
        const out: O[] = [];
        for (const item of batch) out.push(await this.options.apply(tx, item.input));
        await this.options.finish?.(tx, batch.map((item) => item.input));
        return out;
      }));
    } catch {
      // One item spoiled the batch: nothing of it committed; give each item its own transaction.
      await Promise.all(batch.map((item) => this.options.alone(item.input).then(item.resolve, item.reject)));
      return;
    }
    if (this.options.waitForDisk === false) {
      durable.catch(() => {});
      batch.forEach((item, i) => item.resolve(results[i] as O));
      return;
    }
    // The next batch starts once this one is on disk (ADR 0045): whatever arrives during the sync joins
    // it. Starting it at once instead made batches as small as the main thread was quick, and a busy
    // main thread then spent what it saved on more, smaller commits (23 events a batch at 64
    // connections, against 45–60 now). The main thread does not wait: it reads and parses requests
    // meanwhile, and the sync runs on the thread pool.
    await durable.then(
      () => batch.forEach((item, i) => item.resolve(results[i] as O)),
      (error: unknown) => batch.forEach((item) => item.reject(error)),
    );
  }
}
