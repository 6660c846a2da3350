import type { Kysely, Selectable } from 'kysely';
import type { z } from 'zod';
import { AppError, type FieldIssue } from '../../../../contracts/errors.js';
import type { createIncidentRuleSchema, IncidentRule, incidentRuleActionSchema, incidentRuleConditionsSchema, updateIncidentRuleSchema } from '../../../../contracts/incident-rules.js';
import { firstMatchingRule, mayMatchService, renderTitle, unknownPlaceholders, type AlertFacts, type AlertSeverity, type IncidentRuleDefinition, type RuleAction, type RuleConditions } from '../../../../core/incidents/rules.js';
import { INCIDENT_COMMANDER } from '../../../../core/incidents/roles.js';
import type { Clock } from '../../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../../platform/db/database.js';
import type { Database, IncidentRulesTable } from '../../../platform/db/schema.js';
import { validationError } from '../../../platform/http/errors.js';
import type { IdGenerator } from '../../../platform/ids.js';
import type { JobScheduler } from '../../../platform/jobs/job-queue.js';
import type { AlertChange, AlertHooks } from '../../alerts/alert.service.js';
import { systemActor, type AuditLog } from '../../audit/audit.repo.js';
import type { Acting } from '../../catalog/catalog.service.js';
import type { ServiceCatalog } from '../../services/service.service.js';
import type { IncidentExtension, IncidentService } from '../incident.service.js';
import { incidentRepo, reference, type IncidentRow } from '../incident.repo.js';
import type { SeverityCatalog } from './severity-catalog.js';

type RuleRow = Selectable<IncidentRulesTable>;

/** The durable job that declares (or links) for one alert a rule matched; keyed per alert. */
export const RULE_DECLARE_TASK = 'incident-rules.declare';
export const ruleDeclareJobKey = (alertId: string) => `${RULE_DECLARE_TASK}:${alertId}`;
export interface RuleDeclarePayload {
  alertId: string;
  ruleId: string;
}

/** The durable job that gives command of an auto-declared incident to whoever first acknowledged its alert. */
export const RULE_COMMANDER_TASK = 'incident-rules.commander';
export const ruleCommanderJobKey = (alertId: string) => `${RULE_COMMANDER_TASK}:${alertId}`;
export interface RuleCommanderPayload {
  alertId: string;
}

/** How long intake trusts its copy of the rules (a change on another node applies within this). */
export const RULE_CACHE_MS = 5_000;

export type RuleDeclareOutcome = 'declared' | 'linked' | 'already-handled' | 'rule-gone' | 'alert-gone';

type ConditionsInput = z.output<typeof incidentRuleConditionsSchema>;
type ActionInput = z.output<typeof incidentRuleActionSchema>;

const definitionOf = (r: RuleRow): IncidentRuleDefinition => ({
  id: r.id,
  name: r.name,
  enabled: Number(r.enabled) === 1,
  position: Number(r.position),
  conditions: JSON.parse(r.conditions_json) as RuleConditions,
  action: JSON.parse(r.action_json) as RuleAction,
});

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Auto-declare rules (issue 6, ADR 0033): "an alert on checkout with severity critical declares a
 * SEV2 incident, linked to the alert".
 *
 * - Matching runs in the new alert's own transaction (an alert hook), on a copy of the rules at most
 *   {@link RULE_CACHE_MS} old, and only queues a durable job keyed by the alert: the job commits with
 *   the alert or not at all, so an alert that triggered is never left without its incident, and one
 *   alert (one dedup burst: later events of the same open alert are not new alerts) queues it once.
 * - The job declares through the incident service; a row keyed by the alert id, written in the
 *   declaration's transaction, makes a replayed job (at-least-once) do nothing.
 * - When an open incident this rule declared for the same service exists, the alert is linked to it
 *   instead of declaring again (an alert storm is one incident).
 * - Command: the rule's commander, else the first person to acknowledge the alert (at declaration if
 *   they already did, else when they do, through a second keyed job).
 */
export class IncidentRuleService {
  private cache: { at: number; rules: IncidentRuleDefinition[] } | null = null;
  /** Acting objects of declarations this service makes, so the `declared` extension knows which alert and rule. */
  private readonly pending = new WeakMap<Acting, { alertId: string; ruleId: string; ruleName: string; serviceId: string; alertNumber: number }>();
  /** Declarations for one rule and service run one at a time in this process (see ADR 0033 for nodes). */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly deps: {
      database: FirebreakDatabase;
      clock: Clock;
      ids: IdGenerator;
      audit: AuditLog;
      services: ServiceCatalog;
      jobs: JobScheduler;
      severities: SeverityCatalog;
      incidents: IncidentService;
    },
  ) {
    deps.severities.addUsers(async (db, key) => {
      const names = (await this.rows(db)).filter((r) => definitionOf(r).action.severity === key).map((r) => r.name);
      return names.length > 0 ? [`incident rule${names.length === 1 ? '' : 's'} ${names.join(', ')}`] : [];
    });
  }

  private get db(): Kysely<Database> {
    return this.deps.database.db;
  }

  private async rows(db: Kysely<Database>): Promise<RuleRow[]> {
    return db.selectFrom('incident_rules').selectAll().orderBy('position').orderBy('name').execute();
  }

  private async rulesIn(db: Kysely<Database>): Promise<IncidentRuleDefinition[]> {
    const now = this.deps.clock.now();
    if (this.cache && now - this.cache.at <= RULE_CACHE_MS) return this.cache.rules;
    const rules = (await this.rows(db)).map(definitionOf);
    this.cache = { at: now, rules };
    return rules;
  }

  private forget(tx: Tx): void {
    this.cache = null;
    tx.afterCommit(() => (this.cache = null));
  }

  // ---- reads

  async views(db: Kysely<Database>, rows: readonly RuleRow[]): Promise<IncidentRule[]> {
    const defs = rows.map(definitionOf);
    const serviceIds = [...new Set(defs.flatMap((d) => d.conditions.services))];
    const userIds = [...new Set(defs.flatMap((d) => (d.action.commanderUserId ? [d.action.commanderUserId] : [])))];
    const services = serviceIds.length > 0 ? await db.selectFrom('services').select(['id', 'handle']).where('id', 'in', serviceIds).execute() : [];
    const users = userIds.length > 0 ? await db.selectFrom('users').select(['id', 'handle']).where('id', 'in', userIds).execute() : [];
    return rows.map((row, i) => {
      const d = defs[i] as IncidentRuleDefinition;
      const commander = d.action.commanderUserId ? users.find((u) => u.id === d.action.commanderUserId) : undefined;
      return {
        id: row.id,
        name: row.name,
        description: row.description,
        enabled: d.enabled,
        position: d.position,
        conditions: {
          services: d.conditions.services.map((id) => ({ id, handle: (services.find((s) => s.id === id)?.handle ?? id).split('~deleted~')[0] as string })),
          alertSeverities: [...d.conditions.alertSeverities],
          urgency: d.conditions.urgency,
          titleContains: d.conditions.titleContains,
          labels: { ...d.conditions.labels },
        },
        action: { severity: d.action.severity, title: d.action.title, commander: commander ? { id: commander.id, handle: commander.handle } : null },
        createdAt: iso(Number(row.created_at)),
        updatedAt: iso(Number(row.updated_at)),
      };
    });
  }

  async list(): Promise<IncidentRule[]> {
    return this.views(this.db, await this.rows(this.db));
  }

  private async find(db: Kysely<Database>, ref: string): Promise<RuleRow | undefined> {
    return db.selectFrom('incident_rules').selectAll().where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref.toLowerCase())])).executeTakeFirst();
  }

  private async require(db: Kysely<Database>, ref: string): Promise<RuleRow> {
    const row = await this.find(db, ref);
    if (!row) throw new AppError('NOT_FOUND', `Incident rule \`${ref}\` does not exist`);
    return row;
  }

  async get(ref: string): Promise<IncidentRule> {
    return (await this.views(this.db, [await this.require(this.db, ref)]))[0] as IncidentRule;
  }

  // ---- input checks (400 naming the field)

  /** Conditions and action as stored (services and commander by id), or 400 listing every problem. */
  async resolveIn(db: Kysely<Database>, conditions: ConditionsInput, action: ActionInput, at: { conditions: string; action: string }, refs: 'id-or-handle' | 'handle' = 'id-or-handle'): Promise<{ conditions: RuleConditions; action: RuleAction }> {
    const issues: FieldIssue[] = [];
    const serviceIds: string[] = [];
    for (const [i, ref] of conditions.services.entries()) {
      const service = refs === 'handle' ? await db.selectFrom('services').select('id').where('deleted_at', 'is', null).where('handle', '=', ref).executeTakeFirst() : await this.deps.services.find(db, ref);
      if (!service) issues.push({ path: `${at.conditions}.services.${i}`, message: `no service \`${ref}\`` });
      else if (!serviceIds.includes(service.id)) serviceIds.push(service.id);
    }
    const severity = await this.deps.severities.keyOf(db, action.severity);
    if (!severity) issues.push({ path: `${at.action}.severity`, message: `unknown severity \`${action.severity}\`; known: ${(await this.deps.severities.read(db)).map((s) => s.key).join(', ')}` });
    const unknown = unknownPlaceholders(action.title);
    if (unknown.length > 0) issues.push({ path: `${at.action}.title`, message: `unknown placeholder${unknown.length === 1 ? '' : 's'} ${unknown.map((u) => `{${u}}`).join(', ')}; use {alert.title}, {alert.number}, {alert.severity} or {service}` });
    let commanderUserId: string | null = null;
    if (action.commander !== null) {
      const user = await db
        .selectFrom('users')
        .select('id')
        .where('deactivated_at', 'is', null)
        .where((eb) => (refs === 'handle' ? eb('handle', '=', (action.commander as string).toLowerCase()) : eb.or([eb('id', '=', action.commander as string), eb('handle', '=', (action.commander as string).toLowerCase())])))
        .executeTakeFirst();
      if (!user) issues.push({ path: `${at.action}.commander`, message: `no active user \`${action.commander}\`` });
      else commanderUserId = user.id;
    }
    for (const name of Object.keys(conditions.labels)) if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) issues.push({ path: `${at.conditions}.labels.${name}`, message: 'must be a label name (letters, digits, _ . -)' });
    if (issues.length > 0) throw validationError(issues);
    return {
      conditions: {
        services: serviceIds.sort(),
        alertSeverities: [...new Set(conditions.alertSeverities)].sort() as AlertSeverity[],
        urgency: conditions.urgency,
        titleContains: conditions.titleContains,
        labels: Object.fromEntries(Object.entries(conditions.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      },
      action: { severity: severity as string, title: action.title, commanderUserId },
    };
  }

  // ---- mutations (admins; each one transaction with its audit entry)

  async create(acting: Acting, input: z.output<typeof createIncidentRuleSchema>): Promise<IncidentRule> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      if (await this.find(db, input.name)) throw new AppError('CONFLICT', `Incident rule \`${input.name}\` already exists`, { issues: [{ path: 'body.name', message: 'already exists' }] });
      const resolved = await this.resolveIn(db, input.conditions, input.action, { conditions: 'body.conditions', action: 'body.action' });
      const now = this.deps.clock.now();
      const row: RuleRow = { id: this.deps.ids(), name: input.name, description: input.description, enabled: input.enabled ? 1 : 0, position: input.position, conditions_json: JSON.stringify(resolved.conditions), action_json: JSON.stringify(resolved.action), created_at: now, updated_at: now };
      await db.insertInto('incident_rules').values(row).execute();
      const [view] = await this.views(db, [row]);
      await this.deps.audit.record(db, acting.actor, { action: 'incident-rule.create', targetType: 'incident-rule', targetId: row.id, after: view });
      this.forget(tx);
      return view as IncidentRule;
    });
  }

  async update(acting: Acting, ref: string, patch: z.output<typeof updateIncidentRuleSchema>): Promise<IncidentRule> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const row = await this.require(db, ref);
      const current = definitionOf(row);
      const [before] = await this.views(db, [row]);
      let conditions = current.conditions;
      let action = current.action;
      if (patch.conditions || patch.action) {
        const commander = current.action.commanderUserId;
        const resolved = await this.resolveIn(
          db,
          patch.conditions ?? { ...current.conditions, services: [...current.conditions.services], alertSeverities: [...current.conditions.alertSeverities], labels: { ...current.conditions.labels } },
          patch.action ?? { severity: current.action.severity, title: current.action.title, commander },
          { conditions: 'body.conditions', action: 'body.action' },
        );
        conditions = resolved.conditions;
        action = resolved.action;
      }
      const now = this.deps.clock.now();
      const updated: RuleRow = {
        ...row,
        description: patch.description ?? row.description,
        enabled: patch.enabled === undefined ? row.enabled : patch.enabled ? 1 : 0,
        position: patch.position ?? row.position,
        conditions_json: JSON.stringify(conditions),
        action_json: JSON.stringify(action),
        updated_at: now,
      };
      await db.updateTable('incident_rules').set(updated).where('id', '=', row.id).execute();
      const [view] = await this.views(db, [updated]);
      await this.deps.audit.record(db, acting.actor, { action: 'incident-rule.update', targetType: 'incident-rule', targetId: row.id, before, after: view });
      this.forget(tx);
      return view as IncidentRule;
    });
  }

  async remove(acting: Acting, ref: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => this.removeIn(tx, acting, ref));
  }

  async removeIn(tx: Tx, acting: Acting, ref: string): Promise<void> {
    const row = await this.require(tx.db, ref);
    const [before] = await this.views(tx.db, [row]);
    await tx.db.deleteFrom('incident_rules').where('id', '=', row.id).execute();
    await this.deps.audit.record(tx.db, acting.actor, { action: 'incident-rule.delete', targetType: 'incident-rule', targetId: row.id, before });
    this.forget(tx);
  }

  // ---- config-as-code (the `IncidentRule` kind; services and commander by handle)

  async configEntriesIn(db: Kysely<Database>): Promise<Array<{ name: string; description: string; enabled: boolean; position: number; conditions: ConditionsInput; action: ActionInput }>> {
    return (await this.views(db, await this.rows(db))).map((v) => ({
      name: v.name,
      description: v.description,
      enabled: v.enabled,
      position: v.position,
      conditions: { services: v.conditions.services.map((s) => s.handle), alertSeverities: v.conditions.alertSeverities, urgency: v.conditions.urgency, titleContains: v.conditions.titleContains, labels: v.conditions.labels },
      action: { severity: v.action.severity, title: v.action.title, commander: v.action.commander?.handle ?? null },
    }));
  }

  async putFromConfigIn(tx: Tx, acting: Acting, spec: { name: string; description: string; enabled: boolean; position: number; conditions: ConditionsInput; action: ActionInput }): Promise<void> {
    const db = tx.db;
    const resolved = await this.resolveIn(db, spec.conditions, spec.action, { conditions: 'spec.conditions', action: 'spec.action' }, 'handle');
    const existing = await db.selectFrom('incident_rules').selectAll().where('name', '=', spec.name).executeTakeFirst();
    const now = this.deps.clock.now();
    const columns = { description: spec.description, enabled: spec.enabled ? 1 : 0, position: spec.position, conditions_json: JSON.stringify(resolved.conditions), action_json: JSON.stringify(resolved.action), updated_at: now };
    if (existing) {
      const [before] = await this.views(db, [existing]);
      await db.updateTable('incident_rules').set(columns).where('id', '=', existing.id).execute();
      const [after] = await this.views(db, [{ ...existing, ...columns }]);
      await this.deps.audit.record(db, acting.actor, { action: 'incident-rule.update', targetType: 'incident-rule', targetId: existing.id, before, after });
    } else {
      const row: RuleRow = { id: this.deps.ids(), name: spec.name, created_at: now, ...columns };
      await db.insertInto('incident_rules').values(row).execute();
      const [after] = await this.views(db, [row]);
      await this.deps.audit.record(db, acting.actor, { action: 'incident-rule.create', targetType: 'incident-rule', targetId: row.id, after });
    }
    this.forget(tx);
  }

  async removeFromConfigIn(tx: Tx, acting: Acting, name: string): Promise<void> {
    await this.removeIn(tx, acting, name);
  }

  // ---- running rules

  /** Alert hooks: match new alerts (queue a declaration) and acknowledgements (queue the commander). */
  readonly alertHooks: AlertHooks = { afterChange: (tx, change) => this.onAlertChange(tx, change) };

  private async onAlertChange(tx: Tx, change: AlertChange): Promise<void> {
    if (change.outcome !== 'created' && change.outcome !== 'acknowledged') return;
    const rules = await this.rulesIn(tx.db);
    if (!mayMatchService(rules, change.serviceId)) return;
    if (change.outcome === 'acknowledged') {
      await this.deps.jobs.addJob<RuleCommanderPayload>(tx, { task: RULE_COMMANDER_TASK, key: ruleCommanderJobKey(change.alertId), payload: { alertId: change.alertId } });
      return;
    }
    // Suppressed alerts (maintenance, silences, storm members) notify nobody and declare nothing.
    if (change.suppressedBy) return;
    const facts = await this.factsIn(tx.db, change.alertId);
    if (!facts) return;
    const rule = firstMatchingRule(rules, facts);
    if (!rule) return;
    await this.deps.jobs.addJob<RuleDeclarePayload>(tx, { task: RULE_DECLARE_TASK, key: ruleDeclareJobKey(change.alertId), payload: { alertId: change.alertId, ruleId: rule.id } });
  }

  private async factsIn(db: Kysely<Database>, alertId: string): Promise<(AlertFacts & { status: string; acknowledgedAt: number | null }) | null> {
    const row = await db
      .selectFrom('alerts')
      .innerJoin('services', 'services.id', 'alerts.service_id')
      .select(['alerts.number', 'alerts.service_id', 'services.handle', 'alerts.severity', 'alerts.urgency', 'alerts.title', 'alerts.labels_json', 'alerts.status', 'alerts.acknowledged_at'])
      .where('alerts.id', '=', alertId)
      .executeTakeFirst();
    if (!row) return null;
    return {
      number: Number(row.number),
      serviceId: row.service_id,
      serviceHandle: row.handle.split('~deleted~')[0] as string,
      severity: row.severity as AlertSeverity,
      urgency: row.urgency,
      title: row.title,
      labels: JSON.parse(row.labels_json) as Record<string, string>,
      status: row.status,
      acknowledgedAt: row.acknowledged_at === null ? null : Number(row.acknowledged_at),
    };
  }

  /** The person who first acknowledged the alert (from the audit log: people, their tokens, paging replies). */
  private async acknowledgerOf(db: Kysely<Database>, alertId: string): Promise<string | null> {
    const entry = await db.selectFrom('audit_log').select(['actor_type', 'actor_id']).where('target_id', '=', alertId).where('action', 'in', ['alert.acknowledge', 'alert.bulk-acknowledge']).orderBy('at').orderBy('id').executeTakeFirst();
    if (!entry || entry.actor_id === null) return null;
    let userId: string | null = null;
    if (entry.actor_type === 'user') userId = entry.actor_id;
    else if (entry.actor_type === 'token') userId = (await db.selectFrom('api_tokens').select('user_id').where('id', '=', entry.actor_id).executeTakeFirst())?.user_id ?? null;
    if (!userId) return null;
    const active = await db.selectFrom('users').select('id').where('id', '=', userId).where('deactivated_at', 'is', null).executeTakeFirst();
    return active ? active.id : null;
  }

  private async serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(work);
    this.locks.set(key, run);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === run) this.locks.delete(key);
    }
  }

  /** The declaration job: idempotent (the alert's row), links to the rule's open incident for the service, else declares. */
  async runDeclare(payload: RuleDeclarePayload): Promise<RuleDeclareOutcome> {
    const db = this.db;
    if (await db.selectFrom('incident_rule_declarations').select('alert_id').where('alert_id', '=', payload.alertId).executeTakeFirst()) return 'already-handled';
    const ruleRow = await db.selectFrom('incident_rules').selectAll().where('id', '=', payload.ruleId).executeTakeFirst();
    if (!ruleRow) return 'rule-gone';
    const rule = definitionOf(ruleRow);
    const facts = await this.factsIn(db, payload.alertId);
    if (!facts) return 'alert-gone';
    return this.serialized(`${rule.id}:${facts.serviceId}`, async () => {
      if (await db.selectFrom('incident_rule_declarations').select('alert_id').where('alert_id', '=', payload.alertId).executeTakeFirst()) return 'already-handled';
      const acting: Acting = { actor: systemActor(`incident rule ${rule.name}`), principal: null };
      const open = await db
        .selectFrom('incident_rule_declarations')
        .innerJoin('incidents', 'incidents.id', 'incident_rule_declarations.incident_id')
        .select(['incidents.id', 'incidents.number'])
        .where('incident_rule_declarations.rule_id', '=', rule.id)
        .where('incident_rule_declarations.service_id', '=', facts.serviceId)
        .where('incidents.status', '<>', 'resolved')
        .orderBy('incidents.number', 'desc')
        .executeTakeFirst();
      if (open) {
        try {
          await this.deps.incidents.linkAlerts(acting, open.id, { alertIds: [payload.alertId] });
          await db.insertInto('incident_rule_declarations').values({ alert_id: payload.alertId, rule_id: rule.id, service_id: facts.serviceId, incident_id: open.id, outcome: 'linked', at: this.deps.clock.now() }).onConflict((oc) => oc.column('alert_id').doNothing()).execute();
          return 'linked';
        } catch (error) {
          // Resolved meanwhile: declare a new one.
          if (!(error instanceof AppError && error.code === 'RULE_VIOLATION')) throw error;
        }
      }
      let commander = rule.action.commanderUserId ?? (facts.acknowledgedAt !== null ? await this.acknowledgerOf(db, payload.alertId) : null);
      if (commander && (await incidentRepo.commandedElsewhere(db, commander, null)) !== null) commander = null;
      this.pending.set(acting, { alertId: payload.alertId, ruleId: rule.id, ruleName: rule.name, serviceId: facts.serviceId, alertNumber: facts.number });
      await this.deps.incidents.declare(acting, {
        title: renderTitle(rule.action.title, facts),
        severity: rule.action.severity,
        alertIds: [payload.alertId],
        ...(commander ? { commander } : {}),
      });
      return 'declared';
    });
  }

  /** The extension: records the rule's declaration in the declaring transaction and says so on the timeline. */
  readonly extension: IncidentExtension = {
    declared: async (tx, acting, incident) => {
      const pending = this.pending.get(acting);
      if (!pending) return;
      await tx.db.insertInto('incident_rule_declarations').values({ alert_id: pending.alertId, rule_id: pending.ruleId, service_id: pending.serviceId, incident_id: incident.id, outcome: 'declared', at: this.deps.clock.now() }).execute();
      const commanded = await incidentRepo.role(tx.db, incident.id, INCIDENT_COMMANDER);
      await this.deps.incidents.appendTimeline(tx, incident, [
        {
          kind: 'milestone',
          action: 'auto-declared',
          actor: acting.actor.label,
          summary: `Declared automatically by incident rule ${pending.ruleName} for alert #${pending.alertNumber}${commanded ? '' : '; the first person to acknowledge the alert takes command'}`,
          data: { rule: pending.ruleName, alertId: pending.alertId },
        },
      ], 'auto-declare');
    },
  };

  /** The commander job: the alert's first acknowledger takes command of its auto-declared incident if nobody holds it. */
  async runCommander(payload: RuleCommanderPayload): Promise<'assigned' | 'not-declared' | 'held' | 'resolved' | 'nobody'> {
    const db = this.db;
    const declaration = await db.selectFrom('incident_rule_declarations').selectAll().where('alert_id', '=', payload.alertId).executeTakeFirst();
    if (!declaration) {
      // The declaration job is still to run (it reads the acknowledger itself) or running: try again after it.
      const waiting = await db.selectFrom('jobs').select('id').where('job_key', '=', ruleDeclareJobKey(payload.alertId)).where('failed_at', 'is', null).executeTakeFirst();
      if (waiting) throw new Error(`alert ${payload.alertId}: its incident declaration has not committed yet`);
      return 'not-declared';
    }
    const incident = (await db.selectFrom('incidents').selectAll().where('id', '=', declaration.incident_id).executeTakeFirst()) as IncidentRow | undefined;
    if (!incident || incident.status === 'resolved') return 'resolved';
    if (await incidentRepo.role(db, incident.id, INCIDENT_COMMANDER)) return 'held';
    const userId = await this.acknowledgerOf(db, payload.alertId);
    if (!userId) return 'nobody';
    if ((await incidentRepo.commandedElsewhere(db, userId, incident.id)) !== null) return 'nobody';
    try {
      await this.deps.incidents.assignRole({ actor: systemActor(`incident rule, first acknowledgement of alert`), principal: null }, reference(Number(incident.number)), INCIDENT_COMMANDER, { user: userId, expectedHolder: null });
      return 'assigned';
    } catch (error) {
      // Someone took command meanwhile, or the incident resolved: their choice stands.
      if (error instanceof AppError && (error.code === 'CONFLICT' || error.code === 'RULE_VIOLATION')) return 'held';
      throw error;
    }
  }
}
