import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { AuditLog } from '../audit/audit.repo.js';
import { CalendarFeedService } from './calendar-feed.service.js';
import { EscalationService } from './escalation.service.js';
import { HoursReportService } from './hours-report.js';
import { ScheduleService, verifiedContactMethods, type VerifiedContactLookup } from './schedule.service.js';
import { OncallUserReferences } from './user-references.js';

/** The on-call module's services, built together because they share the schedule service. */
export interface Oncall {
  schedules: ScheduleService;
  policies: EscalationService;
  feeds: CalendarFeedService;
  hours: HoursReportService;
  /** Register with the catalog (`catalog.addUserReferenceChecker`) so deactivation checks schedules and policies. */
  userReferences: OncallUserReferences;
}

export function createOncall(deps: {
  database: FirebreakDatabase;
  clock: Clock;
  ids: IdGenerator;
  audit: AuditLog;
  publicUrl: string;
  /** Who has a verified contact method; defaults to notify's contact_methods table. */
  verifiedContacts?: VerifiedContactLookup;
}): Oncall {
  const base = { database: deps.database, clock: deps.clock, ids: deps.ids, audit: deps.audit };
  const schedules = new ScheduleService({ ...base, verifiedContacts: deps.verifiedContacts ?? verifiedContactMethods });
  const policies = new EscalationService({ ...base, schedules });
  return {
    schedules,
    policies,
    feeds: new CalendarFeedService({ ...base, schedules, publicUrl: deps.publicUrl }),
    hours: new HoursReportService({ ...base, schedules }),
    userReferences: new OncallUserReferences({ clock: deps.clock, audit: deps.audit, schedules, policies }),
  };
}
