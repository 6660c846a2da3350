import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Kysely, Selectable } from 'kysely';
import { LruMap } from 'toad-cache';
import type { z } from 'zod';
import type {
  integrationAuthSchema,
  integrationInputSchema,
  integrationSchema,
  integrationUpdateSchema,
  integrationWithKeySchema,
  rotateKeyInputSchema,
  Service,
  serviceInputSchema,
  serviceUpdateSchema,
} from '../../../contracts/alerts.js';
import { AppError } from '../../../contracts/errors.js';
import { canManageTeam, roleAtLeast } from '../../../core/auth/roles.js';
import { isWebUrl, type UrgencyRules } from '../../../core/alerts/alert.js';
import type { Clock } from '../../platform/clock.js';
import { hashToken, type SecretBox } from '../../platform/crypto.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { Database, IntegrationsTable, ServicesTable } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { AuditLog } from '../audit/audit.repo.js';
import { mappingColumn, mappingOf } from '../alerts/formats/mapping.js';
import type { Acting } from '../catalog/catalog.service.js';
import { dependsOnHandles, replaceDependencies } from '../changes/service-dependencies.js';

export type ServiceRow = Selectable<ServicesTable>;
export type IntegrationRow = Selectable<IntegrationsTable>;
/** Suppression settings may be omitted by callers inside the server (tests, config-as-code): the API's defaults apply. */
type SuppressionSettings = 'flapWindowMinutes' | 'stormThresholdPerMinute';
export type ServiceInput = Omit<z.output<typeof serviceInputSchema>, SuppressionSettings> & Partial<Pick<z.output<typeof serviceInputSchema>, SuppressionSettings>>;
export type ServiceUpdate = z.output<typeof serviceUpdateSchema>;
export type IntegrationView = z.infer<typeof integrationSchema>;
export type IntegrationWithKey = z.infer<typeof integrationWithKeySchema>;
/** An integration's verification settings (secrets included): only intake and the snippet read them. */
export type IntegrationAuth = z.output<typeof integrationAuthSchema>;

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** Integration keys look like PagerDuty routing keys: 32 hexadecimal characters (128 random bits). */
export function newIntegrationKey(): string {
  return randomBytes(16).toString('hex');
}

/** Runbook and dashboard links are shown as links: only http(s) URLs (zod's `url()` also accepts `javascript:`). */
function assertWebUrls(input: { runbookUrl?: string | undefined; dashboardUrl?: string | undefined }): void {
  const issues = (['runbookUrl', 'dashboardUrl'] as const).filter((f) => input[f] !== undefined && !isWebUrl(input[f] as string)).map((f) => ({ path: `body.${f}`, message: 'must be an http:// or https:// URL' }));
  if (issues.length > 0) throw new AppError('VALIDATION_FAILED', `Invalid request. ${issues[0]?.path}: ${issues[0]?.message}`, { issues });
}

/**
 * Settings a module keeps for its own integration type (heartbeats, email intake): it validates and
 * stores them in the integration's transaction, adds its part of the view, and says where to send.
 * Registered with `ServiceCatalog.addIntegrationExtension` at composition time.
 */
export interface IntegrationExtension {
  readonly type: IntegrationView['type'];
  /** The field of the create and update bodies this extension reads, e.g. `heartbeat`. */
  readonly field: 'heartbeat' | 'email';
  created(tx: Tx, row: IntegrationRow, input: z.output<typeof integrationInputSchema>): Promise<void>;
  updated(tx: Tx, before: IntegrationRow, after: IntegrationRow, changes: z.output<typeof integrationUpdateSchema>): Promise<void>;
  /** View fields for integrations of this type, by integration id. */
  views(db: Kysely<Database>, rows: readonly IntegrationRow[]): Promise<Map<string, Partial<IntegrationView>>>;
  endpoint(row: IntegrationRow, key: string): { url: string; snippet: string };
}

/** The storm guard's default threshold of new alerts per service per minute: off (docs/alerts.md, ADR 0019). */
export const DEFAULT_STORM_THRESHOLD = 0;

export const urgencyOf = (row: ServiceRow): UrgencyRules => JSON.parse(row.urgency_json) as UrgencyRules;

/**
 * Who may change a service and its integrations: an admin, or a team admin of the owning team.
 * Services without a team are organization-wide: admins only, never a team-scoped token.
 */
export function assertCanManageService(acting: Acting, teamId: string | null, what: string): void {
  const p = acting.principal;
  if (!p) return;
  if (teamId === null) {
    if (p.teamScope !== null || !roleAtLeast(p.role, 'admin')) throw new AppError('FORBIDDEN', `${what} belongs to no team, so only admins (not team-scoped tokens) can change it`);
    return;
  }
  if (!canManageTeam(p, teamId)) throw new AppError('FORBIDDEN', `Changing ${what} needs the admin role or team admin of its team`);
}

/**
 * Services (catalog entries that alerts belong to) and their integrations. Each change runs in one
 * transaction with its audit entry; the `*In` variants take an open transaction.
 */
/** How long intake may reuse an integration lookup (ADR 0043): a change on another node applies within it. */
export const KEY_CACHE_MS = 1000;

export class ServiceCatalog {
  constructor(private readonly deps: { database: FirebreakDatabase; clock: Clock; ids: IdGenerator; audit: AuditLog; secrets: SecretBox; publicUrl: string }) {}

  private readonly extensions = new Map<string, IntegrationExtension>();
  /**
   * Intake's lookups by integration key (ADR 0043), by the key's hash, for up to KEY_CACHE_MS each:
   * cleared by every change to a service or integration on this node (and again once it commits); a
   * change made on another node applies here within that second.
   */
  private readonly keyCache = new LruMap<{ found: { integration: IntegrationRow; service: ServiceRow } | null; until: number }>(10_000);
  /** Moves on every clear, so a lookup that started before a change does not store what it read. */
  private keyGeneration = 0;

  addIntegrationExtension(extension: IntegrationExtension): void {
    this.extensions.set(extension.type, extension);
  }

  /** Integration views with each extension's fields (heartbeat status, email address). */
  private async extendedViews(db: Kysely<Database>, rows: readonly IntegrationRow[]): Promise<IntegrationView[]> {
    const extras = new Map<string, Partial<IntegrationView>>();
    for (const extension of this.extensions.values()) {
      const own = rows.filter((r) => r.type === extension.type);
      if (own.length > 0) for (const [id, extra] of await extension.views(db, own)) extras.set(id, extra);
    }
    return rows.map((r) => ({ ...this.integrationView(r), ...extras.get(r.id) }));
  }

  private async extendedWithKey(db: Kysely<Database>, row: IntegrationRow): Promise<IntegrationWithKey> {
    const [view] = await this.extendedViews(db, [row]);
    return { ...this.withKey(row), ...view };
  }

  /** Refuses settings meant for another integration type (`heartbeat` on a webhook, …). */
  private assertExtensionFields(type: string, input: { heartbeat?: unknown; email?: unknown }): void {
    for (const field of ['heartbeat', 'email'] as const) {
      if (input[field] !== undefined && this.extensions.get(type)?.field !== field) {
        throw new AppError('VALIDATION_FAILED', `\`${field}\` settings are only accepted for ${field} integrations`, { issues: [{ path: `body.${field}`, message: `is only accepted for type ${field}` }] });
      }
    }
  }

  private get db() {
    return this.deps.database.db;
  }

  async find(db: Kysely<Database>, ref: string): Promise<ServiceRow | undefined> {
    return db.selectFrom('services').selectAll().where('deleted_at', 'is', null).where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref)])).executeTakeFirst();
  }

  async require(db: Kysely<Database>, ref: string): Promise<ServiceRow> {
    const row = await this.find(db, ref);
    if (!row) throw new AppError('NOT_FOUND', `Service \`${ref}\` does not exist`);
    return row;
  }

  async list(): Promise<Service[]> {
    const rows = await this.db.selectFrom('services').selectAll().where('deleted_at', 'is', null).orderBy('handle').execute();
    return this.views(this.db, rows);
  }

  async get(ref: string): Promise<Service> {
    return (await this.views(this.db, [await this.require(this.db, ref)]))[0] as Service;
  }

  async views(db: Kysely<Database>, rows: readonly ServiceRow[]): Promise<Service[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const integrations = await db.selectFrom('integrations').selectAll().where('service_id', 'in', ids).orderBy('id').execute();
    const counts = await db
      .selectFrom('alerts')
      .select(['service_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('service_id', 'in', ids)
      .where('open_dedup_key', 'is not', null)
      .groupBy('service_id')
      .execute();
    const open = new Map(counts.map((c) => [c.service_id, Number(c.n)]));
    const integrationViews = await this.extendedViews(db, integrations);
    const dependsOn = await dependsOnHandles(db, ids);
    return rows.map((row) => ({
      id: row.id,
      handle: row.handle,
      name: row.name,
      description: row.description,
      teamId: row.team_id,
      escalationPolicyId: row.escalation_policy_id,
      runbookUrl: row.runbook_url,
      dashboardUrl: row.dashboard_url,
      urgency: urgencyOf(row),
      integrations: integrationViews.filter((i) => i.serviceId === row.id),
      openAlerts: open.get(row.id) ?? 0,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      flapWindowMinutes: row.flap_window_minutes,
      stormThresholdPerMinute: row.storm_threshold_per_minute,
      dependsOn: dependsOn.get(row.id) ?? [],
    }));
  }

  // ---- services

  async create(acting: Acting, input: ServiceInput): Promise<Service> {
    return this.deps.database.transaction(async (tx) => this.createIn(tx.db, acting, input));
  }

  async createIn(db: Kysely<Database>, acting: Acting, input: ServiceInput): Promise<Service> {
    assertWebUrls(input);
    const teamId = input.team === undefined ? null : await this.resolveTeam(db, input.team);
    assertCanManageService(acting, teamId, `Service \`${input.handle}\``);
    const policyId = input.escalationPolicy === undefined ? null : await this.resolvePolicy(db, input.escalationPolicy);
    if (await this.find(db, input.handle)) throw new AppError('CONFLICT', `A service with handle \`${input.handle}\` already exists`, { field: 'handle' });
    const now = this.deps.clock.now();
    const row: ServiceRow = {
      id: this.deps.ids(),
      handle: input.handle,
      name: input.name,
      description: input.description,
      team_id: teamId,
      escalation_policy_id: policyId,
      runbook_url: input.runbookUrl ?? null,
      dashboard_url: input.dashboardUrl ?? null,
      urgency_json: JSON.stringify(input.urgency),
      flap_window_minutes: input.flapWindowMinutes ?? 0,
      storm_threshold_per_minute: input.stormThresholdPerMinute ?? DEFAULT_STORM_THRESHOLD,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    };
    await db.insertInto('services').values(row).execute();
    if (input.dependsOn) await replaceDependencies(db, row, input.dependsOn, now);
    const [view] = await this.views(db, [row]);
    await this.deps.audit.record(db, acting.actor, { action: 'service.create', targetType: 'service', targetId: row.id, after: view });
    return view as Service;
  }

  async update(acting: Acting, ref: string, changes: ServiceUpdate): Promise<Service> {
    return this.deps.database.transaction((tx) => this.updateIn(tx, acting, ref, changes));
  }

  /** `update` inside an open transaction (config apply). */
  async updateIn(tx: Tx, acting: Acting, ref: string, changes: ServiceUpdate): Promise<Service> {
    const db = tx.db;
    this.keysChanged(tx);
    assertWebUrls(changes);
    const row = await this.require(db, ref);
    assertCanManageService(acting, row.team_id, `Service \`${row.handle}\``);
    const teamId = changes.team === undefined ? row.team_id : await this.resolveTeam(db, changes.team);
    if (teamId !== row.team_id) assertCanManageService(acting, teamId, `Service \`${row.handle}\``);
    const updated: ServiceRow = {
      ...row,
      name: changes.name ?? row.name,
      description: changes.description ?? row.description,
      team_id: teamId,
      escalation_policy_id: changes.escalationPolicy === undefined ? row.escalation_policy_id : await this.resolvePolicy(db, changes.escalationPolicy),
      runbook_url: changes.runbookUrl ?? row.runbook_url,
      dashboard_url: changes.dashboardUrl ?? row.dashboard_url,
      urgency_json: changes.urgency === undefined ? row.urgency_json : JSON.stringify({ ...urgencyOf(row), ...Object.fromEntries(Object.entries(changes.urgency).filter(([, v]) => v !== undefined)) }),
      flap_window_minutes: changes.flapWindowMinutes ?? row.flap_window_minutes,
      storm_threshold_per_minute: changes.stormThresholdPerMinute ?? row.storm_threshold_per_minute,
      updated_at: this.deps.clock.now(),
    };
    const [before] = await this.views(db, [row]);
    await db
      .updateTable('services')
      .set({ name: updated.name, description: updated.description, team_id: updated.team_id, escalation_policy_id: updated.escalation_policy_id, runbook_url: updated.runbook_url, dashboard_url: updated.dashboard_url, urgency_json: updated.urgency_json, flap_window_minutes: updated.flap_window_minutes, storm_threshold_per_minute: updated.storm_threshold_per_minute, updated_at: updated.updated_at })
      .where('id', '=', row.id)
      .execute();
    if (changes.dependsOn) await replaceDependencies(db, row, changes.dependsOn, updated.updated_at);
    const [after] = await this.views(db, [updated]);
    await this.deps.audit.record(db, acting.actor, { action: 'service.update', targetType: 'service', targetId: row.id, before, after });
    return after as Service;
  }

  /** Deletes a service: the row stays (its alerts keep their history), its handle is freed and its integrations stop accepting events. */
  async delete(acting: Acting, ref: string): Promise<void> {
    await this.deps.database.transaction((tx) => this.deleteIn(tx, acting, ref));
  }

  /** `delete` inside an open transaction (config apply). */
  async deleteIn(tx: Tx, acting: Acting, ref: string): Promise<void> {
    const db = tx.db;
    this.keysChanged(tx);
    const row = await this.require(db, ref);
    assertCanManageService(acting, row.team_id, `Service \`${row.handle}\``);
    const [before] = await this.views(db, [row]);
    const now = this.deps.clock.now();
    // `~` cannot appear in a handle, so the freed handle can be used again without colliding.
    await db.updateTable('services').set({ deleted_at: now, updated_at: now, handle: `${row.handle}~deleted~${row.id}` }).where('id', '=', row.id).execute();
    await db.updateTable('integrations').set({ disabled: 1, updated_at: now }).where('service_id', '=', row.id).execute();
    await this.deps.audit.record(db, acting.actor, { action: 'service.delete', targetType: 'service', targetId: row.id, before });
  }

  private async resolveTeam(db: Kysely<Database>, ref: string): Promise<string> {
    const team = await db.selectFrom('teams').select('id').where('deactivated_at', 'is', null).where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref)])).executeTakeFirst();
    if (!team) throw new AppError('VALIDATION_FAILED', `Team \`${ref}\` does not exist`, { issues: [{ path: 'body.team', message: `team \`${ref}\` does not exist` }] });
    return team.id;
  }

  private async resolvePolicy(db: Kysely<Database>, ref: string): Promise<string> {
    const policy = await db.selectFrom('escalation_policies').select('id').where('deleted_at', 'is', null).where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref)])).executeTakeFirst();
    if (!policy) throw new AppError('VALIDATION_FAILED', `Escalation policy \`${ref}\` does not exist`, { issues: [{ path: 'body.escalationPolicy', message: `escalation policy \`${ref}\` does not exist` }] });
    return policy.id;
  }

  // ---- integrations

  integrationView(row: IntegrationRow): IntegrationView {
    const key = this.deps.secrets.open(row.key_sealed);
    return {
      id: row.id,
      serviceId: row.service_id,
      type: row.type as IntegrationView['type'],
      name: row.name,
      disabled: row.disabled === 1,
      keyPreview: key.slice(0, 6),
      previousKeyValidUntil: row.previous_key_valid_until !== null && row.previous_key_valid_until > this.deps.clock.now() ? iso(row.previous_key_valid_until) : null,
      createdAt: iso(row.created_at),
      lastEventAt: isoOrNull(row.last_event_at),
      verification: verificationOf(this.authOf(row)),
      ...(row.type === 'webhook' ? { mapping: mappingOf(row) } : {}),
    };
  }

  /** The verification settings of an integration, unsealed; null when none are configured. */
  authOf(row: IntegrationRow): IntegrationAuth | null {
    return row.auth_sealed ? (JSON.parse(this.deps.secrets.open(row.auth_sealed)) as IntegrationAuth) : null;
  }

  private sealAuth(type: string, auth: IntegrationAuth | null | undefined): string | null {
    if (!auth || verificationOf(auth).length === 0) return null;
    if (type !== 'grafana' && type !== 'webhook') throw new AppError('VALIDATION_FAILED', 'Only Grafana and webhook integrations verify signatures or credentials', { issues: [{ path: 'body.auth', message: 'is only accepted for types grafana and webhook' }] });
    // A request carries one Authorization header: with both set, no post could pass.
    if (auth.bearerToken && auth.basicAuth) throw new AppError('VALIDATION_FAILED', 'Set a bearer token or basic auth, not both: a request carries one Authorization header', { issues: [{ path: 'body.auth.basicAuth', message: 'cannot be set together with bearerToken' }] });
    if (type === 'webhook' && auth.hmacSecret) throw new AppError('VALIDATION_FAILED', 'Webhook integrations check bearer or basic credentials; HMAC signatures are Grafana’s', { issues: [{ path: 'body.auth.hmacSecret', message: 'is only accepted for type grafana' }] });
    return this.deps.secrets.seal(JSON.stringify(auth));
  }

  /** The integration with its key, where to post, and a snippet to paste into the sending tool. */
  withKey(row: IntegrationRow): IntegrationWithKey {
    const key = this.deps.secrets.open(row.key_sealed);
    const base = this.deps.publicUrl;
    const extension = this.extensions.get(row.type);
    if (extension) return { ...this.integrationView(row), key, ...extension.endpoint(row, key) };
    if (row.type === 'alertmanager') {
      const url = `${base}/integrations/alertmanager/${key}`;
      const snippet = ['receivers:', `  - name: firebreak-${row.id.toLowerCase().slice(-6)}`, '    webhook_configs:', `      - url: '${url}'`, '        send_resolved: true', '        max_alerts: 0', ''].join('\n');
      return { ...this.integrationView(row), key, url, snippet };
    }
    if (row.type === 'grafana') {
      const url = `${base}/integrations/grafana/${key}`;
      return { ...this.integrationView(row), key, url, snippet: grafanaSnippet(row, url, this.authOf(row)) };
    }
    if (row.type === 'webhook') {
      const url = `${base}/integrations/webhook/${key}`;
      return { ...this.integrationView(row), key, url, snippet: webhookSnippet(url, this.authOf(row)) };
    }
    if (row.type === 'opsgenie') {
      const url = `${base}/v2/alerts`;
      return { ...this.integrationView(row), key, url, snippet: opsgenieSnippet(base, key) };
    }
    if (row.type === 'victorops') {
      const url = `${base}/integrations/victorops/${key}/firebreak`;
      return { ...this.integrationView(row), key, url, snippet: victorOpsSnippet(base, key, url) };
    }
    const url = `${base}/v2/enqueue`;
    const event = { routing_key: key, event_action: 'trigger', dedup_key: 'disk-full-db-1', payload: { summary: 'Disk almost full on db-1', source: 'db-1', severity: 'critical' } };
    const snippet = [`curl -sS -X POST '${url}' \\`, "  -H 'Content-Type: application/json' \\", `  -d '${JSON.stringify(event)}'`, ''].join('\n');
    return { ...this.integrationView(row), key, url, snippet };
  }

  async requireIntegration(db: Kysely<Database>, service: ServiceRow, id: string): Promise<IntegrationRow> {
    const row = await db.selectFrom('integrations').selectAll().where('id', '=', id).where('service_id', '=', service.id).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `Integration \`${id}\` does not exist on service \`${service.handle}\``);
    return row;
  }

  async listIntegrations(ref: string): Promise<IntegrationView[]> {
    const service = await this.require(this.db, ref);
    const rows = await this.db.selectFrom('integrations').selectAll().where('service_id', '=', service.id).orderBy('id').execute();
    return this.extendedViews(this.db, rows);
  }

  /** Reading the key: admins, and members of the owning team (a service without a team: admins only). */
  async getIntegrationWithKey(acting: Acting, ref: string, id: string): Promise<IntegrationWithKey> {
    const service = await this.require(this.db, ref);
    const row = await this.requireIntegration(this.db, service, id);
    const p = acting.principal;
    if (p) {
      const scoped = p.teamScope === null || p.teamScope === service.team_id;
      const admin = roleAtLeast(p.role, 'admin');
      const member =
        service.team_id !== null &&
        (await this.db.selectFrom('team_members').select('user_id').where('team_id', '=', service.team_id).where('user_id', '=', p.userId).executeTakeFirst()) !== undefined;
      if (!scoped || !(admin || member)) throw new AppError('FORBIDDEN', `The key of integration \`${row.name}\` is shown to admins and members of the service's team only`);
    }
    return this.extendedWithKey(this.db, row);
  }

  async createIntegration(acting: Acting, ref: string, input: z.output<typeof integrationInputSchema>, options: { key?: string } = {}): Promise<IntegrationWithKey> {
    return this.deps.database.transaction((tx) => this.createIntegrationIn(tx, acting, ref, input, options));
  }

  /** `createIntegration` inside an open transaction (config apply). */
  async createIntegrationIn(tx: Tx, acting: Acting, ref: string, input: z.output<typeof integrationInputSchema>, options: { key?: string } = {}): Promise<IntegrationWithKey> {
    const db = tx.db;
    this.keysChanged(tx);
    const service = await this.require(db, ref);
    assertCanManageService(acting, service.team_id, `Service \`${service.handle}\``);
    // `options.key` keeps a key from another system (tests replay captured requests with their key).
    const key = options.key ?? newIntegrationKey();
    const now = this.deps.clock.now();
    const row: IntegrationRow = {
      id: this.deps.ids(),
      service_id: service.id,
      type: input.type,
      name: input.name,
      key_sealed: this.deps.secrets.seal(key),
      key_lookup: hashToken(key),
      previous_key_lookup: null,
      previous_key_valid_until: null,
      disabled: 0,
      created_at: now,
      updated_at: now,
      last_event_at: null,
      auth_sealed: this.sealAuth(input.type, input.auth),
      mapping_json: mappingColumn(input.type, input.mapping),
    };
    this.assertExtensionFields(input.type, input);
    await db.insertInto('integrations').values(row).execute();
    await this.extensions.get(row.type)?.created(tx, row, input);
    const [view] = await this.extendedViews(db, [row]);
    await this.deps.audit.record(db, acting.actor, { action: 'integration.create', targetType: 'integration', targetId: row.id, after: view });
    return { ...this.withKey(row), ...view };
  }

  async updateIntegration(acting: Acting, ref: string, id: string, changes: z.output<typeof integrationUpdateSchema>): Promise<IntegrationView> {
    return this.deps.database.transaction((tx) => this.updateIntegrationIn(tx, acting, ref, id, changes));
  }

  /** `updateIntegration` inside an open transaction (config apply). */
  async updateIntegrationIn(tx: Tx, acting: Acting, ref: string, id: string, changes: z.output<typeof integrationUpdateSchema>): Promise<IntegrationView> {
    const db = tx.db;
    this.keysChanged(tx);
    const service = await this.require(db, ref);
    assertCanManageService(acting, service.team_id, `Service \`${service.handle}\``);
    const row = await this.requireIntegration(db, service, id);
    const updated: IntegrationRow = {
      ...row,
      name: changes.name ?? row.name,
      disabled: changes.disabled === undefined ? row.disabled : changes.disabled ? 1 : 0,
      auth_sealed: changes.auth === undefined ? row.auth_sealed : this.sealAuth(row.type, changes.auth),
      mapping_json: changes.mapping === undefined ? row.mapping_json : mappingColumn(row.type, changes.mapping),
      updated_at: this.deps.clock.now(),
    };
    this.assertExtensionFields(row.type, changes);
    const [before] = await this.extendedViews(db, [row]);
    await db.updateTable('integrations').set({ name: updated.name, disabled: updated.disabled, auth_sealed: updated.auth_sealed, mapping_json: updated.mapping_json, updated_at: updated.updated_at }).where('id', '=', row.id).execute();
    await this.extensions.get(row.type)?.updated(tx, row, updated, changes);
    const [after] = (await this.extendedViews(db, [updated])) as [IntegrationView];
    await this.deps.audit.record(db, acting.actor, { action: 'integration.update', targetType: 'integration', targetId: row.id, before, after });
    return after;
  }

  /**
   * Issues a new key. The old one keeps working for `graceMinutes` (0: stops at once), so senders can be
   * switched over without losing events. Only the key just replaced has a grace period.
   */
  async rotateKey(acting: Acting, ref: string, id: string, input: z.output<typeof rotateKeyInputSchema>): Promise<IntegrationWithKey> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      this.keysChanged(tx);
      const service = await this.require(db, ref);
      assertCanManageService(acting, service.team_id, `Service \`${service.handle}\``);
      const row = await this.requireIntegration(db, service, id);
      const key = newIntegrationKey();
      const now = this.deps.clock.now();
      const grace = input.graceMinutes > 0;
      const updated: IntegrationRow = {
        ...row,
        key_sealed: this.deps.secrets.seal(key),
        key_lookup: hashToken(key),
        previous_key_lookup: grace ? row.key_lookup : null,
        previous_key_valid_until: grace ? now + input.graceMinutes * 60_000 : null,
        updated_at: now,
      };
      await db
        .updateTable('integrations')
        .set({ key_sealed: updated.key_sealed, key_lookup: updated.key_lookup, previous_key_lookup: updated.previous_key_lookup, previous_key_valid_until: updated.previous_key_valid_until, updated_at: now })
        .where('id', '=', row.id)
        .execute();
      await this.deps.audit.record(db, acting.actor, {
        action: 'integration.rotate_key',
        targetType: 'integration',
        targetId: row.id,
        before: this.integrationView(row),
        after: { ...this.integrationView(updated), graceMinutes: input.graceMinutes },
      });
      return this.extendedWithKey(db, updated);
    });
  }

  /**
   * The integration a key belongs to (current key, or the previous one within its grace), with its service.
   * Outside a transaction (`database.db` or `database.reader`: every intake route) the two reads are
   * precompiled and run as reads of the last committed state (ADR 0021), so a request does not build and
   * compile them anew; no cache, so a revoked or rotated key stops working with the next request.
   */
  /**
   * `findByKey` on the read connection for intake, answered from memory when this node looked the key
   * up less than a second ago and nothing here changed since (ADR 0043). A key that only matches as the
   * previous key is checked against its grace period on every use.
   */
  async findByKeyForIntake(key: string): Promise<{ integration: IntegrationRow; service: ServiceRow } | null> {
    const lookup = hashToken(key);
    const cached = this.keyCache.get(lookup);
    if (cached && cached.until > performance.now()) {
      const integration = cached.found?.integration;
      if (!integration || integration.key_lookup === lookup || (integration.previous_key_valid_until ?? 0) > this.deps.clock.now()) return cached.found;
    }
    const generation = this.keyGeneration;
    const found = await this.findByKey(this.deps.database.reader, key);
    if (generation === this.keyGeneration) this.keyCache.set(lookup, { found, until: performance.now() + KEY_CACHE_MS });
    return found;
  }

  /** A service or integration changes in `tx`: intake's cached lookups are dropped now and after the commit. */
  private keysChanged(tx: Tx): void {
    const clear = () => {
      this.keyGeneration++;
      this.keyCache.clear();
    };
    clear();
    tx.afterCommit(clear);
  }

  async findByKey(db: Kysely<Database>, key: string): Promise<{ integration: IntegrationRow; service: ServiceRow } | null> {
    const lookup = hashToken(key);
    const now = this.deps.clock.now();
    const { database } = this.deps;
    if (db === database.reader || db === database.db) {
      const byKey = database.precompiled('services.integrationByKey', (d, p) =>
        d
          .selectFrom('integrations')
          .selectAll()
          .where((eb) => eb.or([eb('key_lookup', '=', p('lookup')), eb.and([eb('previous_key_lookup', '=', p('lookup')), eb('previous_key_valid_until', '>', p('now'))])])),
      );
      const found = (await database.run<IntegrationRow>(byKey, { lookup, now })).rows[0];
      if (!found) return null;
      const live = database.precompiled('services.liveService', (d, p) => d.selectFrom('services').selectAll().where('id', '=', p('id')).where('deleted_at', 'is', null));
      const service = (await database.run<ServiceRow>(live, { id: found.service_id })).rows[0];
      return service ? { integration: found, service } : null;
    }
    const integration = await db
      .selectFrom('integrations')
      .selectAll()
      .where((eb) => eb.or([eb('key_lookup', '=', lookup), eb.and([eb('previous_key_lookup', '=', lookup), eb('previous_key_valid_until', '>', now)])]))
      .executeTakeFirst();
    if (!integration) return null;
    const service = await db.selectFrom('services').selectAll().where('id', '=', integration.service_id).where('deleted_at', 'is', null).executeTakeFirst();
    return service ? { integration, service } : null;
  }
}

/** Which checks a post must pass, in a fixed order (shown in views and the audit log, without secrets). */
function verificationOf(auth: IntegrationAuth | null): Array<'hmac' | 'bearer' | 'basic'> {
  if (!auth) return [];
  const kinds: Array<'hmac' | 'bearer' | 'basic'> = [];
  if (auth.hmacSecret) kinds.push('hmac');
  if (auth.bearerToken) kinds.push('bearer');
  if (auth.basicAuth) kinds.push('basic');
  return kinds;
}

/** Grafana contact point provisioning YAML (`/etc/grafana/provisioning/alerting/*.yaml`), with the configured checks. */
function grafanaSnippet(row: IntegrationRow, url: string, auth: IntegrationAuth | null): string {
  const name = `firebreak-${row.id.toLowerCase().slice(-6)}`;
  const q = (v: string) => `'${v.replace(/'/g, "''")}'`;
  const lines = ['apiVersion: 1', 'contactPoints:', '  - orgId: 1', `    name: ${name}`, '    receivers:', `      - uid: ${name}`, '        type: webhook', '        disableResolveMessage: false', '        settings:', `          url: ${q(url)}`, '          httpMethod: POST'];
  if (auth?.bearerToken) lines.push('          authorization_scheme: Bearer', `          authorization_credentials: ${q(auth.bearerToken)}`);
  if (auth?.basicAuth) lines.push(`          username: ${q(auth.basicAuth.username)}`, `          password: ${q(auth.basicAuth.password)}`);
  if (auth?.hmacSecret) lines.push('          hmacConfig:', `            secret: ${q(auth.hmacSecret)}`, '            header: X-Grafana-Alerting-Signature', '            timestampHeader: X-Grafana-Alerting-Timestamp');
  lines.push('');
  return lines.join('\n');
}

/** A curl call posting the generic webhook's documented fields. */
function webhookSnippet(url: string, auth: IntegrationAuth | null): string {
  const event = { title: 'Disk almost full on db-1', status: 'firing', dedupKey: 'disk-full-db-1', severity: 'critical', description: '95% used on /var/lib/postgresql', links: [{ href: 'https://grafana.example.com/d/db', text: 'Dashboard' }], details: { host: 'db-1', used: 0.95 } };
  const lines = [`curl -sS -X POST '${url}' \\`, "  -H 'Content-Type: application/json' \\"];
  const sh = (v: string) => `'${v.replace(/'/g, "'\\''")}'`;
  if (auth?.bearerToken) lines.push(`  -H ${sh(`Authorization: Bearer ${auth.bearerToken}`)} \\`);
  else if (auth?.basicAuth) lines.push(`  -u ${sh(`${auth.basicAuth.username}:${auth.basicAuth.password}`)} \\`);
  lines.push(`  -d '${JSON.stringify(event)}'`, '', '# Resolve it later with the same dedupKey:', `#   -d '{"status":"resolved","dedupKey":"disk-full-db-1"}'`, '');
  return lines.join('\n');
}

/** Opsgenie Alert API: change the API host (Alertmanager `opsgenie_configs.api_url`, SDK `host`) and the key. */
function opsgenieSnippet(base: string, key: string): string {
  const alert = { message: 'Disk almost full on db-1', alias: 'disk-full-db-1', description: '95% used on /var/lib/postgresql', priority: 'P1', tags: ['env:prod', 'db'], details: { host: 'db-1' } };
  return [
    '# Alertmanager (opsgenie_configs): point api_url at Firebreak',
    'receivers:',
    '  - name: firebreak-opsgenie',
    '    opsgenie_configs:',
    `      - api_key: '${key}'`,
    `        api_url: '${base}/'`,
    '',
    '# Or any Opsgenie client: host = ' + base,
    `curl -sS -X POST '${base}/v2/alerts' \\`,
    "  -H 'Content-Type: application/json' \\",
    `  -H 'Authorization: GenieKey ${key}' \\`,
    `  -d '${JSON.stringify(alert)}'`,
    '',
    '# Close it later by alias:',
    `#   curl -sS -X POST '${base}/v2/alerts/disk-full-db-1/close?identifierType=alias' -H 'Authorization: GenieKey ${key}' -H 'Content-Type: application/json' -d '{}'`,
    '',
  ].join('\n');
}

/** Splunk On-Call (VictorOps) REST endpoint: the URL replaces `https://alert.victorops.com/integrations/generic/20131114/alert/<key>/<routing key>`. */
function victorOpsSnippet(base: string, key: string, url: string): string {
  const event = { message_type: 'CRITICAL', entity_id: 'disk-full-db-1', entity_display_name: 'Disk almost full on db-1', state_message: '95% used on /var/lib/postgresql', monitoring_tool: 'nagios' };
  return [
    '# Alertmanager (victorops_configs) posts to <api_url><api_key>/<routing_key>',
    'receivers:',
    '  - name: firebreak-victorops',
    '    victorops_configs:',
    `      - api_url: '${base}/integrations/victorops/'`,
    `        api_key: '${key}'`,
    "        routing_key: 'firebreak'",
    '',
    `curl -sS -X POST '${url}' \\`,
    "  -H 'Content-Type: application/json' \\",
    `  -d '${JSON.stringify(event)}'`,
    '',
    '# Recover it later with the same entity_id:',
    `#   -d '{"message_type":"RECOVERY","entity_id":"disk-full-db-1"}'`,
    '',
  ].join('\n');
}
