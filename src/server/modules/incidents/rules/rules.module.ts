import type { Clock } from '../../../platform/clock.js';
import type { FirebreakDatabase } from '../../../platform/db/database.js';
import type { IdGenerator } from '../../../platform/ids.js';
import type { JobRunner } from '../../../platform/jobs/job-runner.js';
import type { JobScheduler } from '../../../platform/jobs/job-queue.js';
import type { Logger } from '../../../platform/logger.js';
import type { AuditLog } from '../../audit/audit.repo.js';
import type { ServiceCatalog } from '../../services/service.service.js';
import type { IncidentService } from '../incident.service.js';
import { IncidentRuleService, RULE_COMMANDER_TASK, RULE_DECLARE_TASK, type RuleCommanderPayload, type RuleDeclarePayload } from './incident-rules.service.js';
import { PostmortemPolicyService } from './postmortem-policy.service.js';
import { SeverityCatalog } from './severity-catalog.js';

/** Severities, auto-declare rules and the postmortem policy (ADR 0033). */
export interface IncidentRules {
  severities: SeverityCatalog;
  rules: IncidentRuleService;
  postmortem: PostmortemPolicyService;
}

/**
 * Builds the part in two steps: the severity catalog first (the incident service reads it), then,
 * once the incident service exists, the rules and the policy, registered as its extensions.
 *
 * @example
 *   const severities = createSeverityCatalog({ database, clock, audit });
 *   const incidents = new IncidentService({ …, severities });
 *   const incidentRules = createIncidentRules({ …, severities, incidents });
 *   // alert hooks: incidentRules.rules.alertHooks
 */
export function createSeverityCatalog(deps: { database: FirebreakDatabase; clock: Clock; audit: AuditLog }): SeverityCatalog {
  return new SeverityCatalog(deps);
}

export function createIncidentRules(deps: { database: FirebreakDatabase; clock: Clock; ids: IdGenerator; audit: AuditLog; services: ServiceCatalog; jobs: JobScheduler; severities: SeverityCatalog; incidents: IncidentService }): IncidentRules {
  const rules = new IncidentRuleService(deps);
  const postmortem = new PostmortemPolicyService(deps);
  deps.incidents.addExtension(rules.extension);
  deps.incidents.addExtension(postmortem.extension);
  return { severities: deps.severities, rules, postmortem };
}

/** The rules' two jobs; both idempotent (the alert's declaration row; a vacant commander role). */
export function registerIncidentRuleJobs(runner: JobRunner, rules: IncidentRuleService, logger: Logger): void {
  runner.register<RuleDeclarePayload>(RULE_DECLARE_TASK, async ({ payload, job }) => {
    const outcome = await rules.runDeclare(payload);
    logger.info({ task: job.task, alertId: payload.alertId, ruleId: payload.ruleId, outcome }, `incident rule ${outcome}`);
  });
  runner.register<RuleCommanderPayload>(RULE_COMMANDER_TASK, async ({ payload, job }) => {
    const outcome = await rules.runCommander(payload);
    logger.info({ task: job.task, alertId: payload.alertId, outcome }, `incident rule commander ${outcome}`);
  }, { backoff: { baseMs: 1_000, capMs: 30_000 } });
}
