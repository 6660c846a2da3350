import type { Kysely } from 'kysely';
import {
  configApiVersion,
  configContactMethodTypes,
  contactMethodKey,
  findContactMethod,
  type ConfigApplyResult,
  type ConfigChange,
  type ConfigDocument,
  type ConfigPlan,
  type ConfigWarning,
  type ContactMethodSpec,
  type EscalationPolicyDocument,
  type EscalationTargetSpec,
  type MaintenanceWindowDocument,
  type NotificationProviderDocument,
  type ScheduleDocument,
  type ScheduleLayerSpec,
  serviceSettingKeys,
  type ServiceDocument,
  type ServiceIntegrationSpec,
  type SilenceDocument,
  type TeamDocument,
  type UserDocument,
  type SeverityDocument,
  type IncidentRuleDocument,
  type PlaybookDocument,
  type PostmortemPolicyDocument,
  type PostmortemTemplateDocument,
  POSTMORTEM_POLICY_NAME,
} from '../../../contracts/config.js';
import { AppError, type FieldIssue } from '../../../contracts/errors.js';
import type { ContactMethod, NotificationRules } from '../../../contracts/notify.js';
import type { Role, TeamRole } from '../../../core/auth/roles.js';
import { checkDocuments } from '../../../core/config/check.js';
import { canonicalDocument, sortDocuments, targetOf, useProviderSpecCheck } from '../../../core/config/kinds.js';
import { LINT_DAYS, lintDocuments } from '../../../core/config/lint.js';
import { plan, type PlanResult } from '../../../core/config/plan.js';
import type { EscalationTarget } from '../../../core/oncall/escalation-preview.js';
import { DAY_MS, isoFromInstant, type Override } from '../../../core/oncall/index.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import { validationError } from '../../platform/http/errors.js';
import type { Acting, CatalogService, UserChanges } from '../catalog/catalog.service.js';
import type { AlertRouting } from '../alerts/routing.js';
import type { Suppression } from '../alerts/suppression.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { IntegrationView, ServiceCatalog, ServiceInput, ServiceUpdate } from '../services/service.service.js';
import { fallbackOf, iso, layersOf, levelsOf, oncallRepo, toEngineOverride } from '../oncall/oncall.repo.js';
import type { LayerInput } from '../oncall/schedule.service.js';
import type { Oncall } from '../oncall/oncall.services.js';
import { providerAdapters } from '../providers/adapters.js';
import { providerSpecIssues, type ProviderConfigEntry, type ProvidersService } from '../providers/providers.service.js';
import type { SeverityCatalog } from '../incidents/rules/severity-catalog.js';
import type { IncidentRuleService } from '../incidents/rules/incident-rules.service.js';
import type { PlaybookService } from '../incidents/work/playbook.service.js';
import { policySettingsRepo } from '../paging/policy-settings.js';
import type { PostmortemPolicyService } from '../incidents/rules/postmortem-policy.service.js';
import { postmortemDueDays } from '../../../core/incidents/postmortem-policy.js';
import type { PostmortemTemplateSpec } from '../../../contracts/postmortems.js';
import type { StatusPageDetail } from '../../../contracts/status-pages.js';
import { applyStatusPageChanges, isStatusPageKind, readStatusPages, statusPageDocuments, statusPageProblems, type ComponentIds, type ConfigStatusPages } from './status-page-config.js';

/**
 * What config needs of the incident kinds (Severity, IncidentRule, Playbook): their state, and changes
 * inside its transaction. Plugged in after construction (`useIncidentKinds`): those services are built
 * after config's.
 */
export interface ConfigIncidentKinds {
  severities: Pick<SeverityCatalog, 'configEntriesIn' | 'putFromConfigIn' | 'removeFromConfigIn'>;
  rules: Pick<IncidentRuleService, 'configEntriesIn' | 'putFromConfigIn' | 'removeFromConfigIn'>;
  playbooks?: Pick<PlaybookService, 'configEntriesIn' | 'putFromConfigIn' | 'removeFromConfigIn'>;
}

/**
 * What config needs of the postmortem kinds (PostmortemPolicy, PostmortemTemplate): their state, and
 * changes inside its transaction. Plugged in after construction (`usePostmortemKinds`).
 */
export interface ConfigPostmortemKinds {
  policy: Pick<PostmortemPolicyService, 'policyIn' | 'putIn' | 'resetIn'>;
  templates?: {
    /** Stored templates (built-ins never edited are not documents), by handle. */
    configEntriesIn(db: Kysely<Database>): Promise<Array<{ name: string; spec: PostmortemTemplateSpec }>>;
    putFromConfigIn(tx: Tx, acting: Acting, name: string, spec: PostmortemTemplateSpec): Promise<void>;
    removeFromConfigIn(tx: Tx, acting: Acting, name: string): Promise<void>;
  };
}

/** What config needs of the notification providers: their state, and changes inside its transaction. */
export type ConfigProviders = Pick<ProvidersService, 'configEntriesIn' | 'putFromConfigIn' | 'removeFromConfigIn' | 'unsetVariables' | 'reload'>;

export interface ConfigRequest {
  /** Documents already parsed by `configDocumentSchema` (the route body does it). */
  documents: readonly ConfigDocument[];
  prune: boolean;
}

/** A person's notification setup as the server holds it, for warnings and apply. */
interface Person {
  id: string;
  methods: ContactMethod[];
  rules: NotificationRules;
}

/** What the server holds, as documents. Deactivated things are kept apart: plan reactivates them. */
interface ServerState {
  active: ConfigDocument[];
  deactivated: ConfigDocument[];
  /**
   * Maintenance windows and silences that have ended: not exported, never pruned, and compared only
   * with a document that names one (so applying a document about a past window again changes nothing).
   */
  ended: ConfigDocument[];
  /** `MaintenanceWindow/<name>` and `Silence/<name>` → id. */
  suppressionIds: Map<string, string>;
  /** By user handle. */
  people: Map<string, Person>;
  /** Notification providers by name, with the names of their secrets sealed through the API. */
  providers: Map<string, ProviderConfigEntry>;
  /** Schedule handle → id, and user id → handle, for live overrides in lints. */
  scheduleIds: Map<string, string>;
  userHandles: Map<string, string>;
  /** Component document name → its page and id (status-page-config.ts). */
  componentIds: ComponentIds;
}

const identity = (kind: string, name: string) => `${kind}/${name}`;

/** Types config manages; a person's push and webhook methods are left alone (contracts/config.ts). */
const managed = (type: string) => (configContactMethodTypes as readonly string[]).includes(type);

const sameMethod = (a: { type: string; address: string }, b: { type: string; address: string }) => a.type === b.type && a.address === b.address;

/**
 * Config-as-code on the server: export the current state as documents, plan the changes that make
 * it match a set of documents, and apply that plan. Deciding is pure (`core/config/plan.ts`); this
 * service reads the state and carries the changes out through the `*In` methods of the catalog,
 * notify and on-call services, so every change passes the same rules as the API and writes its own
 * audit entry.
 */
export class ConfigService {
  constructor(
    private readonly deps: {
      database: FirebreakDatabase;
      clock: Clock;
      catalog: CatalogService;
      notify: NotifyService;
      oncall: Pick<Oncall, 'schedules' | 'policies'>;
      services: ServiceCatalog;
      routing: AlertRouting;
      suppression: Suppression;
      providers: ConfigProviders;
    },
  ) {
    // Provider settings are checked against the adapters' schemas, which core cannot import.
    useProviderSpecCheck(providerSpecIssues);
  }

  private incidentKinds: ConfigIncidentKinds | null = null;

  /** Plugs in the incident kinds (Severity, IncidentRule, Playbook). */
  useIncidentKinds(kinds: ConfigIncidentKinds): void {
    this.incidentKinds = kinds;
  }

  private postmortemKinds: ConfigPostmortemKinds | null = null;

  /** Plugs in the postmortem kinds (PostmortemPolicy, PostmortemTemplate). */
  usePostmortemKinds(kinds: ConfigPostmortemKinds): void {
    this.postmortemKinds = kinds;
  }

  private statusPages: ConfigStatusPages | null = null;

  /** Plugs in the status-page kinds (StatusPage, Component); without it their documents are refused. */
  useStatusPages(pages: ConfigStatusPages): void {
    this.statusPages = pages;
  }

  /**
   * Every active User and Team, every Schedule, EscalationPolicy and Service, every MaintenanceWindow
   * and Silence that has not ended, as documents in kind order then name, each in canonical form. A person's notification rules are left out when one of them uses
   * a push or webhook method, which config cannot name.
   */
  async exportDocuments(): Promise<ConfigDocument[]> {
    // One snapshot, so a Team never lists a member whose User document a concurrent change removed.
    const state = await this.deps.database.readSnapshot(async (db) => this.stateIn(db, new Set(), await readStatusPages(this.statusPages, db), []));
    return state.active.map((d) => {
      if (d.kind !== 'User' || d.spec.notificationRules === undefined) return d;
      const rules = [...d.spec.notificationRules.high, ...d.spec.notificationRules.low];
      if (rules.every((r) => managed(r.contactMethod.slice(0, r.contactMethod.indexOf(':'))))) return d;
      const { notificationRules: _unexportable, ...spec } = d.spec;
      return { ...d, spec };
    });
  }

  /** What apply would do now, with warnings (schedule lints over the next 90 days, unverified methods). Changes nothing. */
  async plan(acting: Acting, given: ConfigRequest): Promise<ConfigPlan> {
    const request = withProviderSettingsParsed(given);
    return this.deps.database.readSnapshot(async (db) => {
      const state = await this.stateIn(db, this.desiredUsers(request), await readStatusPages(this.statusPages, db), request.documents);
      const result = this.decide(acting, request, state);
      return { ...result, warnings: await this.warningsIn(db, request, state) };
    });
  }

  /**
   * Makes the server match the documents, all-or-nothing: the plan is made and carried out in one
   * transaction, so a change that fails (a catalog, notify, on-call or status-page rule, a conflict)
   * rolls back every change before it, status pages included. Applying the same documents again finds everything unchanged and writes
   * nothing, not even an audit entry.
   */
  async apply(acting: Acting, given: ConfigRequest): Promise<ConfigApplyResult> {
    const request = withProviderSettingsParsed(given);
    const configActing: Acting = { ...acting, actor: { ...acting.actor, label: `${acting.actor.label}, config apply` } };
    const applied = await this.deps.database.transaction(async (tx) => {
      const state = await this.stateIn(tx.db, this.desiredUsers(request), await readStatusPages(this.statusPages, tx.db), request.documents);
      const result = this.decide(acting, request, state);
      const warnings = await this.warningsIn(tx.db, request, state);
      const desired = new Map(request.documents.map((d) => [identity(d.kind, d.metadata.name), canonicalDocument(d)]));
      // Routing rules may route to a service created later in this apply: they are set once every change is made.
      const deferred: Array<{ change: ConfigChange; run: () => Promise<void> }> = [];
      const existing = new Map([...state.deactivated, ...state.active].map((d) => [identity(d.kind, d.metadata.name), d]));
      for (const change of result.changes) {
        if (change.action === 'unchanged' || isStatusPageKind(change.kind)) continue;
        const id = identity(change.kind, change.name);
        try {
          if (change.kind === 'MaintenanceWindow' || change.kind === 'Silence') await this.applySuppression(tx, configActing, change, desired.get(id) ?? null, state.suppressionIds.get(id));
          else if (change.kind === 'NotificationProvider') await this.applyProvider(tx, configActing, change, (desired.get(id) ?? null) as NotificationProviderDocument | null);
          else if (change.kind === 'Severity' || change.kind === 'IncidentRule' || change.kind === 'Playbook') await this.applyIncidentKind(tx, configActing, change, desired.get(id) ?? null);
          else if (change.kind === 'PostmortemPolicy' || change.kind === 'PostmortemTemplate') await this.applyPostmortemKind(tx, configActing, change, desired.get(id) ?? null);
          else await this.carryOut(tx, configActing, change, desired.get(id) ?? null, existing.get(id) ?? null, request.prune, (run) => deferred.push({ change, run }));
        } catch (error) {
          throw failed(change, error);
        }
      }
      for (const { change, run } of deferred) {
        try {
          await run();
        } catch (error) {
          throw failed(change, error);
        }
      }
      // Status pages last, in their own dependency order; a component may link a service made above.
      if (this.statusPages) await applyStatusPageChanges(tx, this.statusPages, configActing, result.changes, request.documents, state.componentIds, failed);
      return { ...result, warnings, applied: true as const };
    });
    // The live channels are rebuilt from the committed rows (other nodes pick the change up on their
    // next reload). The change is committed whatever happens here: a failed reload must not report
    // the apply as failed, and the periodic reload retries it and logs why.
    if (applied.changes.some((c) => c.kind === 'NotificationProvider' && c.action !== 'unchanged')) await this.deps.providers.reload().catch(() => undefined);
    return applied;
  }

  private desiredUsers(request: ConfigRequest): Set<string> {
    return new Set(request.documents.filter((d) => d.kind === 'User').map((d) => d.metadata.name));
  }

  /** Checks the documents against the server's state and plans. Throws VALIDATION_FAILED listing every problem. */
  private decide(acting: Acting, request: ConfigRequest, state: ServerState): PlanResult {
    const refs = (docs: ConfigDocument[]) => docs.map((d) => ({ kind: d.kind, name: d.metadata.name }));
    const context = { mode: 'server', active: refs(state.active), deactivated: refs(state.deactivated), prune: request.prune, current: state.active } as const;
    const { issues } = checkDocuments(request.documents, context, (i) => `body.documents.${i}`);
    const problems: FieldIssue[] = issues.map((i) => ({ path: ['body', 'documents', i.index, ...i.path].join('.'), message: i.message }));
    if (problems.length === 0) problems.push(...providerProblems(request.documents, state.providers));
    if (problems.length > 0) throw validationError(problems);
    const named = new Set(request.documents.map((d) => identity(d.kind, d.metadata.name)));
    const current = [...state.active, ...state.ended.filter((d) => named.has(identity(d.kind, d.metadata.name)))];
    const result = plan(request.documents, current, { prune: request.prune, deactivated: state.deactivated });
    const pageProblems = statusPageProblems(request.documents, result.changes, this.statusPages !== null);
    if (pageProblems.length > 0) throw validationError(pageProblems);
    // The API refuses a new silence that has already expired; say so at the document's field.
    const now = this.deps.clock.now();
    const expired = result.changes.flatMap((c) => {
      if (c.action !== 'create' || c.kind !== 'Silence') return [];
      const index = request.documents.findIndex((d) => d.kind === 'Silence' && d.metadata.name === c.name);
      const doc = canonicalDocument(request.documents[index] as ConfigDocument) as SilenceDocument;
      return Date.parse(doc.spec.endsAt as string) <= now ? [{ path: `body.documents.${index}.spec.endsAt`, message: `${doc.spec.endsAt} has passed: a new silence must end in the future` }] : [];
    });
    if (expired.length > 0) throw validationError(expired);
    const self = acting.principal?.userHandle;
    if (self && result.changes.some((c) => c.action === 'delete' && c.kind === 'User' && c.name === self)) {
      throw new AppError('RULE_VIOLATION', `--prune would deactivate you (\`${self}\`), the user applying this configuration; add your User document`);
    }
    return result;
  }

  /**
   * Reads everything config manages as documents. A Team lists only members who are active, or who
   * the desired documents bring back (`reactivating`): a deactivated person's membership rows are
   * kept for history but are not part of the team until they return. People are named by handle.
   */
  private async stateIn(db: Kysely<Database>, reactivating: ReadonlySet<string>, pages: readonly StatusPageDetail[], desired: readonly ConfigDocument[]): Promise<ServerState> {
    const repo = this.deps.catalog.repo;
    const { notify } = this.deps;
    const users = await repo.listUsers(db, true);
    const teams = await repo.listTeams(db, true);
    const visible = new Set(users.filter((u) => u.deactivated_at === null || reactivating.has(u.handle)).map((u) => u.id));
    const members = await repo.membersOf(db, teams.map((t) => t.id));
    const userHandles = new Map(users.map((u) => [u.id, u.handle]));
    const teamHandles = new Map(teams.map((t) => [t.id, t.handle]));
    const state: ServerState = { active: [], deactivated: [], ended: [], suppressionIds: new Map(), people: new Map(), providers: new Map(), scheduleIds: new Map(), userHandles, componentIds: new Map() };
    await this.providerStateIn(db, state);

    for (const u of users) {
      const methods = await notify.listContactMethods(db, u.id);
      const rules = await notify.rulesView(db, u.id);
      state.people.set(u.handle, { id: u.id, methods, rules });
      const configMethods = methods.filter((m) => managed(m.type)).map((m) => ({ type: m.type, address: m.address, ...(m.label ? { label: m.label } : {}) }) as ContactMethodSpec);
      // Rules on push or webhook methods are named `type:<redacted address>`: plan shows them as they
      // are; export leaves such rules out (see exportDocuments).
      const ruleSpec = (list: NotificationRules['high']) => list.map((r) => ({ afterMinutes: r.delayMinutes, contactMethod: contactMethodKey(r.contactMethod) }));
      const hasRules = rules.high.length + rules.low.length > 0;
      const doc: UserDocument = {
        apiVersion: configApiVersion,
        kind: 'User',
        metadata: { name: u.handle },
        spec: {
          name: u.name,
          email: u.email,
          timeZone: u.time_zone,
          role: u.role as Role,
          ...(configMethods.length > 0 ? { contactMethods: configMethods } : {}),
          ...(hasRules ? { notificationRules: { high: ruleSpec(rules.high), low: ruleSpec(rules.low) } } : {}),
        },
      };
      (u.deactivated_at === null ? state.active : state.deactivated).push(canonicalDocument(doc));
    }
    for (const t of teams) {
      const doc: TeamDocument = {
        apiVersion: configApiVersion,
        kind: 'Team',
        metadata: { name: t.handle },
        spec: {
          name: t.name,
          description: t.description,
          members: members.filter((m) => m.team_id === t.id && visible.has(m.user_id)).map((m) => ({ user: m.handle, role: m.role as TeamRole })),
        },
      };
      (t.deactivated_at === null ? state.active : state.deactivated).push(canonicalDocument(doc));
    }

    const handleOf = (id: string) => userHandles.get(id) ?? id;
    const schedules = await oncallRepo.listSchedules(db);
    const scheduleHandles = new Map(schedules.map((s) => [s.id, s.handle]));
    for (const s of schedules) {
      state.scheduleIds.set(s.handle, s.id);
      const layers = layersOf(s).map(
        (l): ScheduleLayerSpec => ({
          id: l.id,
          name: l.name ?? l.id,
          participants: l.participants.map(handleOf),
          start: isoFromInstant(l.start),
          ...(l.end !== undefined ? { end: isoFromInstant(l.end) } : {}),
          handoffTime: l.handoffTime,
          turn: { unit: l.turn.unit, count: l.turn.count },
          restrictions: l.restrictions.map((r) =>
            r.kind === 'daily'
              ? { kind: 'daily' as const, start: r.start, end: r.end, ...(r.days ? { days: [...r.days] } : {}) }
              : { kind: 'weekly' as const, startDay: r.startDay, start: r.start, endDay: r.endDay, end: r.end },
          ),
          advance: l.advance,
          shadows: (l.shadows ?? []).map(handleOf),
          ...(l.timeZone !== undefined ? { timeZone: l.timeZone } : {}),
        }),
      );
      const doc: ScheduleDocument = {
        apiVersion: configApiVersion,
        kind: 'Schedule',
        metadata: { name: s.handle },
        spec: { name: s.name, description: s.description, ...(s.team_id !== null ? { team: teamHandles.get(s.team_id) ?? s.team_id } : {}), timeZone: s.time_zone, layers },
      };
      state.active.push(canonicalDocument(doc));
    }
    const targetSpec = (t: EscalationTarget): EscalationTargetSpec =>
      t.type === 'user' ? { user: handleOf(t.id) } : t.type === 'schedule' ? { schedule: scheduleHandles.get(t.id) ?? t.id } : { team: teamHandles.get(t.id) ?? t.id };
    const ackTimeouts = await policySettingsRepo.ackTimeouts(db);
    for (const p of await oncallRepo.listPolicies(db)) {
      const fallback = fallbackOf(p);
      const ackTimeout = ackTimeouts.get(p.id);
      const doc: EscalationPolicyDocument = {
        apiVersion: configApiVersion,
        kind: 'EscalationPolicy',
        metadata: { name: p.handle },
        spec: {
          name: p.name,
          description: p.description,
          ...(p.team_id !== null ? { team: teamHandles.get(p.team_id) ?? p.team_id } : {}),
          levels: levelsOf(p).map((l) => ({ delayMinutes: l.delayMinutes, targets: l.targets.map(targetSpec) })),
          repeat: p.repeat_count,
          ...(fallback !== null ? { fallback: targetSpec(fallback) } : {}),
          skipEmptyLevels: p.skip_empty_levels === 1,
          ...(ackTimeout !== undefined ? { ackTimeoutMinutes: ackTimeout } : {}),
        },
      };
      state.active.push(canonicalDocument(doc));
    }
    const policyHandles = new Map((await oncallRepo.listPolicies(db)).map((p) => [p.id, p.handle]));
    const serviceRows = await db.selectFrom('services').selectAll().where('deleted_at', 'is', null).orderBy('handle').execute();
    for (const service of await this.deps.services.views(db, serviceRows)) {
      const view = service as unknown as Record<string, unknown>;
      // The settings shared with the API's service input (urgency, flap damping, storm guard, …) have
      // the same names in the view.
      const settings = Object.fromEntries(serviceSettingKeys.filter((k) => view[k] !== undefined && view[k] !== null).map((k) => [k, view[k]]));
      const routing = await this.deps.routing.settings(db, service.id);
      const doc = {
        apiVersion: configApiVersion,
        kind: 'Service',
        metadata: { name: service.handle },
        spec: {
          ...settings,
          rules: routing.rules.map((r) => ({ name: r.name, conditions: r.conditions, actions: r.actions, continue: r.continue ?? false })),
          supportHours: routing.supportHours,
          raiseAtSupportStart: routing.raiseAtSupportStart,
          backlogWebhookUrl: routing.backlogWebhookUrl,
          name: service.name,
          description: service.description,
          ...(service.teamId !== null ? { team: teamHandles.get(service.teamId) ?? service.teamId } : {}),
          ...(service.escalationPolicyId !== null ? { escalationPolicy: policyHandles.get(service.escalationPolicyId) ?? service.escalationPolicyId } : {}),
          integrations: service.integrations.map(
            (i): ServiceIntegrationSpec => ({
              name: i.name,
              type: i.type,
              disabled: i.disabled,
              ...(i.type === 'webhook' && i.mapping ? { mapping: i.mapping } : {}),
              ...(i.type === 'heartbeat' && i.heartbeat ? { heartbeat: heartbeatSpec(i.heartbeat) } : {}),
              ...(i.type === 'email' && i.email ? { email: emailSpec(i.email) } : {}),
            }),
          ),
        },
      } as ServiceDocument;
      state.active.push(canonicalDocument(doc));
    }
    await this.suppressionStateIn(db, state, new Map(serviceRows.map((r) => [r.id, r.handle])));
    await this.incidentStateIn(db, state);
    await this.postmortemStateIn(db, state);
    const statusPages = statusPageDocuments(pages, desired, new Map(serviceRows.map((r) => [r.id, r.handle])));
    state.active.push(...statusPages.documents);
    state.componentIds = statusPages.componentIds;
    return { ...state, active: sortDocuments(state.active), deactivated: sortDocuments(state.deactivated) };
  }

  /**
   * Notification providers as documents: secrets as the environment variables that hold them. Secrets
   * sealed through the API are left out (config never reads or exports secret values); plan warns
   * about them when a document names the provider.
   */
  private async providerStateIn(db: Kysely<Database>, state: ServerState): Promise<void> {
    for (const entry of await this.deps.providers.configEntriesIn(db)) {
      state.providers.set(entry.name, entry);
      const doc: NotificationProviderDocument = {
        apiVersion: configApiVersion,
        kind: 'NotificationProvider',
        metadata: { name: entry.name },
        spec: {
          kind: entry.kind,
          enabled: entry.enabled,
          position: entry.position,
          settings: entry.settings,
          secrets: Object.fromEntries(Object.entries(entry.secretEnv).map(([key, variable]) => [key, { fromEnv: variable }])),
        },
      };
      state.active.push(canonicalDocument(doc));
    }
  }

  /**
   * Provider secrets that will not work as planned: an environment variable the server does not
   * have (the provider then reports the problem and delivers nothing), and secrets sealed through the
   * API that the document does not name (kept as they are, and never exported).
   */
  private providerWarnings(request: ConfigRequest, state: ServerState): ConfigWarning[] {
    const warnings: ConfigWarning[] = [];
    const warn = (d: ConfigDocument, code: ConfigWarning['code'], path: string, message: string) => warnings.push({ code, kind: d.kind, name: d.metadata.name, path, message, intervals: [], localIntervals: [] });
    for (const d of request.documents) {
      if (d.kind !== 'NotificationProvider') continue;
      const refs = Object.entries(d.spec.secrets);
      const unset = new Set(this.deps.providers.unsetVariables(refs.map(([, ref]) => ref.fromEnv)));
      for (const [key, ref] of refs) {
        if (unset.has(ref.fromEnv)) {
          warn(d, 'PROVIDER_SECRET_ENV_UNSET', `spec.secrets.${key}.fromEnv`, `environment variable ${ref.fromEnv} (secret \`${key}\` of provider ${d.metadata.name}) is not set on the server: the provider delivers nothing until it is set and the server restarted`);
        }
      }
      const current = state.providers.get(d.metadata.name);
      const kept = current && current.kind === d.spec.kind ? current.sealedSecrets.filter((key) => d.spec.secrets[key] === undefined) : [];
      for (const key of kept) {
        warn(
          d,
          'PROVIDER_SECRET_KEPT',
          'spec.secrets',
          `secret \`${key}\` of provider ${d.metadata.name} was set through the API and is stored encrypted: config leaves it as it is and export leaves it out. To manage it in config, name the variable that holds it: ${key}: {fromEnv: ${suggestedVariable(d.spec.kind, key)}}`,
        );
      }
    }
    return warnings;
  }

  /** Stored severities, incident rules and playbooks as documents (nothing stored: none; the built-in severities are not documents). */
  private async incidentStateIn(db: Kysely<Database>, state: ServerState): Promise<void> {
    const kinds = this.incidentKinds;
    if (!kinds) return;
    for (const e of await kinds.severities.configEntriesIn(db)) {
      const doc: SeverityDocument = {
        apiVersion: configApiVersion,
        kind: 'Severity',
        metadata: { name: e.name },
        spec: { key: e.key, name: e.displayName, description: e.description, response: e.response, updateCadenceMinutes: e.updateCadenceMinutes, position: e.position },
      };
      state.active.push(canonicalDocument(doc));
    }
    for (const e of await kinds.rules.configEntriesIn(db)) {
      const doc: IncidentRuleDocument = {
        apiVersion: configApiVersion,
        kind: 'IncidentRule',
        metadata: { name: e.name },
        spec: { description: e.description, enabled: e.enabled, position: e.position, conditions: e.conditions, action: e.action },
      };
      state.active.push(canonicalDocument(doc));
    }
    for (const e of (await kinds.playbooks?.configEntriesIn(db)) ?? []) {
      const doc: PlaybookDocument = { apiVersion: configApiVersion, kind: 'Playbook', metadata: { name: e.name }, spec: e.spec };
      state.active.push(canonicalDocument(doc));
    }
  }

  /** Creates, updates or deletes a severity, incident rule or playbook through its own service (its checks, its audit entries). */
  private async applyIncidentKind(tx: Tx, acting: Acting, change: ConfigChange, want: ConfigDocument | null): Promise<void> {
    const kinds = this.incidentKinds;
    if (!kinds) throw new AppError('RULE_VIOLATION', `${change.kind} documents are not supported by this server`);
    if (change.kind === 'Playbook' && !kinds.playbooks) throw new AppError('RULE_VIOLATION', 'Playbook documents are not supported by this server');
    if (change.action === 'delete') {
      if (change.kind === 'Severity') await kinds.severities.removeFromConfigIn(tx, acting, change.name);
      else if (change.kind === 'IncidentRule') await kinds.rules.removeFromConfigIn(tx, acting, change.name);
      else await kinds.playbooks?.removeFromConfigIn(tx, acting, change.name);
      return;
    }
    if (!want) return;
    if (want.kind === 'Severity') {
      const spec = want.spec;
      await kinds.severities.putFromConfigIn(tx, acting, {
        name: want.metadata.name,
        key: spec.key ?? want.metadata.name.toUpperCase(),
        displayName: spec.name,
        description: spec.description ?? '',
        response: spec.response ?? '',
        updateCadenceMinutes: spec.updateCadenceMinutes ?? null,
        position: spec.position ?? 0,
      });
    } else if (want.kind === 'IncidentRule') {
      const spec = want.spec;
      const c = spec.conditions ?? { services: [], alertSeverities: [], urgency: null, titleContains: null, labels: {} };
      await kinds.rules.putFromConfigIn(tx, acting, {
        name: want.metadata.name,
        description: spec.description ?? '',
        enabled: spec.enabled ?? true,
        position: spec.position ?? 0,
        conditions: { services: c.services ?? [], alertSeverities: c.alertSeverities ?? [], urgency: c.urgency ?? null, titleContains: c.titleContains ?? null, labels: c.labels ?? {} },
        action: { severity: spec.action.severity, title: spec.action.title ?? '{alert.title}', commander: spec.action.commander ?? null },
      });
    } else if (want.kind === 'Playbook') {
      await kinds.playbooks?.putFromConfigIn(tx, acting, want.metadata.name, want.spec);
    }
  }

  /**
   * Stored postmortem templates and the postmortem policy once changed, as documents. A built-in
   * template never edited and the policy never changed are the defaults, not documents (as the
   * built-in severities).
   */
  private async postmortemStateIn(db: Kysely<Database>, state: ServerState): Promise<void> {
    const kinds = this.postmortemKinds;
    if (!kinds) return;
    for (const e of (await kinds.templates?.configEntriesIn(db)) ?? []) {
      const doc: PostmortemTemplateDocument = { apiVersion: configApiVersion, kind: 'PostmortemTemplate', metadata: { name: e.name }, spec: e.spec };
      state.active.push(canonicalDocument(doc));
    }
    const { policy, updatedAt } = await kinds.policy.policyIn(db);
    if (updatedAt === null) return;
    const doc: PostmortemPolicyDocument = {
      apiVersion: configApiVersion,
      kind: 'PostmortemPolicy',
      metadata: { name: POSTMORTEM_POLICY_NAME },
      spec: { severities: [...policy.severities], customerImpactMinutes: policy.customerImpactMinutes, repeatWithinDays: policy.repeatWithinDays, dueDays: postmortemDueDays(policy) },
    };
    state.active.push(canonicalDocument(doc));
  }

  /** Sets or resets the postmortem policy, or creates, updates or deletes a template, through their own services (their checks, their audit entries). */
  private async applyPostmortemKind(tx: Tx, acting: Acting, change: ConfigChange, want: ConfigDocument | null): Promise<void> {
    const kinds = this.postmortemKinds;
    if (!kinds || (change.kind === 'PostmortemTemplate' && !kinds.templates)) throw new AppError('RULE_VIOLATION', `${change.kind} documents are not supported by this server`);
    if (change.action === 'delete') {
      if (change.kind === 'PostmortemPolicy') await kinds.policy.resetIn(tx, acting);
      else await kinds.templates?.removeFromConfigIn(tx, acting, change.name);
      return;
    }
    if (want?.kind === 'PostmortemPolicy') await kinds.policy.putIn(tx, acting, want.spec, 'spec');
    else if (want?.kind === 'PostmortemTemplate') await kinds.templates?.putFromConfigIn(tx, acting, want.metadata.name, want.spec);
  }

  /** Creates, updates or deletes a provider through the providers service (its checks, its audit entries). */
  private async applyProvider(tx: Tx, acting: Acting, change: ConfigChange, want: NotificationProviderDocument | null): Promise<void> {
    const { providers } = this.deps;
    if (change.action === 'delete') {
      await providers.removeFromConfigIn(tx, acting, change.name);
      return;
    }
    if (!want) return;
    await providers.putFromConfigIn(tx, acting, {
      name: want.metadata.name,
      kind: want.spec.kind,
      enabled: want.spec.enabled,
      position: want.spec.position,
      settings: want.spec.settings ?? {},
      secretEnv: Object.fromEntries(Object.entries(want.spec.secrets ?? {}).map(([key, ref]) => [key, ref.fromEnv])),
    });
  }

  /**
   * Maintenance windows and silences as documents, named by their config name. One that has ended,
   * or that covers only deleted services, goes to `state.ended`.
   */
  private async suppressionStateIn(db: Kysely<Database>, state: ServerState, serviceHandles: ReadonlyMap<string, string>): Promise<void> {
    const { windows, silences } = await this.deps.suppression.configEntriesIn(db);
    for (const { name, view, ended } of windows) {
      const services = view.services.flatMap((s) => (serviceHandles.has(s.id) ? [serviceHandles.get(s.id) as string] : []));
      const doc: MaintenanceWindowDocument = {
        apiVersion: configApiVersion,
        kind: 'MaintenanceWindow',
        metadata: { name },
        spec: {
          name: view.name,
          description: view.description,
          services,
          startsAt: view.startsAt,
          ...(view.endsAt !== null ? { endsAt: view.endsAt } : {}),
          ...(view.recurrence !== null ? { recurrence: view.recurrence } : {}),
        },
      };
      state.suppressionIds.set(identity('MaintenanceWindow', name), view.id);
      (ended || services.length === 0 ? state.ended : state.active).push(canonicalDocument(doc));
    }
    for (const { name, view, ended } of silences) {
      const gone = view.service !== null && !serviceHandles.has(view.service.id);
      const doc: SilenceDocument = {
        apiVersion: configApiVersion,
        kind: 'Silence',
        metadata: { name },
        spec: {
          matchers: view.matchers,
          comment: view.comment,
          ...(view.service !== null ? { service: serviceHandles.get(view.service.id) ?? view.service.handle } : {}),
          startsAt: view.startsAt,
          endsAt: view.endsAt,
        },
      };
      state.suppressionIds.set(identity('Silence', name), view.id);
      (ended || gone ? state.ended : state.active).push(canonicalDocument(doc));
    }
  }

  // ---- warnings

  /**
   * Lints of the Schedules and EscalationPolicies in the request over the next 90 days (with the
   * live overrides of schedules that exist, and the schedules and policies on the server that the
   * documents escalate between), and the contact methods in the request that are not verified.
   */
  private async warningsIn(db: Kysely<Database>, request: ConfigRequest, state: ServerState): Promise<ConfigWarning[]> {
    const now = this.deps.clock.now();
    const named = new Set(request.documents.map((d) => identity(d.kind, d.metadata.name)));
    // What stays on the server besides the documents: context for policies that escalate between schedules.
    const context = request.prune ? [] : state.active.filter((d) => (d.kind === 'Schedule' || d.kind === 'EscalationPolicy') && !named.has(identity(d.kind, d.metadata.name)));
    const linted = request.documents.filter((d) => d.kind === 'Schedule').map((d) => state.scheduleIds.get(d.metadata.name)).filter((id): id is string => id !== undefined);
    const overrides = new Map<string, Override[]>();
    const live = await oncallRepo.overridesIn(db, [...linted, ...context.flatMap((d) => (d.kind === 'Schedule' ? [state.scheduleIds.get(d.metadata.name) ?? ''] : []))], { start: now, end: now + LINT_DAYS * DAY_MS });
    const scheduleHandle = new Map([...state.scheduleIds].map(([handle, id]) => [id, handle]));
    for (const row of live) {
      const o = toEngineOverride(row);
      const handle = scheduleHandle.get(row.schedule_id) ?? row.schedule_id;
      const byHandle = { ...o, userId: state.userHandles.get(o.userId) ?? o.userId, ...(o.replaces !== undefined ? { replaces: state.userHandles.get(o.replaces) ?? o.replaces } : {}) };
      overrides.set(handle, [...(overrides.get(handle) ?? []), byHandle]);
    }
    const users = new Map(request.documents.flatMap((d) => (d.kind === 'User' ? [[d.metadata.name, d] as const] : [])));
    const lints = lintDocuments(request.documents, {
      now,
      context,
      overrides: (name) => overrides.get(name) ?? [],
      hasVerifiedHighUrgencyMethod: (handle) => this.verifiedAfterApply(state.people.get(handle), users.get(handle)),
    });
    const warnings: ConfigWarning[] = lints.map((l) => {
      const d = request.documents[l.index] as ConfigDocument;
      return {
        code: l.code,
        kind: d.kind,
        name: d.metadata.name,
        path: l.path.join('.'),
        message: l.message,
        intervals: l.intervals.map((i) => ({ start: iso(i.start), end: iso(i.end) })),
        localIntervals: l.localIntervals,
      };
    });
    for (const d of users.values()) {
      const methods = state.people.get(d.metadata.name)?.methods ?? [];
      (d.spec.contactMethods ?? []).forEach((m, index) => {
        const have = methods.find((x) => sameMethod(x, m));
        if (have?.verified) return;
        const what = `\`${d.metadata.name}\`’s ${m.type} method ${m.address}${m.label ? ` (“${m.label}”)` : ''}`;
        warnings.push({
          code: 'CONTACT_METHOD_UNVERIFIED',
          kind: 'User',
          name: d.metadata.name,
          path: `spec.contactMethods.${index}.address`,
          message: `${what} ${have ? 'is not verified' : 'will be added unverified'}: it receives no pages until ${d.metadata.name} verifies it (Settings → Contact methods)`,
          intervals: [],
          localIntervals: [],
        });
      });
    }
    return [...warnings, ...this.providerWarnings(request, state)];
  }

  /**
   * Whether a person will have a high-urgency rule that uses a verified method once the documents
   * are applied: their rules as the document states them (or as they are, when it leaves rules out),
   * over their verified methods that the document keeps. New people and new methods are unverified.
   */
  private verifiedAfterApply(person: Person | undefined, doc: UserDocument | undefined): boolean {
    if (person === undefined) return false;
    const wanted = doc?.spec.contactMethods;
    const kept = person.methods.filter((m) => m.verified && (wanted === undefined || !managed(m.type) || wanted.some((w) => sameMethod(w, m))));
    const rules = doc?.spec.notificationRules;
    if (rules === undefined) return person.rules.high.some((r) => kept.some((m) => m.id === r.contactMethodId));
    return rules.high.some((r) => {
      const found = findContactMethod(wanted ?? [], r.contactMethod);
      const spec = 'index' in found ? wanted?.[found.index] : undefined;
      return spec !== undefined && kept.some((m) => sameMethod(m, spec));
    });
  }

  // ---- apply

  /** Carries out one planned change inside the apply transaction. */
  private async carryOut(
    tx: Tx,
    acting: Acting,
    change: ConfigChange,
    desired: ConfigDocument | null,
    existing: ConfigDocument | null,
    prune: boolean,
    defer: (run: () => Promise<void>) => void,
  ): Promise<void> {
    const db = tx.db;
    const { catalog } = this.deps;
    const { schedules, policies } = this.deps.oncall;
    const reactivate = change.diff.some((d) => d.field === 'status' && d.after === 'active');
    if (change.kind === 'User') {
      const want = desired as UserDocument | null;
      const have = existing as UserDocument | null;
      if (change.action === 'delete') {
        await catalog.setUserActiveIn(db, acting, change.name, false);
        return;
      }
      if (!want) return;
      if (change.action === 'create') {
        // Users from config have no password: they log in once an admin sets one (or through SSO).
        const { contactMethods: _methods, notificationRules: _rules, ...profile } = want.spec;
        await catalog.createUserIn(db, acting, { handle: want.metadata.name, ...profile }, null);
      } else if (have) {
        if (reactivate) await catalog.setUserActiveIn(db, acting, change.name, true);
        const changes: UserChanges = {};
        if (want.spec.name !== have.spec.name) changes.name = want.spec.name;
        if (want.spec.email !== have.spec.email) changes.email = want.spec.email;
        if (want.spec.timeZone !== have.spec.timeZone) changes.timeZone = want.spec.timeZone;
        if (want.spec.role !== have.spec.role) changes.role = want.spec.role;
        if (Object.keys(changes).length > 0) await catalog.updateUserIn(db, acting, change.name, changes);
      }
      await this.applyNotificationSetup(tx, acting, want);
      return;
    }
    if (change.kind === 'Team') {
      const want = desired as TeamDocument | null;
      const have = existing as TeamDocument | null;
      if (change.action === 'delete') {
        await catalog.setTeamActiveIn(db, acting, change.name, false);
        return;
      }
      if (!want) return;
      if (change.action === 'create') {
        await catalog.createTeamIn(db, acting, { handle: want.metadata.name, name: want.spec.name, description: want.spec.description ?? '' });
      } else if (have) {
        if (reactivate) await catalog.setTeamActiveIn(db, acting, change.name, true);
        const name = want.spec.name !== have.spec.name ? want.spec.name : undefined;
        const description = (want.spec.description ?? '') !== (have.spec.description ?? '') ? (want.spec.description ?? '') : undefined;
        if (name !== undefined || description !== undefined) await catalog.updateTeamIn(db, acting, change.name, { name, description });
      }
      const had = new Map((have?.spec.members ?? []).map((m) => [m.user, m.role]));
      const wanted = new Map((want.spec.members ?? []).map((m) => [m.user, m.role]));
      for (const user of had.keys()) if (!wanted.has(user)) await catalog.removeMemberIn(db, acting, change.name, user);
      for (const [user, role] of wanted) if (had.get(user) !== role) await catalog.putMemberIn(db, acting, change.name, user, role);
      return;
    }
    if (change.kind === 'Schedule') {
      const want = desired as ScheduleDocument | null;
      if (change.action === 'delete') {
        await schedules.deleteIn(db, acting, change.name);
        return;
      }
      if (!want) return;
      const input = {
        name: want.spec.name,
        description: want.spec.description ?? '',
        ...(want.spec.team !== undefined ? { team: want.spec.team } : {}),
        timeZone: want.spec.timeZone,
        layers: want.spec.layers.map(layerInput),
      };
      if (change.action === 'create') await schedules.createIn(db, acting, { handle: want.metadata.name, ...input });
      // Documents state the whole thing: no `team` means the schedule belongs to no team (admins only).
      else await schedules.updateIn(db, acting, change.name, { ...input, team: want.spec.team ?? null });
      return;
    }
    if (change.kind === 'EscalationPolicy') {
      const want = desired as EscalationPolicyDocument | null;
      if (change.action === 'delete') {
        await policies.deleteIn(db, acting, change.name);
        return;
      }
      if (!want) return;
      const input = {
        name: want.spec.name,
        description: want.spec.description ?? '',
        ...(want.spec.team !== undefined ? { team: want.spec.team } : {}),
        levels: want.spec.levels.map((l) => ({ delayMinutes: l.delayMinutes, targets: l.targets.map(targetInput) })),
        repeat: want.spec.repeat,
        fallback: want.spec.fallback !== undefined ? targetInput(want.spec.fallback) : null,
        skipEmptyLevels: want.spec.skipEmptyLevels,
      };
      const policy = change.action === 'create' ? await policies.createIn(db, acting, { handle: want.metadata.name, ...input }) : await policies.updateIn(db, acting, change.name, { ...input, team: want.spec.team ?? null });
      // Paging's setting of the policy (the acknowledgement timeout) lives beside it, not in it.
      if ((await policySettingsRepo.ackTimeout(db, policy.id)) !== (want.spec.ackTimeoutMinutes ?? null)) await policySettingsRepo.setAckTimeout(db, policy.id, want.spec.ackTimeoutMinutes ?? null, this.deps.clock.now());
      return;
    }
    if (change.kind === 'Service') await this.applyService(tx, acting, change, desired as ServiceDocument | null, existing as ServiceDocument | null, prune, defer);
  }

  /**
   * Creates, updates or removes a maintenance window (deleted) or a silence (expired: it stays in
   * the history of the alerts it silenced) through the suppression service, which checks services,
   * rights and times as the API does and writes the audit entries.
   */
  private async applySuppression(tx: Tx, acting: Acting, change: ConfigChange, desired: ConfigDocument | null, id: string | undefined): Promise<void> {
    const { suppression } = this.deps;
    if (change.action === 'delete') {
      if (id === undefined) return;
      if (change.kind === 'MaintenanceWindow') await suppression.deleteWindowIn(tx, acting, id);
      else await suppression.expireSilenceIn(tx, acting, id);
      return;
    }
    if (desired?.kind === 'MaintenanceWindow') {
      const spec = desired.spec;
      const fields = { name: spec.name, description: spec.description ?? '', services: spec.services, startsAt: spec.startsAt };
      if (change.action === 'create' || id === undefined) {
        await suppression.createWindowIn(tx, acting, { ...fields, ...(spec.endsAt !== undefined ? { endsAt: spec.endsAt } : {}), ...(spec.recurrence ? { recurrence: spec.recurrence } : {}) }, { handle: change.name });
      } else {
        await suppression.updateWindowIn(tx, acting, id, { ...fields, endsAt: spec.endsAt ?? null, recurrence: spec.recurrence ?? null });
      }
      return;
    }
    if (desired?.kind === 'Silence') {
      const spec = desired.spec;
      const fields = { matchers: spec.matchers, comment: spec.comment, startsAt: spec.startsAt, endsAt: spec.endsAt as string };
      if (change.action === 'create' || id === undefined) await suppression.createSilenceIn(tx, acting, { ...fields, ...(spec.service !== undefined ? { service: spec.service } : {}) }, { handle: change.name });
      else await suppression.updateSilenceIn(tx, acting, id, { ...fields, service: spec.service ?? null });
    }
  }

  /**
   * Creates, updates or deletes a service through the service catalog, then makes its integrations
   * match the document by name: new ones are created with a generated key, listed ones updated in
   * place (their keys are kept), and with --prune unlisted ones are disabled (their alerts and events
   * keep pointing at them). Config never reads or writes keys or verification credentials.
   */
  private async applyService(
    tx: Tx,
    acting: Acting,
    change: ConfigChange,
    want: ServiceDocument | null,
    have: ServiceDocument | null,
    prune: boolean,
    defer: (run: () => Promise<void>) => void,
  ): Promise<void> {
    const services = this.deps.services;
    if (change.action === 'delete') {
      await services.deleteIn(tx, acting, change.name);
      return;
    }
    if (!want) return;
    const { integrations: _integrations, rules, supportHours, raiseAtSupportStart, backlogWebhookUrl, dependsOn, ...spec } = want.spec;
    const input = { ...spec, description: spec.description ?? '' };
    if (change.action === 'create') {
      await services.createIn(tx.db, acting, { ...input, handle: want.metadata.name } as ServiceInput);
    } else if (have) {
      // The API keeps a field an update leaves out, so dropping a link, team or policy from the document
      // cannot be carried out as an update; say so rather than silently keeping it.
      for (const field of ['team', 'escalationPolicy', 'runbookUrl', 'dashboardUrl'] as const) {
        if (have.spec[field] !== undefined && want.spec[field] === undefined) {
          throw new AppError('RULE_VIOLATION', `removing \`${field}\` from a service is not supported by config yet; set it in the UI or API, or name another`, {
            issues: [{ path: `spec.${field}`, message: 'cannot be removed by config yet' }],
          });
        }
      }
      await services.updateIn(tx, acting, change.name, input as ServiceUpdate);
    }
    const routing = this.deps.routing;
    // A new service has no support settings stored, which reads as the defaults.
    const sameSupport =
      JSON.stringify([have?.spec.supportHours ?? null, have?.spec.raiseAtSupportStart ?? false, have?.spec.backlogWebhookUrl ?? null]) ===
      JSON.stringify([want.spec.supportHours ?? null, raiseAtSupportStart ?? false, backlogWebhookUrl ?? null]);
    if (!sameSupport) await routing.putSupportIn(tx, acting, want.metadata.name, { supportHours: supportHours ?? null, raiseAtSupportStart: raiseAtSupportStart ?? false, backlogWebhookUrl: backlogWebhookUrl ?? null });
    const sameRules = JSON.stringify(have?.spec.rules ?? []) === JSON.stringify(want.spec.rules ?? []);
    if (!sameRules) defer(async () => void (await routing.putRulesIn(tx, acting, want.metadata.name, { rules: rules ?? [] })));
    // Dependencies name other services, which may be created later in this apply: set them once all exist.
    if (JSON.stringify(have?.spec.dependsOn ?? []) !== JSON.stringify(dependsOn ?? [])) defer(async () => void (await services.updateIn(tx, acting, want.metadata.name, { dependsOn: dependsOn ?? [] })));
    const wanted = want.spec.integrations;
    if (wanted === undefined) return;
    const service = await services.require(tx.db, want.metadata.name);
    const current = await tx.db.selectFrom('integrations').selectAll().where('service_id', '=', service.id).orderBy('id').execute();
    for (const w of wanted) {
      const row = current.find((i) => i.name === w.name);
      if (!row) {
        const created = await services.createIntegrationIn(tx, acting, service.id, {
          type: w.type,
          name: w.name,
          ...(w.mapping ? { mapping: w.mapping } : {}),
          ...(w.heartbeat ? { heartbeat: w.heartbeat } : {}),
          ...(w.email ? { email: w.email } : {}),
        });
        if (w.disabled) await services.updateIntegrationIn(tx, acting, service.id, created.id, { disabled: true });
        continue;
      }
      if (row.type !== w.type) {
        throw new AppError('RULE_VIOLATION', `integration \`${w.name}\` is of type ${row.type}; its type cannot change (give the new one another name, and remove this one)`, {
          issues: [{ path: `spec.integrations.${wanted.indexOf(w)}.type`, message: `cannot change from ${row.type}` }],
        });
      }
      const before = have?.spec.integrations?.find((i) => i.name === w.name);
      const sameMapping = JSON.stringify(before?.mapping ?? null) === JSON.stringify(canonicalMapping(w));
      // Heartbeat and email settings: only the fields the document states are compared (plan did it).
      const settingsChanged = (field: 'heartbeat' | 'email') => w[field] !== undefined && change.diff.some((d) => d.field.startsWith(`spec.integrations[${w.name}].${field}.`));
      const sameSettings = !settingsChanged('heartbeat') && !settingsChanged('email');
      if (before && before.disabled === w.disabled && sameMapping && sameSettings) continue;
      await services.updateIntegrationIn(tx, acting, service.id, row.id, {
        disabled: w.disabled,
        ...(row.type === 'webhook' && !sameMapping ? { mapping: w.mapping ?? null } : {}),
        ...(settingsChanged('heartbeat') ? { heartbeat: w.heartbeat } : {}),
        ...(settingsChanged('email') ? { email: w.email } : {}),
      } as Parameters<ServiceCatalog['updateIntegrationIn']>[4]);
    }
    if (!prune) return;
    for (const row of current) {
      if (row.disabled === 0 && !wanted.some((w) => w.name === row.name)) await services.updateIntegrationIn(tx, acting, service.id, row.id, { disabled: true });
    }
  }

  /**
   * Makes a person's contact methods and rules match the document, where it states them. Methods
   * are matched by type and address, so applying again never adds a second copy and a kept method
   * keeps its verification; only labels are updated in place. Removals come first (they free room
   * under the per-person limit), rules last (they name methods by id).
   */
  private async applyNotificationSetup(tx: Tx, acting: Acting, want: UserDocument): Promise<void> {
    const { notify, catalog } = this.deps;
    const handle = want.metadata.name;
    const wanted = want.spec.contactMethods;
    if (wanted === undefined) return;
    const userId = (await catalog.requireUser(tx.db, handle)).id;
    const current = await notify.listContactMethods(tx.db, userId);
    for (const m of current) if (managed(m.type) && !wanted.some((w) => sameMethod(w, m))) await notify.deleteContactMethodIn(tx, acting, handle, m.id);
    for (const w of wanted) {
      const have = current.find((m) => sameMethod(m, w));
      if (!have) await notify.createContactMethodIn(tx, acting, handle, w);
      else if (have.label !== (w.label ?? '')) await notify.updateContactMethodIn(tx, acting, handle, have.id, { label: w.label ?? '' });
    }
    const rules = want.spec.notificationRules;
    if (rules === undefined) return;
    const methods = await notify.listContactMethods(tx.db, userId);
    const idOf = (ref: string) => {
      const found = findContactMethod(wanted, ref);
      const spec = 'index' in found ? wanted[found.index] : undefined;
      return methods.find((m) => spec !== undefined && sameMethod(m, spec))?.id ?? '';
    };
    const body = {
      high: rules.high.map((r) => ({ delayMinutes: r.afterMinutes, contactMethodId: idOf(r.contactMethod) })),
      low: rules.low.map((r) => ({ delayMinutes: r.afterMinutes, contactMethodId: idOf(r.contactMethod) })),
    };
    const now = await notify.rulesView(tx.db, userId);
    const same = (a: Array<{ delayMinutes: number; contactMethodId: string }>, b: NotificationRules['high']) =>
      a.length === b.length && a.every((r, i) => r.delayMinutes === b[i]?.delayMinutes && r.contactMethodId === b[i]?.contactMethodId);
    if (!same(body.high, now.high) || !same(body.low, now.low)) await notify.replaceRulesIn(tx, acting, handle, body);
  }
}

/** A document layer as the on-call API takes it: people by handle, instants as ISO text. */
function layerInput(l: ScheduleLayerSpec): LayerInput {
  return {
    id: l.id,
    name: l.name,
    participants: l.participants,
    start: l.start,
    ...(l.end !== undefined ? { end: l.end } : {}),
    handoffTime: l.handoffTime,
    turn: l.turn,
    restrictions: l.restrictions ?? [],
    advance: l.advance,
    shadows: l.shadows ?? [],
    ...(l.timeZone !== undefined ? { timeZone: l.timeZone } : {}),
  };
}

function targetInput(t: EscalationTargetSpec): { type: 'user' | 'schedule' | 'team'; ref: string } {
  const { kind, name } = targetOf(t);
  return { type: kind === 'User' ? 'user' : kind === 'Schedule' ? 'schedule' : 'team', ref: name };
}

/** A heartbeat's settings as a document states them: the schedule in use, no nulls. */
function heartbeatSpec(h: NonNullable<IntegrationView['heartbeat']>): NonNullable<ServiceIntegrationSpec['heartbeat']> {
  return {
    ...(h.periodSeconds !== null ? { periodSeconds: h.periodSeconds } : {}),
    ...(h.cron !== null ? { cron: h.cron, timeZone: h.timeZone } : {}),
    graceSeconds: h.graceSeconds,
    ...(h.maxRunSeconds !== null ? { maxRunSeconds: h.maxRunSeconds } : {}),
    severity: h.severity,
  };
}

/** An email integration's rules as a document states them (without the address: it holds the key). */
function emailSpec(e: NonNullable<IntegrationView['email']>): NonNullable<ServiceIntegrationSpec['email']> {
  return {
    ...(e.dedupKeyPattern !== null ? { dedupKeyPattern: e.dedupKeyPattern } : {}),
    resolve: e.resolve,
    acknowledge: e.acknowledge,
    severity: e.severity,
    defaultSeverity: e.defaultSeverity,
  };
}

/** A document integration's mapping as the canonical form holds it (keys sorted), for comparison. */
function canonicalMapping(i: ServiceIntegrationSpec): unknown {
  const doc = canonicalDocument({ apiVersion: configApiVersion, kind: 'Service', metadata: { name: 'x' }, spec: { name: 'x', integrations: [i] } } as unknown as ServiceDocument) as ServiceDocument;
  return doc.spec.integrations?.[0]?.mapping ?? null;
}

/** An error from one planned change, saying which change failed and that nothing was applied. */
function failed(change: ConfigChange, error: unknown): unknown {
  if (!(error instanceof AppError)) return error;
  return new AppError(error.code, `Could not ${change.action} ${change.kind} \`${change.name}\`: ${error.message}. Nothing was applied.`, { ...error.details, change: { action: change.action, kind: change.kind, name: change.name } });
}

/**
 * The documents with each NotificationProvider's settings as its adapter reads them (a trailing slash
 * dropped, text trimmed), which is how the server stores them: writing `https://api.twilio.com/` is
 * then no change from what is stored. Settings the adapter refuses are left for validation to report.
 */
function withProviderSettingsParsed(request: ConfigRequest): ConfigRequest {
  const documents = request.documents.map((d) => {
    if (d.kind !== 'NotificationProvider') return d;
    const parsed = providerAdapters[d.spec.kind]?.settings.safeParse(d.spec.settings);
    return parsed?.success ? { ...d, spec: { ...d.spec, settings: parsed.data } } : d;
  });
  return { ...request, documents };
}

/** An environment variable name for a secret, such as TWILIO_AUTH_TOKEN, for messages. */
function suggestedVariable(kind: string, key: string): string {
  return `${kind}_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2')}`.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase();
}

/**
 * What the server knows that the documents alone do not: a provider's kind cannot change, and a
 * required secret must be named by environment variable unless it is already sealed on the server
 * (set through the API).
 */
function providerProblems(documents: readonly ConfigDocument[], current: ReadonlyMap<string, ProviderConfigEntry>): FieldIssue[] {
  const problems: FieldIssue[] = [];
  documents.forEach((d, index) => {
    if (d.kind !== 'NotificationProvider') return;
    const at = `body.documents.${index}.spec`;
    const have = current.get(d.metadata.name);
    if (have && have.kind !== d.spec.kind) {
      problems.push({ path: `${at}.kind`, message: `provider ${d.metadata.name} is of kind ${have.kind} on the server; a provider's kind cannot change (give the new one another name, and remove this one)` });
      return;
    }
    for (const field of providerAdapters[d.spec.kind]?.fields ?? []) {
      if (!field.secret || !field.required || d.spec.secrets[field.key] !== undefined || have?.sealedSecrets.includes(field.key)) continue;
      problems.push({ path: `${at}.secrets.${field.key}`, message: `is required (${field.description}): name the environment variable that holds it, such as ${field.key}: {fromEnv: ${suggestedVariable(d.spec.kind, field.key)}}` });
    }
  });
  return problems;
}
