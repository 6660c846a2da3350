import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { PostmortemPolicy, postmortemPolicySchema, postmortemPolicyViewSchema, postmortemRequestSchema } from '../../../../contracts/incident-rules.js';
import type { Incident } from '../../../../contracts/incidents.js';
import { defaultPostmortemPolicy, evaluatePostmortemPolicy, postmortemDueDays, verdictSummary, type PostmortemVerdict } from '../../../../core/incidents/postmortem-policy.js';
import type { Clock } from '../../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../../platform/db/database.js';
import type { Database } from '../../../platform/db/schema.js';
import { validationError } from '../../../platform/http/errors.js';
import type { AuditLog } from '../../audit/audit.repo.js';
import type { Acting } from '../../catalog/catalog.service.js';
import type { IncidentExtension, IncidentService } from '../incident.service.js';
import { postmortemView, reference, type IncidentRow } from '../incident.repo.js';
import type { SeverityCatalog } from './severity-catalog.js';

type PolicyView = z.infer<typeof postmortemPolicyViewSchema>;

const POLICY_ID = 'default';
const DAY_MS = 24 * 60 * 60_000;

/**
 * The postmortem policy (issue 8 "When a postmortem is required", ADR 0033): a stored setting, evaluated
 * in the transaction that resolves an incident (an incident extension), its verdict stored on the
 * incident and written on the timeline. Anyone may ask for a postmortem, before or after resolution.
 */
export class PostmortemPolicyService {
  constructor(private readonly deps: { database: FirebreakDatabase; clock: Clock; audit: AuditLog; severities: SeverityCatalog; incidents: IncidentService }) {
    deps.severities.addUsers(async (db, key) => ((await this.policyIn(db)).policy.severities.includes(key) ? ['the postmortem policy'] : []));
  }

  private readonly lateRequestListeners: Array<(tx: Tx, acting: Acting, incident: IncidentRow) => Promise<void>> = [];

  /**
   * Hears of a postmortem asked for after the incident resolved (the verdict turns required then, not
   * on resolve), in the request's transaction: the postmortems part starts the required one.
   */
  onRequiredAfterResolution(listener: (tx: Tx, acting: Acting, incident: IncidentRow) => Promise<void>): void {
    this.lateRequestListeners.push(listener);
  }

  async policyIn(db: Kysely<Database>): Promise<{ policy: PostmortemPolicy; updatedAt: number | null; updatedBy: string | null }> {
    const row = await db.selectFrom('postmortem_policy').selectAll().where('id', '=', POLICY_ID).executeTakeFirst();
    if (!row) return { policy: { ...defaultPostmortemPolicy, severities: [...defaultPostmortemPolicy.severities], dueDays: postmortemDueDays(defaultPostmortemPolicy) }, updatedAt: null, updatedBy: null };
    const stored = JSON.parse(row.policy_json) as PostmortemPolicy;
    // A policy stored before `dueDays` existed reads with the default.
    return { policy: { ...stored, dueDays: postmortemDueDays(stored) }, updatedAt: Number(row.updated_at), updatedBy: row.updated_by };
  }

  async get(): Promise<PolicyView> {
    const { policy, updatedAt, updatedBy } = await this.policyIn(this.deps.database.db);
    return { ...policy, dueDays: postmortemDueDays(policy), updatedAt: updatedAt === null ? null : new Date(updatedAt).toISOString(), updatedBy };
  }

  /** `PUT /api/v1/postmortem-policy`: replaces the policy; unknown severities → 400 naming the item. */
  async put(acting: Acting, input: z.output<typeof postmortemPolicySchema>): Promise<PolicyView> {
    return this.deps.database.transaction((tx) => this.putIn(tx, acting, input, 'body'));
  }

  /**
   * Replaces the policy inside a transaction: the API's `put`, and config apply (`kind:
   * PostmortemPolicy`, issues at `spec.…`). Same checks, same audit entry.
   */
  async putIn(tx: Tx, acting: Acting, input: z.output<typeof postmortemPolicySchema>, at: 'body' | 'spec'): Promise<PolicyView> {
    const db = tx.db;
    const known = (await this.deps.severities.read(db)).map((s) => s.key);
    const severities: string[] = [];
    const issues = input.severities.flatMap((s, i) => {
      const key = known.find((k) => k.toLowerCase() === s.toLowerCase());
      if (!key) return [{ path: `${at}.severities.${i}`, message: `unknown severity \`${s}\`; known: ${known.join(', ')}` }];
      if (!severities.includes(key)) severities.push(key);
      return [];
    });
    if (issues.length > 0) throw validationError(issues);
    const before = await this.policyIn(db);
    // `dueDays` omitted keeps the stored value: a client that predates it does not reset it.
    const policy: PostmortemPolicy = { severities, customerImpactMinutes: input.customerImpactMinutes, repeatWithinDays: input.repeatWithinDays, dueDays: input.dueDays ?? postmortemDueDays(before.policy) };
    const now = this.deps.clock.now();
    await db
      .insertInto('postmortem_policy')
      .values({ id: POLICY_ID, policy_json: JSON.stringify(policy), updated_at: now, updated_by: acting.actor.label })
      .onConflict((oc) => oc.column('id').doUpdateSet({ policy_json: JSON.stringify(policy), updated_at: now, updated_by: acting.actor.label }))
      .execute();
    await this.deps.audit.record(db, acting.actor, { action: 'postmortem-policy.update', targetType: 'postmortem-policy', targetId: POLICY_ID, before: before.policy, after: policy });
    return { ...policy, dueDays: postmortemDueDays(policy), updatedAt: new Date(now).toISOString(), updatedBy: acting.actor.label };
  }

  /** Back to the defaults (config `--prune` with no PostmortemPolicy document): the stored row goes, audited. */
  async resetIn(tx: Tx, acting: Acting): Promise<void> {
    const before = await this.policyIn(tx.db);
    if (before.updatedAt === null) return;
    await tx.db.deleteFrom('postmortem_policy').where('id', '=', POLICY_ID).execute();
    await this.deps.audit.record(tx.db, acting.actor, { action: 'postmortem-policy.update', targetType: 'postmortem-policy', targetId: POLICY_ID, before: before.policy, after: (await this.policyIn(tx.db)).policy });
  }

  /** The verdict for an incident as it stands (resolved or not: impact runs to now's mitigation or resolution). */
  async verdictIn(db: Kysely<Database>, incident: IncidentRow): Promise<PostmortemVerdict> {
    const { policy } = await this.policyIn(db);
    const related =
      policy.repeatWithinDays === null
        ? []
        : await db
            .selectFrom('incident_services as mine')
            .innerJoin('incident_services as theirs', 'theirs.service_id', 'mine.service_id')
            .innerJoin('incidents', 'incidents.id', 'theirs.incident_id')
            .innerJoin('services', 'services.id', 'mine.service_id')
            .select(['incidents.number', 'incidents.detected_at', 'services.handle'])
            .where('mine.incident_id', '=', incident.id)
            .where('theirs.incident_id', '<>', incident.id)
            .where('incidents.detected_at', '>=', Number(incident.detected_at) - policy.repeatWithinDays * DAY_MS)
            .where('incidents.detected_at', '<=', Number(incident.detected_at) + policy.repeatWithinDays * DAY_MS)
            .execute();
    return evaluatePostmortemPolicy(policy, {
      severity: incident.severity,
      detectedAt: Number(incident.detected_at),
      mitigatedAt: incident.mitigated_at === null ? null : Number(incident.mitigated_at),
      resolvedAt: incident.resolved_at === null ? null : Number(incident.resolved_at),
      related: related.map((r) => ({ reference: reference(Number(r.number)), serviceHandle: r.handle.split('~deleted~')[0] as string, detectedAt: Number(r.detected_at) })),
      requestedBy: incident.postmortem_requested_by ?? null,
    });
  }

  /** Evaluates the policy in the resolving transaction: stored on the incident, a milestone on the timeline. */
  readonly extension: IncidentExtension = {
    statusChanged: async (tx, _acting, incident, change) => {
      if (change.to !== 'resolved' || change.from === 'resolved') return;
      const verdict = await this.verdictIn(tx.db, incident);
      await tx.db.updateTable('incidents').set({ postmortem_required: verdict.required ? 1 : 0, postmortem_reasons_json: JSON.stringify(verdict.reasons) }).where('id', '=', incident.id).execute();
      await this.deps.incidents.appendTimeline(tx, incident, [{ kind: 'milestone', action: 'postmortem-policy', actor: null, summary: verdictSummary(verdict), data: verdict }], 'postmortem-policy');
    },
  };

  /**
   * `POST /api/v1/incidents/{incident}/postmortem-request`: anyone may ask for a postmortem. Before
   * resolution it is remembered (the policy then requires one); after, the verdict becomes required at
   * once. Asking again changes nothing.
   */
  async request(acting: Acting, ref: string, input: z.output<typeof postmortemRequestSchema>): Promise<Incident> {
    await this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const row = await this.deps.incidents.require(db, ref);
      if (row.postmortem_requested_by !== null) return;
      const by = acting.principal?.userHandle ?? acting.actor.label;
      const result = await db.updateTable('incidents').set({ postmortem_requested_by: by }).where('id', '=', row.id).where('postmortem_requested_by', 'is', null).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return;
      const before = postmortemView(row);
      let stored: IncidentRow = { ...row, postmortem_requested_by: by };
      if (row.status === 'resolved') {
        const verdict = await this.verdictIn(db, stored);
        await db.updateTable('incidents').set({ postmortem_required: 1, postmortem_reasons_json: JSON.stringify(verdict.reasons) }).where('id', '=', row.id).execute();
        stored = { ...stored, postmortem_required: 1, postmortem_reasons_json: JSON.stringify(verdict.reasons) };
      }
      await this.deps.incidents.appendTimeline(tx, row, [{ kind: 'milestone', action: 'postmortem-requested', actor: acting.actor.label, summary: `${by} asked for a postmortem${input.reason ? `: ${input.reason}` : ''}`, data: { reason: input.reason ?? null } }], 'postmortem-request');
      if (row.status === 'resolved') for (const listener of this.lateRequestListeners) await listener(tx, acting, stored);
      await this.deps.audit.record(db, acting.actor, { action: 'incident.postmortem-request', targetType: 'incident', targetId: row.id, before, after: postmortemView(stored) });
    });
    return this.deps.incidents.get(ref);
  }
}
