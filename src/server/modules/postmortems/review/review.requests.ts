import type { FirebreakDatabase, Tx } from '../../../platform/db/database.js';
import type { JobScheduler } from '../../../platform/jobs/job-queue.js';
import { reference as incidentReference } from '../../incidents/incident.repo.js';
import { ChannelError, channelUnavailableMessage, MAX_SUBJECT_LENGTH, type Channels } from '../../notify/channels/channel.js';
import { postmortemReference } from '../postmortem.lookup.js';

export const REVIEW_REQUEST_TASK = 'postmortems.review-request';
/** One mail per postmortem, review round (its `submitted_at`) and reviewer. */
export const reviewRequestJobKey = (postmortemId: string, round: number, userId: string) => `${REVIEW_REQUEST_TASK}:${postmortemId}:${round}:${userId}`;

export interface ReviewRequestPayload {
  postmortemId: string;
  userId: string;
  /** The submission this mail asks about (`submitted_at`, epoch ms): with the postmortem and reviewer, its idempotency key. */
  round: number;
  /** Who submitted it or named the reviewer (the audit label), for the mail's first line. */
  by: string;
}

/** Attempts per mail; with the review jobs' backoff (30 s doubling to 15 minutes) about an hour of trying. */
const SEND_MAX_ATTEMPTS = 10;

/**
 * "Please review" mails to the named reviewers of a postmortem submitted for review (and to reviewers
 * named while it is in review). Queued as keyed jobs in the submitting transaction, so a mail is
 * promised exactly when the submission commits, survives a restart, and is retried while the mail
 * server is down; the job key is the message's idempotency key, so a replayed job sends nothing twice.
 * A mail whose round is over (withdrawn, published, submitted again) or whose reviewer was removed or
 * deactivated meanwhile is dropped: it would ask for something nobody needs any more.
 */
export class ReviewRequests {
  constructor(private readonly deps: { database: FirebreakDatabase; clock: { now(): number }; jobs: JobScheduler; channels: Channels; publicUrl: string }) {}

  /** Queues one mail per reviewer in the caller's transaction; the person asking (`by.userId`) is not mailed. */
  async queue(tx: Tx, postmortemId: string, round: number, userIds: readonly string[], by: { userId: string | null; label: string }): Promise<number> {
    let queued = 0;
    for (const userId of new Set(userIds)) {
      if (userId === by.userId) continue;
      await this.deps.jobs.addJob<ReviewRequestPayload>(tx, {
        task: REVIEW_REQUEST_TASK,
        key: reviewRequestJobKey(postmortemId, round, userId),
        runAt: this.deps.clock.now(),
        payload: { postmortemId, userId, round, by: by.label },
        maxAttempts: SEND_MAX_ATTEMPTS,
      });
      queued += 1;
    }
    return queued;
  }

  /** The send job. Throws to be retried; a permanent refusal ends it as `failed`. */
  async send(payload: ReviewRequestPayload, options: { signal?: AbortSignal } = {}): Promise<'sent' | 'skipped' | 'failed'> {
    const db = this.deps.database.db;
    const row = await db.selectFrom('postmortems').selectAll().where('id', '=', payload.postmortemId).executeTakeFirst();
    if (!row || row.status !== 'in_review' || Number(row.submitted_at) !== payload.round) return 'skipped';
    const named = await db.selectFrom('postmortem_reviewers').select('user_id').where('postmortem_id', '=', row.id).where('user_id', '=', payload.userId).executeTakeFirst();
    if (!named) return 'skipped';
    const user = await db.selectFrom('users').select(['id', 'handle', 'name', 'email', 'deactivated_at']).where('id', '=', payload.userId).executeTakeFirst();
    if (!user || user.deactivated_at !== null) return 'skipped';
    const channel = this.deps.channels.email;
    if (!channel) throw new ChannelError(channelUnavailableMessage('email'), false);
    const pm = postmortemReference(Number(row.number));
    const incident = row.incident_id ? await db.selectFrom('incidents').select('number').where('id', '=', row.incident_id).executeTakeFirst() : undefined;
    const reviewers = await db
      .selectFrom('postmortem_reviewers')
      .innerJoin('users', 'users.id', 'postmortem_reviewers.user_id')
      .select('users.name')
      .where('postmortem_reviewers.postmortem_id', '=', row.id)
      .orderBy('postmortem_reviewers.added_at')
      .orderBy('users.handle')
      .execute();
    const subject = `[${pm}] Review requested`.slice(0, MAX_SUBJECT_LENGTH);
    const text = [
      `Hello ${user.name},`,
      '',
      `${payload.by} asks you to review a postmortem, as one of its named reviewers:`,
      '',
      `${pm}: ${row.title}${incident ? ` (${incidentReference(Number(incident.number))})` : ''}`,
      `Reviewers: ${reviewers.map((r) => r.name).join(', ')}`,
      '',
      'Read it, then choose Approve or Request changes under Review. It is published once every named reviewer approved.',
      `Open it: ${this.deps.publicUrl.replace(/\/+$/, '')}/postmortems/${pm}`,
      '',
      'You receive this because you were named as a reviewer of this postmortem.',
    ].join('\n');
    try {
      await channel.send(
        { to: { type: 'email', email: user.email, name: user.name }, subject, text, kind: 'notification', idempotencyKey: reviewRequestJobKey(row.id, payload.round, user.id), recipient: { id: user.id, handle: user.handle, name: user.name } },
        options.signal ? { signal: options.signal } : {},
      );
      return 'sent';
    } catch (error) {
      if (error instanceof ChannelError && error.permanent) return 'failed';
      throw error;
    }
  }
}
