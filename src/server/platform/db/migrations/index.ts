import type { Migration } from 'kysely';
import * as foundation from './0001-foundation.js';
import * as notify from './0002-notify.js';
import * as oncall from './0003-oncall.js';
import * as alerts from './0004-alerts.js';
import * as integrationAuth from './0005-integration-auth.js';
import * as counters from './0006-counters.js';
import * as intakeFormats from './0007-intake-formats.js';
import * as heartbeatsEmail from './0008-heartbeats-email.js';
import * as routing from './0009-routing.js';
import * as suppression from './0010-suppression.js';
import * as alertAssignment from './0011-alert-assignment.js';
import * as escalations from './0012-escalations.js';
import * as configNames from './0013-config-names.js';
import * as pageActionLinks from './0014-page-action-links.js';
import * as notificationProviders from './0015-notification-providers.js';
import * as pagingActions from './0016-paging-actions.js';
import * as incidents from './0017-incidents.js';
import * as severitiesRulesPostmortemPolicy from './0021-severities-rules-postmortem-policy.js';
import * as stakeholderUpdates from './0020-stakeholder-updates.js';
import * as incidentWork from './0018-incident-work.js';
import * as changes from './0019-changes.js';
import * as incidentResponders from './0022-incident-responders.js';
import * as statusPages from './0023-status-pages.js';
import * as pageDigestIndex from './0024-page-digest-index.js';
import * as postmortems from './0025-postmortems.js';
import * as statusIncidentLinks from './0026-status-incident-links.js';
import * as statusSubscribers from './0027-status-subscribers.js';
import * as statusPageAccess from './0028-status-page-access.js';
import * as eventLogByService from './0029-event-log-by-service.js';

/**
 * Every migration, in order. Listed statically (not read from a folder) so the same list works from
 * TypeScript sources, the compiled build and tests. Names never change once released.
 */
export const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-notify': notify,
  '0003-oncall': oncall,
  '0004-alerts': alerts,
  '0005-integration-auth': integrationAuth,
  '0006-counters': counters,
  '0007-intake-formats': intakeFormats,
  '0008-heartbeats-email': heartbeatsEmail,
  '0009-routing': routing,
  '0010-suppression': suppression,
  '0011-alert-assignment': alertAssignment,
  '0012-escalations': escalations,
  '0013-config-names': configNames,
  '0014-page-action-links': pageActionLinks,
  '0015-notification-providers': notificationProviders,
  '0016-paging-actions': pagingActions,
  '0017-incidents': incidents,
  '0018-incident-work': incidentWork,
  '0019-changes': changes,
  '0020-stakeholder-updates': stakeholderUpdates,
  '0021-severities-rules-postmortem-policy': severitiesRulesPostmortemPolicy,
  '0022-incident-responders': incidentResponders,
  '0023-status-pages': statusPages,
  '0024-page-digest-index': pageDigestIndex,
  '0025-postmortems': postmortems,
  '0026-status-incident-links': statusIncidentLinks,
  '0027-status-subscribers': statusSubscribers,
  '0028-status-page-access': statusPageAccess,
  '0029-event-log-by-service': eventLogByService,
};
