import type { Clock } from '../../../platform/clock.js';
import type { FirebreakDatabase } from '../../../platform/db/database.js';
import type { IdGenerator } from '../../../platform/ids.js';
import type { JobScheduler } from '../../../platform/jobs/job-queue.js';
import type { AuditLog } from '../../audit/audit.repo.js';
import type { IncidentService } from '../../incidents/incident.service.js';
import type { PostmortemPolicyService } from '../../incidents/rules/postmortem-policy.service.js';
import type { Channels } from '../../notify/channels/channel.js';
import type { StatusPageService } from '../../statuspages/statuspage.service.js';
import type { PostmortemDocuments } from './review.ports.js';
import { PostmortemReminders } from './review.reminders.js';
import { RequiredPostmortems } from './review.required.js';
import { PostmortemReview } from './review.service.js';

export { postmortemReviewRoutes } from './review.routes.js';
export { registerPostmortemReviewJobs } from './review.jobs.js';
export { publicPostmortemRoutes } from './review.public.js';

/** The review part of postmortems: lifecycle and publication, required postmortems, due reminders. */
export interface PostmortemReviewPart {
  review: PostmortemReview;
  reminders: PostmortemReminders;
  required: RequiredPostmortems;
}

/**
 * Builds the part and registers the required-postmortem extension with the incident service. Call
 * after the postmortem policy was registered (`createIncidentRules`): the extension reads the verdict
 * the policy stores in the same resolving transaction.
 *
 * @example
 *   const postmortemReview = createPostmortemReview({ …, documents: postmortems, policy: incidentRules.postmortem });
 *   // routes: postmortemReviewRoutes(postmortemReview.review); jobs: registerPostmortemReviewJobs(runner, postmortemReview.reminders, logger)
 */
export function createPostmortemReview(deps: {
  database: FirebreakDatabase;
  clock: Clock;
  ids: IdGenerator;
  audit: AuditLog;
  jobs: JobScheduler;
  channels: Channels;
  incidents: IncidentService;
  policy: PostmortemPolicyService;
  statusPages: StatusPageService;
  documents: PostmortemDocuments;
  publicUrl: string;
}): PostmortemReviewPart {
  const reminders = new PostmortemReminders({ database: deps.database, clock: deps.clock, jobs: deps.jobs, channels: deps.channels, publicUrl: deps.publicUrl });
  const review = new PostmortemReview({ database: deps.database, clock: deps.clock, ids: deps.ids, audit: deps.audit, incidents: deps.incidents, statusPages: deps.statusPages, documents: deps.documents, reminders, publicUrl: deps.publicUrl });
  const required = new RequiredPostmortems({ clock: deps.clock, audit: deps.audit, policy: deps.policy, documents: deps.documents, reminders });
  deps.incidents.addExtension(required.extension);
  // A deleted draft has no reminders left to send.
  deps.documents.onDeleted(async (tx, row) => reminders.stop(tx, row.id));
  return { review, reminders, required };
}
