import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AppError, type FieldIssue } from '../../../contracts/errors.js';
import { contactAddressSchemas, type ContactMethodType } from '../../../contracts/notify.js';
import { providerKindNames, providerKinds, type CreateProviderBody, type Provider, type ProviderKind, type ProviderKindInfo, type SecretInput, type UpdateProviderBody } from '../../../contracts/providers.js';
import type { Clock } from '../../platform/clock.js';
import type { SecretBox } from '../../platform/crypto.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { Database, NotificationProvidersTable } from '../../platform/db/schema.js';
import { validationError } from '../../platform/http/errors.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { AuditLog } from '../audit/audit.repo.js';
import type { Acting } from '../catalog/catalog.service.js';
import { EmailChannel } from '../notify/channels/email.channel.js';
import { ChannelError, type Channel, type ChannelMessage, type Channels, type ContactAddress } from '../notify/channels/channel.js';
import { providerAdapters } from './adapters.js';
import type { ProviderLookup } from './callbacks.js';
import { FailoverChannel, type RoutedChannel } from './failover.js';
import { healthOf, HealthBook } from './health.js';
import type { AdapterDeps, ProviderAdapter, ProviderConfig } from './provider-adapter.js';

type Row = NotificationProvidersTable;

/** The provider built from FIREBREAK_SMTP_URL: listed read-only, first for email. */
export const ENVIRONMENT_SMTP_ID = 'environment-smtp';

export interface ProvidersDeps {
  database: FirebreakDatabase;
  clock: Clock;
  ids: IdGenerator;
  secrets: SecretBox;
  audit: AuditLog;
  /** Where `{fromEnv}` secrets are read (process.env in production). */
  env: Readonly<Record<string, string | undefined>>;
  adapterDeps: AdapterDeps;
  /** FIREBREAK_SMTP_URL and FIREBREAK_EMAIL_FROM, when set. */
  environmentSmtp: { url: string; from: string } | null;
}

interface Built {
  row: Row | null;
  id: string;
  name: string;
  kind: ProviderKind;
  enabled: boolean;
  position: number;
  createdAt: number;
  channels: Partial<Record<ContactMethodType, Channel>>;
  problems: string[];
}

/**
 * Notification providers (docs/providers.md, ADR 0025): the accounts pages are delivered through, kept
 * in the database (API, settings page) or in config documents (secrets by environment variable), plus
 * the SMTP relay of FIREBREAK_SMTP_URL.
 *
 * `channels` is the live set every sender uses (`Channels`): for each contact method type, a
 * {@link FailoverChannel} over the enabled providers of that type in order, healthy before unhealthy.
 * It is rebuilt after every change here and every 30 s (`reload`), so other nodes pick changes up.
 */
export class ProvidersService implements ProviderLookup {
  /** The channels senders use; updated in place by `reload`. */
  readonly channels: Channels = {};
  readonly health: HealthBook;
  private built: Built[] = [];
  private environmentEmail: EmailChannel | undefined;

  constructor(private readonly deps: ProvidersDeps) {
    this.health = new HealthBook({ database: deps.database, clock: deps.clock });
    // Before the first reload (which needs the migrated database), the environment's relay already works.
    this.apply(this.environmentBuilt());
  }

  private get db() {
    return this.deps.database.db;
  }

  // ---- the live channels

  /** Reads every provider and rebuilds `channels`. Cheap: adapters only build clients, no I/O. */
  async reload(): Promise<void> {
    const rows = await this.db.selectFrom('notification_providers').selectAll().orderBy('position').orderBy('created_at').execute();
    this.health.load(rows);
    this.apply([...this.environmentBuilt(), ...rows.map((row) => this.build(row))]);
  }

  /** The provider of FIREBREAK_SMTP_URL, when set. */
  private environmentBuilt(): Built[] {
    const env = this.deps.environmentSmtp;
    if (!env) return [];
    // Built once: its URL may carry credentials, which the smtp adapter's settings refuse.
    this.environmentEmail ??= new EmailChannel({ smtpUrl: env.url, from: env.from });
    return [{ row: null, id: ENVIRONMENT_SMTP_ID, name: 'smtp-environment', kind: 'smtp', enabled: true, position: -1, createdAt: 0, channels: { email: this.environmentEmail }, problems: [] }];
  }

  private apply(built: Built[]): void {
    this.built = built;
    const routes = new Map<ContactMethodType, RoutedChannel[]>();
    for (const b of built) {
      if (!b.enabled || b.problems.length > 0) continue;
      for (const [type, channel] of Object.entries(b.channels) as Array<[ContactMethodType, Channel]>) {
        const list = routes.get(type) ?? [];
        list.push({ providerId: b.id, provider: b.name, position: b.position, createdAt: b.createdAt, channel });
        routes.set(type, list);
      }
    }
    for (const key of Object.keys(this.channels)) delete this.channels[key as ContactMethodType];
    for (const [type, list] of routes) this.channels[type] = new FailoverChannel(type, list, this.health);
  }

  private build(row: Row): Built {
    const kind = row.kind as ProviderKind;
    const adapter = providerAdapters[kind];
    const base = { row, id: row.id, name: row.handle, kind, enabled: row.enabled === 1, position: row.position, createdAt: row.created_at };
    if (!adapter) return { ...base, channels: {}, problems: [`Firebreak cannot deliver through ${providerKindNames[kind] ?? kind} providers yet`] };
    const { secrets, problems } = this.openSecrets(row, adapter);
    if (problems.length > 0) return { ...base, channels: {}, problems };
    try {
      const config: ProviderConfig = { id: row.id, name: row.handle, settings: adapter.settings.parse(JSON.parse(row.settings_json)), secrets: adapter.secrets.parse(secrets) };
      return { ...base, channels: adapter.create(config, this.deps.adapterDeps), problems: [] };
    } catch (error) {
      return { ...base, channels: {}, problems: [`its configuration is not valid: ${error instanceof z.ZodError ? z.prettifyError(error).replace(/\s*\n\s*/g, ' ').slice(0, 300) : error instanceof Error ? error.message.slice(0, 300) : String(error)}`] };
    }
  }

  /** The secrets of a row: sealed values, then environment references. Missing required ones are problems. */
  private openSecrets(row: Row, adapter: ProviderAdapter): { secrets: Record<string, string>; problems: string[] } {
    const secrets: Record<string, string> = row.secrets_sealed ? (JSON.parse(this.deps.secrets.open(row.secrets_sealed)) as Record<string, string>) : {};
    const problems: string[] = [];
    const refs = row.secret_env_json ? (JSON.parse(row.secret_env_json) as Record<string, string>) : {};
    for (const [key, variable] of Object.entries(refs)) {
      const value = this.deps.env[variable];
      if (value === undefined || value === '') problems.push(`secret \`${key}\` comes from environment variable ${variable}, which is not set`);
      else secrets[key] = value;
    }
    for (const field of adapter.fields) {
      if (field.secret && field.required && secrets[field.key] === undefined && refs[field.key] === undefined) problems.push(`secret \`${field.key}\` is not set`);
    }
    return { secrets, problems };
  }

  // ---- ProviderLookup (callbacks)

  async configOf(id: string): Promise<{ kind: ProviderKind; enabled: boolean; config: ProviderConfig } | null> {
    const row = await this.db.selectFrom('notification_providers').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const adapter = providerAdapters[row.kind as ProviderKind];
    if (!adapter) return null;
    const { secrets, problems } = this.openSecrets(row, adapter);
    if (problems.length > 0) return null;
    try {
      return { kind: row.kind as ProviderKind, enabled: row.enabled === 1, config: { id: row.id, name: row.handle, settings: adapter.settings.parse(JSON.parse(row.settings_json)), secrets: adapter.secrets.parse(secrets) } };
    } catch {
      return null;
    }
  }

  async firstOfKind(kind: ProviderKind): Promise<{ id: string; config: ProviderConfig } | null> {
    const rows = await this.db.selectFrom('notification_providers').select(['id']).where('kind', '=', kind).where('enabled', '=', 1).orderBy('position').orderBy('created_at').execute();
    for (const { id } of rows) {
      const found = await this.configOf(id);
      if (found) return { id, config: found.config };
    }
    return null;
  }

  // ---- reading

  kinds(): ProviderKindInfo[] {
    return providerKinds.flatMap((kind) => {
      const adapter = providerAdapters[kind];
      return adapter ? [{ kind, name: providerKindNames[kind], channels: [...adapter.channels], fields: [...adapter.fields] }] : [];
    });
  }

  async list(): Promise<Provider[]> {
    await this.reload();
    return this.built.map((b) => this.view(b));
  }

  async get(ref: string): Promise<Provider> {
    await this.reload();
    const found = this.built.find((b) => b.id === ref || b.name === ref);
    if (!found) throw new AppError('NOT_FOUND', `Notification provider \`${ref}\` does not exist`);
    return this.view(found);
  }

  /** Channels with no provider able to deliver, and providers that cannot deliver, for `/readyz`. */
  async problems(): Promise<string[]> {
    await this.reload();
    const out: string[] = [];
    for (const b of this.built) {
      if (b.enabled && b.problems.length > 0) out.push(`provider ${b.name} (${b.kind}) cannot deliver: ${b.problems.join('; ')}`);
    }
    const used = await this.db.selectFrom('contact_methods').select('type').where('verified_at', 'is not', null).distinct().execute();
    for (const { type } of used) {
      if (!this.channels[type as ContactMethodType]) out.push(`${type}: people have verified ${type} contact methods but no provider can deliver to them`);
    }
    return out;
  }

  private view(b: Built): Provider {
    const adapter = providerAdapters[b.kind];
    const row = b.row;
    const sealed = row?.secrets_sealed ? Object.keys(JSON.parse(this.deps.secrets.open(row.secrets_sealed)) as Record<string, string>) : [];
    const refs = row?.secret_env_json ? (JSON.parse(row.secret_env_json) as Record<string, string>) : {};
    const secrets: Provider['secrets'] = {};
    for (const field of adapter?.fields ?? []) {
      if (!field.secret) continue;
      secrets[field.key] = { set: sealed.includes(field.key) || (refs[field.key] !== undefined && Boolean(this.deps.env[refs[field.key]!])), fromEnv: refs[field.key] ?? null };
    }
    const settings = row ? (JSON.parse(row.settings_json) as Record<string, unknown>) : { from: this.deps.environmentSmtp?.from ?? '' };
    return {
      id: b.id,
      name: b.name,
      kind: b.kind,
      channels: [...(adapter?.channels ?? [])],
      enabled: b.enabled,
      position: b.position,
      settings,
      secrets,
      managedBy: row === null ? 'environment' : (row.managed_by as 'api' | 'config'),
      health: healthOf(this.health.get(b.id), this.deps.clock.now()),
      problems: b.problems,
      callbackUrls: adapter?.callbackUrls?.({ id: b.id, name: b.name }, this.deps.adapterDeps.publicUrl) ?? {},
      createdAt: row ? new Date(row.created_at).toISOString() : null,
      updatedAt: row ? new Date(row.updated_at).toISOString() : null,
    };
  }

  // ---- changing

  async create(acting: Acting, body: CreateProviderBody & { managedBy?: 'api' | 'config' }): Promise<Provider> {
    const adapter = this.adapterFor(body.kind as ProviderKind);
    const settings = this.checkSettings(adapter, body.settings ?? {});
    const { sealed, refs } = this.checkSecrets(adapter, body.secrets ?? {}, {}, {}, true);
    const now = this.deps.clock.now();
    const row: Row = {
      id: this.deps.ids(),
      handle: body.name,
      kind: body.kind,
      enabled: body.enabled === false ? 0 : 1,
      position: body.position ?? 0,
      settings_json: JSON.stringify(settings),
      secrets_sealed: Object.keys(sealed).length > 0 ? this.deps.secrets.seal(JSON.stringify(sealed)) : null,
      secret_env_json: Object.keys(refs).length > 0 ? JSON.stringify(refs) : null,
      managed_by: body.managedBy ?? 'api',
      consecutive_failures: 0,
      last_success_at: null,
      last_failure_at: null,
      last_error: null,
      created_at: now,
      updated_at: now,
    };
    await this.deps.database.transaction(async (tx) => {
      await this.assertNameFree(tx.db, row.handle, null);
      await tx.db.insertInto('notification_providers').values(row).execute();
      await this.deps.audit.record(tx.db, acting.actor, { action: 'notification_provider.create', targetType: 'notification_provider', targetId: row.id, before: null, after: auditView(row, Object.keys(sealed)) });
    });
    return this.get(row.id);
  }

  async update(acting: Acting, ref: string, body: UpdateProviderBody): Promise<Provider> {
    const id = await this.deps.database.transaction(async (tx) => {
      const row = await this.requireRow(tx.db, ref);
      const adapter = this.adapterFor(row.kind as ProviderKind);
      const currentSealed = row.secrets_sealed ? (JSON.parse(this.deps.secrets.open(row.secrets_sealed)) as Record<string, string>) : {};
      const currentRefs = row.secret_env_json ? (JSON.parse(row.secret_env_json) as Record<string, string>) : {};
      const settings = body.settings !== undefined ? this.checkSettings(adapter, body.settings) : (JSON.parse(row.settings_json) as Record<string, unknown>);
      const { sealed, refs } = body.secrets !== undefined ? this.checkSecrets(adapter, body.secrets, currentSealed, currentRefs, false) : { sealed: currentSealed, refs: currentRefs };
      if (body.name !== undefined) await this.assertNameFree(tx.db, body.name, row.id);
      const updated: Row = {
        ...row,
        handle: body.name ?? row.handle,
        enabled: body.enabled === undefined ? row.enabled : body.enabled ? 1 : 0,
        position: body.position ?? row.position,
        settings_json: JSON.stringify(settings),
        secrets_sealed: Object.keys(sealed).length > 0 ? this.deps.secrets.seal(JSON.stringify(sealed)) : null,
        secret_env_json: Object.keys(refs).length > 0 ? JSON.stringify(refs) : null,
        updated_at: this.deps.clock.now(),
      };
      const { id: _id, ...set } = updated;
      await tx.db.updateTable('notification_providers').set(set).where('id', '=', row.id).execute();
      await this.deps.audit.record(tx.db, acting.actor, { action: 'notification_provider.update', targetType: 'notification_provider', targetId: row.id, before: auditView(row, Object.keys(currentSealed)), after: auditView(updated, Object.keys(sealed)) });
      return row.id;
    });
    return this.get(id);
  }

  async remove(acting: Acting, ref: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const row = await this.requireRow(tx.db, ref);
      await tx.db.deleteFrom('notification_providers').where('id', '=', row.id).execute();
      await this.deps.audit.record(tx.db, acting.actor, { action: 'notification_provider.delete', targetType: 'notification_provider', targetId: row.id, before: auditView(row, []), after: null });
    });
    await this.reload();
  }

  /** "Send test": one message through this provider alone (no failover), health recorded. */
  async test(acting: Acting, ref: string, body: { channel?: ContactMethodType | undefined; to: unknown }): Promise<{ ok: boolean; latencyMs: number; providerMessageId: string | null; error: string | null }> {
    const provider = await this.get(ref);
    const found = this.built.find((b) => b.id === provider.id)!;
    if (found.problems.length > 0) throw new AppError('RULE_VIOLATION', `Provider ${found.name} cannot deliver: ${found.problems.join('; ')}`, { reason: 'PROVIDER_NOT_READY' });
    const type = body.channel ?? provider.channels[0]!;
    const channel = found.channels[type];
    if (!channel) throw validationError([{ path: 'body.channel', message: `must be one of ${provider.channels.join(', ')}: the channels this provider delivers to` }]);
    const parsed = contactAddressSchemas[type].safeParse(body.to);
    if (!parsed.success) throw validationError(parsed.error.issues.map((i): FieldIssue => ({ path: ['body', 'to', ...i.path.map(String)].join('.'), message: i.message })));
    const to = testAddress(type, parsed.data);
    const message: ChannelMessage = { to, subject: 'Firebreak test notification', text: `A test message from Firebreak through provider ${found.name}, sent by ${acting.actor.label}. Nothing is wrong.`, kind: 'test' };
    const started = this.deps.clock.now();
    await this.deps.audit.record(this.db, acting.actor, { action: 'notification_provider.test', targetType: 'notification_provider', targetId: found.id, before: null, after: { channel: type } });
    try {
      const sent = await channel.send(message);
      const latencyMs = this.deps.clock.now() - started;
      await this.health.record(found.id, { ok: true });
      return { ok: true, latencyMs, providerMessageId: sent.providerMessageId ?? null, error: null };
    } catch (error) {
      const latencyMs = this.deps.clock.now() - started;
      const text = error instanceof Error ? error.message : String(error);
      if (!(error instanceof ChannelError && error.permanent)) await this.health.record(found.id, { ok: false, error: text });
      return { ok: false, latencyMs, providerMessageId: null, error: text };
    }
  }

  private adapterFor(kind: ProviderKind): ProviderAdapter {
    const adapter = providerAdapters[kind];
    if (!adapter) throw validationError([{ path: 'body.kind', message: `Firebreak cannot deliver through ${providerKindNames[kind] ?? kind} providers yet; available: ${Object.keys(providerAdapters).join(', ')}` }]);
    return adapter;
  }

  private checkSettings(adapter: ProviderAdapter, settings: Record<string, unknown>): Record<string, unknown> {
    const secretKeys = new Set(adapter.fields.filter((f) => f.secret).map((f) => f.key));
    const misplaced = Object.keys(settings).filter((k) => secretKeys.has(k));
    if (misplaced.length > 0) throw validationError(misplaced.map((k) => ({ path: `body.settings.${k}`, message: 'is a secret: give it under `secrets`, where it is stored encrypted' })));
    const parsed = adapter.settings.safeParse(settings);
    if (!parsed.success) {
      throw validationError(parsed.error.issues.map((i): FieldIssue => {
        const keys = (i as { keys?: string[] }).keys;
        const path = ['body', 'settings', ...i.path.map(String), ...(i.code === 'unrecognized_keys' && keys?.length ? [keys[0]!] : [])].join('.');
        return { path, message: i.code === 'unrecognized_keys' ? `is not a setting of ${adapter.kind} providers (settings: ${adapter.fields.filter((f) => !f.secret).map((f) => f.key).join(', ') || 'none'})` : i.message };
      }));
    }
    return parsed.data;
  }

  /** Merges secret changes: values are sealed, `{fromEnv}` become references, null clears. */
  private checkSecrets(adapter: ProviderAdapter, given: Record<string, SecretInput | null>, sealed: Record<string, string>, refs: Record<string, string>, creating: boolean): { sealed: Record<string, string>; refs: Record<string, string> } {
    const fields = new Map(adapter.fields.filter((f) => f.secret).map((f) => [f.key, f]));
    const issues: FieldIssue[] = [];
    const nextSealed = { ...sealed };
    const nextRefs = { ...refs };
    for (const [key, value] of Object.entries(given)) {
      const field = fields.get(key);
      if (!field) {
        issues.push({ path: `body.secrets.${key}`, message: `is not a secret of ${adapter.kind} providers (secrets: ${[...fields.keys()].join(', ') || 'none'})` });
        continue;
      }
      delete nextSealed[key];
      delete nextRefs[key];
      if (value === null) {
        if (field.required) issues.push({ path: `body.secrets.${key}`, message: 'is required and cannot be cleared' });
      } else if (typeof value === 'string') {
        const check = adapter.secrets.safeParse({ ...Object.fromEntries([...fields.keys()].filter((k) => k !== key).map((k) => [k, undefined])), [key]: value });
        const own = check.success ? [] : check.error.issues.filter((i) => i.path[0] === key);
        if (own.length > 0) issues.push({ path: `body.secrets.${key}`, message: own[0]!.message });
        nextSealed[key] = value;
      } else {
        nextRefs[key] = value.fromEnv;
      }
    }
    if (creating) {
      for (const field of fields.values()) {
        if (field.required && nextSealed[field.key] === undefined && nextRefs[field.key] === undefined) issues.push({ path: `body.secrets.${field.key}`, message: `is required: ${field.description}` });
      }
    }
    // With every secret given as a value, the whole set is checked (a VAPID private key must belong
    // to its public key); references are checked when the provider is built, as problems.
    if (issues.length === 0 && Object.keys(nextRefs).length === 0) {
      const whole = adapter.secrets.safeParse(nextSealed);
      if (!whole.success) for (const i of whole.error.issues) issues.push({ path: ['body', 'secrets', ...i.path.map(String)].join('.'), message: i.message });
    }
    if (issues.length > 0) throw validationError(issues);
    return { sealed: nextSealed, refs: nextRefs };
  }

  private async requireRow(db: Kysely<Database>, ref: string): Promise<Row> {
    if (ref === ENVIRONMENT_SMTP_ID) throw new AppError('RULE_VIOLATION', 'The SMTP provider built from FIREBREAK_SMTP_URL is changed through the environment, not the API', { reason: 'ENVIRONMENT_PROVIDER' });
    const row = await db.selectFrom('notification_providers').selectAll().where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref)])).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `Notification provider \`${ref}\` does not exist`);
    return row;
  }

  private async assertNameFree(db: Kysely<Database>, name: string, exceptId: string | null): Promise<void> {
    const twin = await db.selectFrom('notification_providers').select(['id']).where('handle', '=', name).executeTakeFirst();
    if (twin && twin.id !== exceptId) throw new AppError('CONFLICT', `A notification provider named \`${name}\` already exists`, { field: 'name' });
  }

  // ---- config-as-code (ConfigService, docs/config-as-code.md): inside its apply transaction

  /**
   * Every stored provider as config sees it: settings, secrets named by environment variable, and the
   * names (never the values) of secrets sealed through the API, which config leaves alone.
   */
  async configEntriesIn(db: Kysely<Database>): Promise<ProviderConfigEntry[]> {
    const rows = await db.selectFrom('notification_providers').selectAll().orderBy('handle').execute();
    return rows.map((row) => ({
      id: row.id,
      name: row.handle,
      kind: row.kind as ProviderKind,
      enabled: row.enabled === 1,
      position: row.position,
      settings: JSON.parse(row.settings_json) as Record<string, unknown>,
      secretEnv: row.secret_env_json ? (JSON.parse(row.secret_env_json) as Record<string, string>) : {},
      sealedSecrets: row.secrets_sealed ? Object.keys(JSON.parse(this.deps.secrets.open(row.secrets_sealed)) as Record<string, string>).sort() : [],
      managedBy: row.managed_by,
    }));
  }

  /**
   * Creates or updates the provider `entry.name` as a config document states it, inside the caller's
   * transaction (apply is all-or-nothing), with the API's checks and audit entries; it becomes
   * `managed_by: config`. The document's environment references replace the stored ones; a secret
   * sealed through the API stays unless the document now names a variable for it. Call `reload` once
   * the transaction has committed.
   */
  async putFromConfigIn(tx: Tx, acting: Acting, entry: { name: string; kind: ProviderKind; enabled: boolean; position: number; settings: Record<string, unknown>; secretEnv: Record<string, string> }): Promise<void> {
    const adapter = this.adapterFor(entry.kind);
    const settings = this.checkSettings(adapter, entry.settings);
    const given: Record<string, SecretInput | null> = Object.fromEntries(Object.entries(entry.secretEnv).map(([key, variable]) => [key, { fromEnv: variable }]));
    const row = await tx.db.selectFrom('notification_providers').selectAll().where('handle', '=', entry.name).executeTakeFirst();
    const now = this.deps.clock.now();
    if (!row) {
      const { refs } = this.checkSecrets(adapter, given, {}, {}, true);
      const created: Row = {
        id: this.deps.ids(),
        handle: entry.name,
        kind: entry.kind,
        enabled: entry.enabled ? 1 : 0,
        position: entry.position,
        settings_json: JSON.stringify(settings),
        secrets_sealed: null,
        secret_env_json: Object.keys(refs).length > 0 ? JSON.stringify(refs) : null,
        managed_by: 'config',
        consecutive_failures: 0,
        last_success_at: null,
        last_failure_at: null,
        last_error: null,
        created_at: now,
        updated_at: now,
      };
      await tx.db.insertInto('notification_providers').values(created).execute();
      await this.deps.audit.record(tx.db, acting.actor, { action: 'notification_provider.create', targetType: 'notification_provider', targetId: created.id, before: null, after: auditView(created, []) });
      return;
    }
    if (row.kind !== entry.kind) {
      throw new AppError('RULE_VIOLATION', `provider \`${row.handle}\` is of kind ${row.kind}; its kind cannot change (give the new one another name, and remove this one)`, { issues: [{ path: 'spec.kind', message: `cannot change from ${row.kind}` }] });
    }
    const currentSealed = row.secrets_sealed ? (JSON.parse(this.deps.secrets.open(row.secrets_sealed)) as Record<string, string>) : {};
    const currentRefs = row.secret_env_json ? (JSON.parse(row.secret_env_json) as Record<string, string>) : {};
    // References the document no longer names are cleared; sealed secrets it does not name stay.
    const cleared = Object.fromEntries(Object.keys(currentRefs).filter((key) => entry.secretEnv[key] === undefined).map((key) => [key, null]));
    const { sealed, refs } = this.checkSecrets(adapter, { ...cleared, ...given }, currentSealed, currentRefs, false);
    const updated: Row = {
      ...row,
      enabled: entry.enabled ? 1 : 0,
      position: entry.position,
      settings_json: JSON.stringify(settings),
      secrets_sealed: Object.keys(sealed).length === 0 ? null : Object.keys(sealed).length === Object.keys(currentSealed).length ? row.secrets_sealed : this.deps.secrets.seal(JSON.stringify(sealed)),
      secret_env_json: Object.keys(refs).length > 0 ? JSON.stringify(refs) : null,
      managed_by: 'config',
      updated_at: now,
    };
    const { id: _id, ...set } = updated;
    await tx.db.updateTable('notification_providers').set(set).where('id', '=', row.id).execute();
    await this.deps.audit.record(tx.db, acting.actor, { action: 'notification_provider.update', targetType: 'notification_provider', targetId: row.id, before: auditView(row, Object.keys(currentSealed)), after: auditView(updated, Object.keys(sealed)) });
  }

  /** Deletes a provider inside the caller's transaction (config `--prune`); call `reload` after it commits. */
  async removeFromConfigIn(tx: Tx, acting: Acting, name: string): Promise<void> {
    const row = await this.requireRow(tx.db, name);
    await tx.db.deleteFrom('notification_providers').where('id', '=', row.id).execute();
    await this.deps.audit.record(tx.db, acting.actor, { action: 'notification_provider.delete', targetType: 'notification_provider', targetId: row.id, before: auditView(row, []), after: null });
  }

  /** Which of these environment variables are unset (or empty) on this server, for config plan warnings. */
  unsetVariables(variables: readonly string[]): string[] {
    return variables.filter((variable) => this.deps.env[variable] === undefined || this.deps.env[variable] === '');
  }
}

/** What the audit log keeps of a provider: never secret values, only which are set. */
function auditView(row: Row, sealedKeys: string[]): Record<string, unknown> {
  return { name: row.handle, kind: row.kind, enabled: row.enabled === 1, position: row.position, settings: JSON.parse(row.settings_json) as unknown, secretsSet: sealedKeys, secretsFromEnv: row.secret_env_json ? (JSON.parse(row.secret_env_json) as unknown) : {} };
}

/** A test address as a channel takes it. */
function testAddress(type: ContactMethodType, value: unknown): ContactAddress {
  switch (type) {
    case 'email':
      return { type, email: value as string };
    case 'sms':
    case 'voice':
      return { type, phone: value as string };
    case 'push':
      return { type, subscription: value as Extract<ContactAddress, { type: 'push' }>['subscription'] };
    case 'ntfy':
      return { type, topic: value as string };
    case 'webhook':
      return { type, url: value as string };
    default:
      return { type, handle: value as string };
  }
}

/** A stored provider as config-as-code reads it (`configEntriesIn`). */
export interface ProviderConfigEntry {
  id: string;
  name: string;
  kind: ProviderKind;
  enabled: boolean;
  position: number;
  settings: Record<string, unknown>;
  /** Secret name → environment variable. */
  secretEnv: Record<string, string>;
  /** Names of the secrets sealed through the API, sorted. */
  sealedSecrets: string[];
  managedBy: string;
}

/**
 * A provider document's problems against its kind's fields, without a database or environment:
 * settings through the adapter's own schema, as the API checks them, and secrets by name only (config
 * gives no values). Paths are relative to the document's `spec`. Installed into config-as-code with
 * `useProviderSpecCheck` by the server and the CLI, so offline `config validate` refuses what apply would.
 */
export function providerSpecIssues(spec: { kind: string; settings: Record<string, unknown>; secrets: readonly string[] }): Array<{ path: Array<string | number>; message: string }> {
  const adapter = providerAdapters[spec.kind as ProviderKind];
  if (!adapter) return [{ path: ['kind'], message: `Firebreak cannot deliver through ${providerKindNames[spec.kind as ProviderKind] ?? spec.kind} providers yet; available: ${Object.keys(providerAdapters).join(', ')}` }];
  const secretKeys = adapter.fields.filter((f) => f.secret).map((f) => f.key);
  const settingKeys = adapter.fields.filter((f) => !f.secret).map((f) => f.key);
  const issues: Array<{ path: Array<string | number>; message: string }> = [];
  const misplaced = Object.keys(spec.settings).filter((k) => secretKeys.includes(k));
  for (const key of misplaced) issues.push({ path: ['settings', key], message: `is a secret: give it under \`secrets\` as {fromEnv: VARIABLE}, never in the file` });
  const parsed = adapter.settings.safeParse(Object.fromEntries(Object.entries(spec.settings).filter(([k]) => !misplaced.includes(k))), { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = ['settings', ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) issues.push({ path: [...path, key], message: `is not a setting of ${adapter.kind} providers (settings: ${settingKeys.join(', ') || 'none'})` });
      } else if ('input' in issue && issue.input === undefined && path.length === 2) {
        const field = adapter.fields.find((f) => f.key === path[1]);
        issues.push({ path, message: `is required${field ? `: ${field.description}` : ''}` });
      } else {
        issues.push({ path, message: issue.message });
      }
    }
  }
  for (const key of spec.secrets) {
    if (!secretKeys.includes(key)) issues.push({ path: ['secrets', key], message: `is not a secret of ${adapter.kind} providers (secrets: ${secretKeys.join(', ') || 'none'})` });
  }
  return issues;
}
