import { columnParams, type FirebreakDatabase, type Tx } from '../../platform/db/database.js';
import type { PageNotificationsTable } from '../../platform/db/schema.js';
import type { JobScheduler } from '../../platform/jobs/job-queue.js';

export const DELIVER_PAGE_TASK = 'paging.deliver';
export const deliverJobKey = (notificationId: string) => `${DELIVER_PAGE_TASK}:${notificationId}`;
/** Attempts per page: with the task's backoff (5 s doubling to 5 min) about 15 minutes of retrying. */
export const PAGE_MAX_ATTEMPTS = 8;

export interface DeliverPayload {
  notificationId: string;
}

/** One page (or notice) to queue: who, through which contact method, for which step of the escalation. */
export interface NewPage {
  id: string;
  /** `page`, or `resolved` for the notice once the alert resolved. */
  kind: 'page' | 'resolved';
  alertId: string;
  /** Unique: the same key cannot be queued twice, so a step that runs twice cannot page twice. */
  idempotencyKey: string;
  userId: string;
  contactMethodId: string;
  channel: string;
  address: string;
  level: number | null;
  round: number;
  generation: number;
  dueAt: number;
  now: number;
  test?: boolean;
  shadow?: boolean;
}

/**
 * The transactional outbox of pages (ADR 0022): the `page_notifications` row and its delivery job, in
 * the caller's transaction. Returns the row, and whether its delivery job starts in this process as
 * soon as the transaction commits; null when a page with the same idempotency key was already queued.
 */
export async function queuePage(database: FirebreakDatabase, tx: Tx, jobs: JobScheduler, page: NewPage): Promise<{ row: PageNotificationsTable; startsOnCommit: boolean } | null> {
  const row: PageNotificationsTable = {
      id: page.id,
      kind: page.kind,
      alert_id: page.alertId,
      idempotency_key: page.idempotencyKey,
      user_id: page.userId,
      contact_method_id: page.contactMethodId,
      channel: page.channel,
      address: page.address,
      level: page.level,
      round: page.round,
      generation: page.generation,
      status: 'pending',
      due_at: page.dueAt,
      attempts: 0,
      last_error: null,
      provider_message_id: null,
      provider: null,
      delivery_status: null,
      delivered_at: null,
      sent_at: null,
      created_at: page.now,
      updated_at: page.now,
      shadow: page.shadow ? 1 : 0,
      test: page.test ? 1 : 0,
  };
  // Built once (a page's hot path): every column a parameter.
  const insert = database.precompiled('page_notifications.queue', (db, p) =>
    db
      .insertInto('page_notifications')
      .values(columnParams(row, p))
      .onConflict((oc) => oc.column('idempotency_key').doNothing()),
  );
  if ((await database.run(insert, row as unknown as Record<string, unknown>, tx)).numAffectedRows !== 1) return null;
  // A page due now starts delivering in this process as soon as the transaction commits (no claim, no
  // wait for the runner's next pass): the time from an alert to its page is what paging is judged by.
  const job = await jobs.addJob<DeliverPayload>(tx, { task: DELIVER_PAGE_TASK, key: deliverJobKey(page.id), runAt: page.dueAt, payload: { notificationId: page.id }, maxAttempts: PAGE_MAX_ATTEMPTS, startOnCommit: page.dueAt <= page.now });
  return { row, startsOnCommit: job.startsOnCommit === true };
}
