import type { Kysely } from 'kysely';
import { nextReminderAt, reminderInstants } from '../../../../core/postmortems/due.js';
import type { Clock } from '../../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../../platform/db/database.js';
import type { Database } from '../../../platform/db/schema.js';
import type { JobScheduler } from '../../../platform/jobs/job-queue.js';
import { ChannelError, channelUnavailableMessage, MAX_SUBJECT_LENGTH, type Channels } from '../../notify/channels/channel.js';
import { reference as incidentReference } from '../../incidents/incident.repo.js';
import { postmortemReference, type PostmortemRow } from '../postmortem.lookup.js';
import { ReviewRequests } from './review.requests.js';

export const REMIND_TASK = 'postmortems.due-reminder';
export const SEND_REMINDER_TASK = 'postmortems.send-due-reminder';
/** One reminder timer per postmortem: adding it again moves it (keyed jobs replace the pending one). */
export const reminderJobKey = (postmortemId: string) => `${REMIND_TASK}:${postmortemId}`;
/** One send per postmortem and reminder instant. */
export const sendReminderJobKey = (postmortemId: string, slot: number) => `${SEND_REMINDER_TASK}:${postmortemId}:${slot}`;

export interface RemindPayload {
  postmortemId: string;
}
export interface SendReminderPayload {
  postmortemId: string;
  /** The reminder instant this mail is for (epoch ms): with the postmortem, its idempotency key. */
  slot: number;
}

/** Attempts per reminder mail; with the default backoff about an hour of trying. */
const SEND_MAX_ATTEMPTS = 10;

/**
 * Reminders to the owner of a required postmortem (issue 8 "When a postmortem is required"): daily from
 * one day before it is due (core `nextReminderAt`), while it is not published. Two keyed jobs: the timer
 * decides in a transaction (still due? moved? the next timer), and queues a send job per reminder
 * instant that mails the owner through the email channel, so a mail server that is down is retried
 * without moving the timer, and a replay mails no second time once the server answered (the key is
 * the message's id).
 */
export class PostmortemReminders {
  /** The other mail of the review part: "please review" to the named reviewers (registered with these jobs). */
  readonly requests: ReviewRequests;

  constructor(private readonly deps: { database: FirebreakDatabase; clock: Clock; jobs: JobScheduler; channels: Channels; publicUrl: string }) {
    this.requests = new ReviewRequests(deps);
  }

  /** (Re)starts the reminders of a postmortem in the caller's transaction: none when published or not due. */
  async schedule(tx: Tx, row: Pick<PostmortemRow, 'id' | 'status' | 'due_at'>): Promise<void> {
    if (row.status === 'published' || row.due_at === null) {
      await this.stop(tx, row.id);
      return;
    }
    const runAt = nextReminderAt(Number(row.due_at), this.deps.clock.now() - 1);
    if (runAt === null) return;
    await this.deps.jobs.addJob<RemindPayload>(tx, { task: REMIND_TASK, key: reminderJobKey(row.id), runAt, payload: { postmortemId: row.id } });
  }

  /** Stops the reminders (published): in the caller's transaction. */
  async stop(tx: Tx, postmortemId: string): Promise<void> {
    await this.deps.jobs.removeJob(tx, reminderJobKey(postmortemId));
  }

  /** The timer job. `moved`: the due date moved later and the timer with it. */
  async remind(payload: RemindPayload): Promise<'queued' | 'nobody' | 'moved' | 'closed'> {
    return this.deps.database.transaction(async (tx) => {
      const row = await tx.db.selectFrom('postmortems').select(['id', 'status', 'due_at', 'owner_user_id']).where('id', '=', payload.postmortemId).executeTakeFirst();
      if (!row || row.status === 'published' || row.due_at === null) return 'closed' as const;
      const now = this.deps.clock.now();
      const due = Number(row.due_at);
      // The latest reminder instant not after now; none yet when the due date moved later meanwhile.
      const slot = reminderInstants(due, Number.MIN_SAFE_INTEGER, now + 1).at(-1);
      const next = nextReminderAt(due, now);
      if (next !== null) await this.deps.jobs.addJob<RemindPayload>(tx, { task: REMIND_TASK, key: reminderJobKey(row.id), runAt: next, payload: { postmortemId: row.id } });
      if (slot === undefined) return 'moved' as const;
      if (row.owner_user_id === null) return 'nobody' as const;
      await this.deps.jobs.addJob<SendReminderPayload>(tx, { task: SEND_REMINDER_TASK, key: sendReminderJobKey(row.id, slot), runAt: now, payload: { postmortemId: row.id, slot }, maxAttempts: SEND_MAX_ATTEMPTS });
      return 'queued' as const;
    });
  }

  /** The send job: mails the owner, unless it was published meanwhile. Throws to be retried. */
  async send(payload: SendReminderPayload, options: { signal?: AbortSignal } = {}): Promise<'sent' | 'skipped' | 'failed'> {
    const db = this.deps.database.db;
    const row = await db.selectFrom('postmortems').selectAll().where('id', '=', payload.postmortemId).executeTakeFirst();
    if (!row || row.status === 'published' || row.due_at === null || row.owner_user_id === null) return 'skipped';
    const owner = await db.selectFrom('users').select(['id', 'handle', 'name', 'email', 'time_zone', 'deactivated_at']).where('id', '=', row.owner_user_id).executeTakeFirst();
    if (!owner || owner.deactivated_at !== null) return 'skipped';
    const channel = this.deps.channels.email;
    if (!channel) throw new ChannelError(channelUnavailableMessage('email'), false);
    const message = await this.message(db, row, owner, this.deps.clock.now());
    try {
      await channel.send(
        { to: { type: 'email', email: owner.email, name: owner.name }, subject: message.subject, text: message.text, kind: 'notification', idempotencyKey: `postmortem-reminder:${row.id}:${payload.slot}`, recipient: { id: owner.id, handle: owner.handle, name: owner.name } },
        options.signal ? { signal: options.signal } : {},
      );
      return 'sent';
    } catch (error) {
      if (error instanceof ChannelError && error.permanent) return 'failed';
      throw error;
    }
  }

  private async message(db: Kysely<Database>, row: PostmortemRow, owner: { name: string; time_zone: string }, now: number): Promise<{ subject: string; text: string }> {
    const pm = postmortemReference(row.number);
    const due = Number(row.due_at);
    const incident = row.incident_id ? await db.selectFrom('incidents').select(['number']).where('id', '=', row.incident_id).executeTakeFirst() : undefined;
    const when = new Intl.DateTimeFormat('en-GB', { timeZone: owner.time_zone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' }).format(due);
    const overdue = now > due;
    const days = Math.max(1, Math.round(Math.abs(due - now) / 86_400_000));
    const subject = `[${pm}] Postmortem ${overdue ? 'overdue' : 'due soon'}`.slice(0, MAX_SUBJECT_LENGTH);
    const of = incident ? ` of ${incidentReference(Number(incident.number))}` : '';
    const status = row.status === 'in_review' ? 'It is in review: once every named reviewer approved, publish it.' : 'It is still a draft: finish it and submit it for review.';
    const text = [
      `Hello ${owner.name},`,
      '',
      `${pm}: ${row.title}`,
      `The postmortem${of} you own ${overdue ? `was due ${when} (${days} day${days === 1 ? '' : 's'} ago)` : `is due ${when}`}.`,
      status,
      '',
      `Open it: ${this.deps.publicUrl.replace(/\/+$/, '')}/postmortems/${pm}`,
      '',
      'You receive this because you own this postmortem and the postmortem policy required it. Reminders stop once it is published.',
    ].join('\n');
    return { subject, text };
  }
}
