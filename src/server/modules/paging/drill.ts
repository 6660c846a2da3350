import { AppError } from '../../../contracts/errors.js';
import type { ContactMethodType } from '../../../contracts/notify.js';
import type { PolicyDrill } from '../../../contracts/paging.js';
import { drillLifetimeMs, drillReport, type DrillPage } from '../../../core/escalation/drill.js';
import type { EscalationState } from '../../../core/escalation/engine.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { JobScheduler } from '../../platform/jobs/job-queue.js';
import type { AlertRow } from '../alerts/alert.repo.js';
import type { AlertService } from '../alerts/alert.service.js';
import { AuditLog } from '../audit/audit.repo.js';
import type { Acting } from '../catalog/catalog.service.js';
import { policyDefinition } from '../oncall/escalation.service.js';
import { assertCanManage } from '../oncall/oncall.access.js';
import type { PolicyRow } from '../oncall/oncall.repo.js';
import type { ServiceCatalog } from '../services/service.service.js';
import { TEST_PAGE_END_TASK, testPageEndJobKey } from './paging.service.js';
import { ensureSelfTestService, SELF_TEST_SERVICE, type TestPageEndPayload } from './test-page.js';

/** The label naming the policy a drill alert drills. */
export const DRILL_LABEL = 'firebreak.drill';
/** The label naming who started it. */
const DRILL_BY_LABEL = 'firebreak.drill.by';

const iso = (ms: number) => new Date(ms).toISOString();
const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);

/**
 * Drills of an escalation policy (docs/paging.md, "Drills"): "does this policy really reach someone,
 * and how fast?". A drill opens a test alert on the internal self-test service, assigned to the policy,
 * so the escalation engine walks it exactly as it would a real alert — the same schedules, each
 * person's own notification rules and delays, the same providers and failover — with every page marked
 * as a test (subject `[TEST]`). Acknowledging it the usual way (link, reply, button, app) answers the
 * drill and resolves it; nobody answering lets it escalate to the end, and it resolves itself after the
 * policy's full length plus 30 minutes. The report says, step by step, who was paged, through what, and
 * how long until the acknowledgement or the next step.
 */
export class PolicyDrills {
  private readonly audit: AuditLog;

  constructor(private readonly deps: { database: FirebreakDatabase; clock: Clock; ids: IdGenerator; jobs: JobScheduler; alerts: AlertService; services: ServiceCatalog }) {
    this.audit = new AuditLog(deps.ids, () => deps.clock.now());
  }

  private async requirePolicy(ref: string): Promise<PolicyRow> {
    const policy = (await this.deps.database.db.selectFrom('escalation_policies').selectAll().where('deleted_at', 'is', null).where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref)])).executeTakeFirst()) as PolicyRow | undefined;
    if (!policy) throw new AppError('NOT_FOUND', `Escalation policy \`${ref}\` does not exist`);
    return policy;
  }

  /** Starts a drill: org admins, or team admins of the team owning the policy (it pages real people). */
  async start(acting: Acting, ref: string): Promise<PolicyDrill> {
    const policy = await this.requirePolicy(ref);
    assertCanManage(acting, policy.team_id, `Escalation policy \`${policy.handle}\``);
    await ensureSelfTestService(this.deps);
    const service = await this.deps.services.find(this.deps.database.db, SELF_TEST_SERVICE);
    if (!service) throw new Error('the self-test service is missing');
    const definition = policyDefinition(policy);
    const alertId = await this.deps.database.transaction(async (tx) => {
      const now = this.deps.clock.now();
      const alert = await this.deps.alerts.openRequested(tx, acting, {
        serviceId: service.id,
        dedupKey: `drill:${policy.id}:${this.deps.ids()}`,
        title: `Drill of escalation policy ${policy.name}`,
        description: `A drill started by ${acting.actor.label}: it walks escalation policy ${policy.name} as a real alert would, with every page marked as a test. Acknowledge it to answer the drill; it resolves itself then, or after ${Math.round(drillLifetimeMs(definition) / 60_000)} minutes.`,
        labels: { 'firebreak.test': 'true', [DRILL_LABEL]: policy.id, [DRILL_BY_LABEL]: acting.actor.label },
        links: [],
        assignee: { kind: 'escalationPolicy', id: policy.id, label: policy.name },
      });
      await this.deps.jobs.addJob<TestPageEndPayload>(tx, { task: TEST_PAGE_END_TASK, key: testPageEndJobKey(alert.id), runAt: now + drillLifetimeMs(definition), payload: { alertId: alert.id } });
      await this.audit.record(tx.db, acting.actor, { action: 'escalation-policy.drill', targetType: 'escalation-policy', targetId: policy.id, after: { alertId: alert.id, alertNumber: alert.number } });
      return alert.id;
    });
    return this.report(policy, alertId);
  }

  /** The latest drills of a policy, newest first. */
  async list(ref: string, limit = 20): Promise<PolicyDrill[]> {
    const policy = await this.requirePolicy(ref);
    const rows = await this.drillAlerts(policy, limit);
    return Promise.all(rows.map((row) => this.report(policy, row.id)));
  }

  /** One drill by its alert (id or number). */
  async get(ref: string, drillRef: string): Promise<PolicyDrill> {
    const policy = await this.requirePolicy(ref);
    const alert = await this.deps.alerts.require(this.deps.database.db, drillRef.replace(/^#/, '')).catch(() => null);
    if (!alert || (JSON.parse(alert.labels_json) as Record<string, string>)[DRILL_LABEL] !== policy.id) throw new AppError('NOT_FOUND', `No drill \`${drillRef}\` of escalation policy \`${policy.handle}\``);
    return this.report(policy, alert.id);
  }

  private async drillAlerts(policy: PolicyRow, limit: number): Promise<AlertRow[]> {
    const db = this.deps.database.db;
    const service = await this.deps.services.find(db, SELF_TEST_SERVICE);
    if (!service) return [];
    // Drills are few: the self-test service's alerts, filtered by their label.
    const rows = await db.selectFrom('alerts').selectAll().where('service_id', '=', service.id).orderBy('id', 'desc').limit(500).execute();
    return rows.filter((r) => (JSON.parse(r.labels_json) as Record<string, string>)[DRILL_LABEL] === policy.id).slice(0, limit) as AlertRow[];
  }

  private async report(policy: PolicyRow, alertId: string): Promise<PolicyDrill> {
    const db = this.deps.database.db;
    const alert = await this.deps.alerts.require(db, alertId);
    const escalation = await db.selectFrom('escalations').selectAll().where('alert_id', '=', alert.id).executeTakeFirst();
    const state = escalation ? (JSON.parse(escalation.state_json) as EscalationState) : null;
    const rows = await db.selectFrom('page_notifications').selectAll().where('alert_id', '=', alert.id).where('kind', '=', 'page').orderBy('created_at').orderBy('id').execute();
    const pages: DrillPage[] = rows.map((r) => ({ level: r.level, round: r.round, generation: r.generation, userId: r.user_id, channel: r.channel, address: r.address, status: r.status, sentAt: r.sent_at === null ? null : Number(r.sent_at), deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at) }));
    const startedAt = Number(alert.first_seen_at);
    const report = drillReport({
      startedAt,
      steps: state?.fired ?? [],
      pages,
      escalationStatus: state?.status ?? null,
      alert: { status: alert.status as 'triggered' | 'acknowledged' | 'resolved', acknowledgedAt: alert.acknowledged_at === null ? null : Number(alert.acknowledged_at), resolvedAt: alert.resolved_at === null ? null : Number(alert.resolved_at) },
      now: this.deps.clock.now(),
    });
    const userIds = [...new Set([...report.steps.flatMap((s) => s.userIds), ...pages.map((p) => p.userId)])];
    const users = userIds.length === 0 ? [] : await db.selectFrom('users').select(['id', 'handle']).where('id', 'in', userIds).execute();
    const handle = (id: string) => users.find((u) => u.id === id)?.handle ?? id;
    const labels = JSON.parse(alert.labels_json) as Record<string, string>;
    return {
      alertId: alert.id,
      alertNumber: Number(alert.number),
      policy: { id: policy.id, handle: policy.handle, name: policy.name },
      startedAt: iso(startedAt),
      startedBy: labels[DRILL_BY_LABEL] ?? 'Firebreak',
      status: report.status,
      acknowledgedAt: alert.acknowledged_at === null ? null : iso(Number(alert.acknowledged_at)),
      acknowledgedBy: alert.acknowledged_by,
      timeToAcknowledgeSeconds: seconds(report.timeToAcknowledgeMs),
      endsAt: iso(startedAt + drillLifetimeMs(policyDefinition(policy))),
      steps: report.steps.map((s) => ({
        level: s.level,
        round: s.round,
        firedAt: iso(s.firedAt),
        people: s.userIds.map((id) => ({ id, handle: handle(id) })),
        pages: s.pages.map((p) => ({ userHandle: handle(p.userId), channel: p.channel as ContactMethodType, address: p.address, status: p.status, sentAt: p.sentAt === null ? null : iso(p.sentAt), deliveredAt: p.deliveredAt === null ? null : iso(p.deliveredAt) })),
        outcome: s.outcome,
        acknowledgedAfterSeconds: seconds(s.acknowledgedAfterMs),
        waitedSeconds: seconds(s.waitedMs) ?? 0,
      })),
    };
  }
}
