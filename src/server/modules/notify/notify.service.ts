import type { Kysely } from 'kysely';
import { AppError, type FieldIssue } from '../../../contracts/errors.js';
import {
  contactAddressSchemas,
  contactMethodTypeNames,
  MAX_RULES_PER_URGENCY,
  urgencies,
  type ContactMethod,
  type ContactMethodType,
  type NewContactMethod,
  type NotificationRule,
  type NotificationRules,
  type NotificationSettings,
  type NotificationSettingsBody,
  type PushSubscriptionJson,
  type PutNotificationRulesBody,
  type Urgency,
} from '../../../contracts/notify.js';
import { roleAtLeast } from '../../../core/auth/roles.js';
import type { Clock } from '../../platform/clock.js';
import type { SecretBox } from '../../platform/crypto.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import { validationError } from '../../platform/http/errors.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { JobScheduler } from '../../platform/jobs/job-queue.js';
import type { AuditLog } from '../audit/audit.repo.js';
import type { UserRow } from '../catalog/catalog.repo.js';
import type { Acting, CatalogService } from '../catalog/catalog.service.js';
import { ChannelError, channelUnavailableMessage, type Channels, type ContactAddress } from './channels/channel.js';
import { defaultRules } from './default-rules.js';
import { testMessage, verificationMessage } from './messages.js';
import { notifyRepo, type ContactMethodRow, type RuleWithMethod } from './notify.repo.js';
import {
  hashVerificationCode,
  MAX_VERIFICATION_ATTEMPTS,
  newVerificationCode,
  RESEND_COOLDOWN_MS,
  VERIFICATION_TTL_MS,
  verificationCodeMatches,
} from './verification-code.js';

export const SEND_VERIFICATION_TASK = 'notify.send-verification';
export const SEND_TEST_TASK = 'notify.send-test';
/** One pending verification message per method: a resend replaces it (keyed job). */
export const verificationJobKey = (contactMethodId: string) => `${SEND_VERIFICATION_TASK}:${contactMethodId}`;
export const testJobKey = (contactMethodId: string) => `${SEND_TEST_TASK}:${contactMethodId}`;
/** Delivery attempts per message: with the task's backoff (5 s doubling to 2 min) they span about 5 minutes, well inside a code's 15. */
export const DELIVERY_MAX_ATTEMPTS = 6;
export const MAX_CONTACT_METHODS_PER_USER = 20;

export interface SendVerificationPayload {
  contactMethodId: string;
  /** The code, sealed with the instance key: the jobs table never holds it in clear text. */
  sealedCode: string;
}

export interface SendTestPayload {
  contactMethodId: string;
  requestedAt: number;
  requestedBy: string;
}

/** How one delivery job ended, for the log. */
export type DeliveryOutcome = 'delivered' | 'refused' | 'skipped';

export interface DeliveryAttempt {
  /** True on the job's last allowed attempt: a failure is then recorded for the person to see. */
  lastAttempt: boolean;
  signal?: AbortSignal;
}

export interface NotifyDeps {
  database: FirebreakDatabase;
  clock: Clock;
  ids: IdGenerator;
  audit: AuditLog;
  catalog: CatalogService;
  secrets: SecretBox;
  jobs: JobScheduler;
  channels: Channels;
  /** Links in messages point here. */
  publicUrl: string;
}

const DEFAULT_SETTINGS = { lowUrgencyQuietHours: null, handoffNotifications: { enabled: false, leadMinutes: 60 } } as const satisfies NotificationSettingsBody;

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

/** The sealed part of a push or webhook method. */
type SealedAddress = { subscription: PushSubscriptionJson } | { url: string } | { topic: string };

/** How a validated address is stored: what people see, what is sealed, and what makes two methods the same. */
interface StoredAddress {
  address: string;
  secret: string | null;
  /** The full value compared for duplicates (for push and webhook only held in memory). */
  identity: string;
}

/**
 * Contact methods, their verification, notification rules and notification settings.
 *
 * Public methods run in one transaction with their audit entries; the `*In` variants take an open
 * transaction (`Tx`, so jobs they add wake the runner once it commits), for config-as-code to apply
 * many changes all-or-nothing. Verification codes and sealed secrets never reach the audit log, the
 * API or the logs.
 */
export class NotifyService {
  constructor(private readonly deps: NotifyDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  // ---- contact methods

  /** A person's contact methods, oldest first. For config-as-code and the paging engine: no permission check. */
  async listContactMethods(db: Kysely<Database>, userId: string): Promise<ContactMethod[]> {
    return (await notifyRepo.listMethods(db, userId)).map((row) => this.methodView(row));
  }

  async list(acting: Acting, userRef: string): Promise<ContactMethod[]> {
    const user = await this.resolveUser(this.db, acting, userRef, 'read');
    return this.listContactMethods(this.db, user.id);
  }

  async create(acting: Acting, userRef: string, input: NewContactMethod): Promise<ContactMethod> {
    return this.deps.database.transaction((tx) => this.createContactMethodIn(tx, acting, userRef, input));
  }

  async createContactMethodIn(tx: Tx, acting: Acting, userRef: string, input: NewContactMethod): Promise<ContactMethod> {
    const user = await this.resolveUser(tx.db, acting, userRef, 'write');
    const existing = await notifyRepo.listMethods(tx.db, user.id);
    if (existing.length >= MAX_CONTACT_METHODS_PER_USER) {
      throw new AppError('RULE_VIOLATION', `\`${user.handle}\` already has ${MAX_CONTACT_METHODS_PER_USER} contact methods, the most one person can have; remove one first`);
    }
    const stored = this.storeAddress(input.type, input.address);
    this.assertNotDuplicate(existing, input.type, stored, null);
    const now = this.deps.clock.now();
    const row: ContactMethodRow = {
      id: this.deps.ids(),
      user_id: user.id,
      type: input.type,
      address: stored.address,
      secret: stored.secret,
      label: input.label ?? '',
      verified_at: null,
      verification_code_hash: null,
      verification_sent_at: null,
      verification_expires_at: null,
      verification_attempts: 0,
      verification_error: null,
      created_at: now,
      updated_at: now,
    };
    await notifyRepo.insertMethod(tx.db, row);
    const view = this.methodView(row);
    await this.deps.audit.record(tx.db, acting.actor, { action: 'contact_method.create', targetType: 'contact_method', targetId: row.id, after: view });
    return view;
  }

  async update(acting: Acting, userRef: string, id: string, changes: { label?: string | undefined; address?: unknown }): Promise<ContactMethod> {
    return this.deps.database.transaction((tx) => this.updateContactMethodIn(tx, acting, userRef, id, changes));
  }

  /** Changing the address starts verification over: the new address has proved nothing yet. */
  async updateContactMethodIn(tx: Tx, acting: Acting, userRef: string, id: string, changes: { label?: string | undefined; address?: unknown }): Promise<ContactMethod> {
    const user = await this.resolveUser(tx.db, acting, userRef, 'write');
    const row = await this.requireMethod(tx.db, user, id);
    const type = row.type as ContactMethodType;
    const before = this.methodView(row);
    let updated: ContactMethodRow = { ...row, label: changes.label ?? row.label };
    if (changes.address !== undefined) {
      const parsed = contactAddressSchemas[type].safeParse(changes.address);
      if (!parsed.success) {
        throw validationError(parsed.error.issues.map((i): FieldIssue => ({ path: ['body', 'address', ...i.path.map(String)].join('.'), message: i.message })));
      }
      const stored = this.storeAddress(type, parsed.data);
      if (stored.identity !== this.identityOf(row)) {
        this.assertNotDuplicate(await notifyRepo.listMethods(tx.db, user.id), type, stored, row.id);
        updated = { ...updated, address: stored.address, secret: stored.secret, ...unverified() };
        await this.deps.jobs.removeJob(tx, verificationJobKey(row.id));
        await this.deps.jobs.removeJob(tx, testJobKey(row.id));
      }
    }
    if (updated.label === row.label && updated.address === row.address && updated.secret === row.secret) return before;
    updated.updated_at = this.deps.clock.now();
    const { id: _id, user_id: _user, type: _type, ...set } = updated;
    await notifyRepo.updateMethod(tx.db, row.id, set);
    const after = this.methodView(updated);
    await this.deps.audit.record(tx.db, acting.actor, { action: 'contact_method.update', targetType: 'contact_method', targetId: row.id, before, after });
    return after;
  }

  async remove(acting: Acting, userRef: string, id: string): Promise<void> {
    await this.deps.database.transaction((tx) => this.deleteContactMethodIn(tx, acting, userRef, id));
  }

  /** Deletes a method and the notification rules that use it, and cancels its pending messages. */
  async deleteContactMethodIn(tx: Tx, acting: Acting, userRef: string, id: string): Promise<void> {
    const user = await this.resolveUser(tx.db, acting, userRef, 'write');
    const row = await this.requireMethod(tx.db, user, id);
    const before = this.methodView(row);
    const rulesRemoved = await notifyRepo.deleteMethod(tx.db, row.id);
    await this.deps.jobs.removeJob(tx, verificationJobKey(row.id));
    await this.deps.jobs.removeJob(tx, testJobKey(row.id));
    await this.deps.audit.record(tx.db, acting.actor, { action: 'contact_method.delete', targetType: 'contact_method', targetId: row.id, before, after: { rulesRemoved } });
  }

  // ---- verification

  async sendVerification(acting: Acting, userRef: string, id: string): Promise<{ contactMethod: ContactMethod; expiresAt: string }> {
    return this.deps.database.transaction((tx) => this.sendVerificationIn(tx, acting, userRef, id));
  }

  /**
   * Stores a new code (hashed) and, in the same transaction, schedules the message carrying it: a crash
   * cannot lose the message, and a resend replaces the pending one (keyed job) rather than queueing a
   * second. The earlier code stops working at once.
   */
  async sendVerificationIn(tx: Tx, acting: Acting, userRef: string, id: string): Promise<{ contactMethod: ContactMethod; expiresAt: string }> {
    const user = await this.resolveUser(tx.db, acting, userRef, 'write');
    const row = await this.requireMethod(tx.db, user, id);
    const type = row.type as ContactMethodType;
    if (row.verified_at !== null) throw new AppError('CONFLICT', `This ${contactMethodTypeNames[type]} method (${row.address}) is already verified`);
    this.assertChannel(type);
    const now = this.deps.clock.now();
    if (row.verification_code_hash !== null && row.verification_sent_at !== null && now - row.verification_sent_at < RESEND_COOLDOWN_MS) {
      const wait = Math.ceil((row.verification_sent_at + RESEND_COOLDOWN_MS - now) / 1000);
      throw new AppError('RATE_LIMITED', `A code was sent to ${row.address} less than a minute ago; wait ${wait} s before asking for another`, { retryAfterSeconds: wait }, { 'retry-after': String(wait) });
    }
    const code = newVerificationCode();
    const updated: ContactMethodRow = {
      ...row,
      verification_code_hash: hashVerificationCode(row.id, code),
      verification_sent_at: now,
      verification_expires_at: now + VERIFICATION_TTL_MS,
      verification_attempts: 0,
      verification_error: null,
      updated_at: now,
    };
    await notifyRepo.updateMethod(tx.db, row.id, {
      verification_code_hash: updated.verification_code_hash,
      verification_sent_at: now,
      verification_expires_at: updated.verification_expires_at,
      verification_attempts: 0,
      verification_error: null,
      updated_at: now,
    });
    await this.deps.jobs.addJob<SendVerificationPayload>(tx, {
      task: SEND_VERIFICATION_TASK,
      key: verificationJobKey(row.id),
      payload: { contactMethodId: row.id, sealedCode: this.deps.secrets.seal(code) },
      runAt: now,
      maxAttempts: DELIVERY_MAX_ATTEMPTS,
    });
    const expiresAt = iso(now + VERIFICATION_TTL_MS);
    await this.deps.audit.record(tx.db, acting.actor, {
      action: 'contact_method.verification.send',
      targetType: 'contact_method',
      targetId: row.id,
      after: { contactMethodId: row.id, type, address: row.address, expiresAt },
    });
    return { contactMethod: this.methodView(updated), expiresAt };
  }

  /**
   * Checks a code. A wrong code is answered only after its attempt (and audit entry) has committed, so
   * failing requests still count toward the limit.
   */
  async verify(acting: Acting, userRef: string, id: string, code: string): Promise<ContactMethod> {
    const outcome = await this.deps.database.transaction((tx) => this.verifyIn(tx, acting, userRef, id, code));
    if ('error' in outcome) throw outcome.error;
    return outcome.contactMethod;
  }

  /** Returns the refusal instead of throwing it, so the caller can commit the counted attempt first. */
  async verifyIn(tx: Tx, acting: Acting, userRef: string, id: string, code: string): Promise<{ contactMethod: ContactMethod } | { error: AppError }> {
    const user = await this.resolveUser(tx.db, acting, userRef, 'write');
    const row = await this.requireMethod(tx.db, user, id);
    if (row.verified_at !== null) return { contactMethod: this.methodView(row) };
    const hash = row.verification_code_hash;
    if (hash === null || row.verification_expires_at === null) {
      return { error: new AppError('RULE_VIOLATION', 'No verification code is pending for this contact method; send one first (POST …/verification)') };
    }
    const now = this.deps.clock.now();
    if (row.verification_expires_at <= now) {
      return { error: codeError(`has expired (codes last ${VERIFICATION_TTL_MS / 60_000} minutes); send a new code`) };
    }
    if (!(await notifyRepo.reserveVerificationAttempt(tx.db, row.id, hash, MAX_VERIFICATION_ATTEMPTS))) {
      return { error: new AppError('RULE_VIOLATION', `Too many wrong codes for ${row.address}: this code no longer works. Send a new code and enter that one`, { reason: 'TOO_MANY_ATTEMPTS' }) };
    }
    const attemptsLeft = Math.max(0, MAX_VERIFICATION_ATTEMPTS - row.verification_attempts - 1);
    if (!verificationCodeMatches(row.id, code, hash)) {
      await this.deps.audit.record(tx.db, acting.actor, { action: 'contact_method.verification.fail', targetType: 'contact_method', targetId: row.id, after: { contactMethodId: row.id, attemptsLeft } });
      const rest = attemptsLeft === 0 ? 'no attempts left; send a new code' : `${attemptsLeft} attempt${attemptsLeft === 1 ? '' : 's'} left`;
      return { error: codeError(`does not match the code sent to ${row.address}; ${rest}`) };
    }
    const verified: ContactMethodRow = { ...row, ...unverified(), verified_at: now, updated_at: now };
    await notifyRepo.updateMethod(tx.db, row.id, { ...unverified(), verified_at: now, updated_at: now });
    const before = this.methodView(row);
    const after = this.methodView(verified);
    await this.deps.audit.record(tx.db, acting.actor, { action: 'contact_method.verify', targetType: 'contact_method', targetId: row.id, before, after });
    return { contactMethod: after };
  }

  async sendTest(acting: Acting, userRef: string, id: string): Promise<{ contactMethodId: string; status: 'queued'; requestedAt: string }> {
    return this.deps.database.transaction((tx) => this.sendTestIn(tx, acting, userRef, id));
  }

  /** Queues a test message to a verified method. Asking again before it went out replaces the pending one. */
  async sendTestIn(tx: Tx, acting: Acting, userRef: string, id: string): Promise<{ contactMethodId: string; status: 'queued'; requestedAt: string }> {
    const user = await this.resolveUser(tx.db, acting, userRef, 'write');
    const row = await this.requireMethod(tx.db, user, id);
    const type = row.type as ContactMethodType;
    if (row.verified_at === null) throw new AppError('RULE_VIOLATION', `Verify ${row.address} first: test notifications go only to verified contact methods`);
    this.assertChannel(type);
    const now = this.deps.clock.now();
    await this.deps.jobs.addJob<SendTestPayload>(tx, {
      task: SEND_TEST_TASK,
      key: testJobKey(row.id),
      payload: { contactMethodId: row.id, requestedAt: now, requestedBy: acting.actor.label },
      runAt: now,
      maxAttempts: DELIVERY_MAX_ATTEMPTS,
    });
    await this.deps.audit.record(tx.db, acting.actor, { action: 'contact_method.test', targetType: 'contact_method', targetId: row.id, after: { contactMethodId: row.id, type, address: row.address } });
    return { contactMethodId: row.id, status: 'queued', requestedAt: iso(now) };
  }

  // ---- delivery (job handlers)

  /**
   * Sends a verification code (job `notify.send-verification`). Idempotent: a repeat sends the same
   * code again, which is harmless. Does nothing once the code was replaced, used or expired, or the
   * method deleted. A permanent refusal (no such mailbox) is recorded for the person and not retried.
   */
  async deliverVerification(payload: SendVerificationPayload, attempt: DeliveryAttempt): Promise<DeliveryOutcome> {
    const row = await notifyRepo.findMethod(this.db, payload.contactMethodId);
    const hash = row?.verification_code_hash ?? null;
    if (!row || row.verified_at !== null || hash === null) return 'skipped';
    let code: string;
    try {
      code = this.deps.secrets.open(payload.sealedCode);
    } catch {
      return 'skipped'; // sealed under another instance key (a restored backup): the person asks again
    }
    if (!verificationCodeMatches(row.id, code, hash)) return 'skipped'; // replaced: the newer job sends the newer code
    const now = this.deps.clock.now();
    if (row.verification_expires_at === null || row.verification_expires_at <= now) return 'skipped';
    const user = await this.deps.catalog.requireUser(this.db, row.user_id);
    const type = row.type as ContactMethodType;
    const text = verificationMessage({
      code,
      personName: user.name,
      type,
      addressShown: row.address,
      expiresInMinutes: Math.round(VERIFICATION_TTL_MS / 60_000),
      settingsUrl: `${this.deps.publicUrl}/settings/contact-methods`,
    });
    return this.deliver(row, user, { ...text, kind: 'verification' }, attempt, (error) => notifyRepo.setVerificationError(this.db, row.id, hash, error));
  }

  /** Sends a test message (job `notify.send-test`). Skipped when the method is gone or no longer verified. */
  async deliverTest(payload: SendTestPayload, attempt: DeliveryAttempt): Promise<DeliveryOutcome> {
    const row = await notifyRepo.findMethod(this.db, payload.contactMethodId);
    if (!row || row.verified_at === null) return 'skipped';
    const user = await this.deps.catalog.requireUser(this.db, row.user_id);
    const text = testMessage({
      personName: user.name,
      type: row.type as ContactMethodType,
      addressShown: row.address,
      requestedAt: iso(payload.requestedAt),
      requestedBy: payload.requestedBy,
      settingsUrl: `${this.deps.publicUrl}/settings/contact-methods`,
    });
    return this.deliver(row, user, { ...text, kind: 'test' }, attempt, async () => {});
  }

  private async deliver(
    row: ContactMethodRow,
    user: UserRow,
    message: { subject: string; text: string; kind: 'verification' | 'test' },
    attempt: DeliveryAttempt,
    recordError: (error: string | null) => Promise<void>,
  ): Promise<DeliveryOutcome> {
    const type = row.type as ContactMethodType;
    const channel = this.deps.channels[type];
    if (!channel) {
      // Configuration changed between asking and sending (a restart without FIREBREAK_SMTP_URL).
      await recordError(channelUnavailableMessage(type));
      return 'refused';
    }
    try {
      await channel.send({ to: this.addressOf(row, user), ...message }, attempt.signal ? { signal: attempt.signal } : {});
    } catch (error) {
      const permanent = error instanceof ChannelError && error.permanent;
      if (permanent || attempt.lastAttempt) await recordError(error instanceof Error ? error.message : String(error));
      if (permanent) return 'refused';
      throw error;
    }
    await recordError(null);
    return 'delivered';
  }

  // ---- notification rules

  async getRules(acting: Acting, userRef: string): Promise<NotificationRules> {
    const user = await this.resolveUser(this.db, acting, userRef, 'read');
    return this.rulesView(this.db, user.id);
  }

  /** A person's rules by urgency, with the method each uses. For the paging engine and config-as-code. */
  async rulesView(db: Kysely<Database>, userId: string): Promise<NotificationRules> {
    const rows = await notifyRepo.listRules(db, userId);
    const pick = (urgency: Urgency) => rows.filter((r) => r.urgency === urgency).map(ruleView);
    const high = pick('high');
    const low = pick('low');
    const warnings: string[] = [];
    if (high.length === 0) warnings.push('There are no high-urgency rules: you will not be paged.');
    else if (!high.some((r) => r.verified)) warnings.push('No high-urgency rule uses a verified contact method: you will not be paged until one is verified.');
    if (low.length > 0 && !low.some((r) => r.verified)) warnings.push('No low-urgency rule uses a verified contact method.');
    return { userId, high, low, warnings };
  }

  async replaceRules(acting: Acting, userRef: string, body: PutNotificationRulesBody): Promise<NotificationRules> {
    return this.deps.database.transaction((tx) => this.replaceRulesIn(tx, acting, userRef, body));
  }

  /**
   * Replaces both urgency lists. Every rule must use one of the person's own methods; unverified methods
   * are allowed (flagged `verified: false`, skipped when paging). Stored in order of delay; rules with
   * the same delay keep the order given.
   */
  async replaceRulesIn(tx: Tx, acting: Acting, userRef: string, body: PutNotificationRulesBody): Promise<NotificationRules> {
    const user = await this.resolveUser(tx.db, acting, userRef, 'write');
    const owned = new Set((await notifyRepo.listMethods(tx.db, user.id)).map((m) => m.id));
    const issues: FieldIssue[] = [];
    for (const urgency of urgencies) {
      const seen = new Set<string>();
      body[urgency].forEach((rule, index) => {
        const path = `body.${urgency}.${index}`;
        if (!owned.has(rule.contactMethodId)) issues.push({ path: `${path}.contactMethodId`, message: `is not one of ${user.handle}’s contact methods` });
        const key = `${rule.delayMinutes}:${rule.contactMethodId}`;
        if (seen.has(key)) issues.push({ path, message: 'repeats an earlier rule (same contact method, same delay)' });
        seen.add(key);
      });
      if (body[urgency].length > MAX_RULES_PER_URGENCY) issues.push({ path: `body.${urgency}`, message: `has more than ${MAX_RULES_PER_URGENCY} rules` });
    }
    if (issues.length > 0) throw validationError(issues);
    const before = await this.rulesView(tx.db, user.id);
    const rows = urgencies.flatMap((urgency) =>
      // Array.prototype.sort is stable: equal delays keep the order given.
      [...body[urgency]]
        .sort((a, b) => a.delayMinutes - b.delayMinutes)
        .map((rule, position) => ({ id: this.deps.ids(), user_id: user.id, urgency, position, delay_minutes: rule.delayMinutes, contact_method_id: rule.contactMethodId })),
    );
    await notifyRepo.replaceRules(tx.db, user.id, rows);
    const after = await this.rulesView(tx.db, user.id);
    await this.deps.audit.record(tx.db, acting.actor, { action: 'notification_rules.replace', targetType: 'user', targetId: user.id, before: compactRules(before), after: compactRules(after) });
    return after;
  }

  // ---- defaults

  async applyDefaults(acting: Acting, userRef: string): Promise<{ contactMethods: ContactMethod[]; rules: NotificationRules }> {
    return this.deps.database.transaction((tx) => this.applyDefaultsIn(tx, acting, userRef));
  }

  /**
   * Gives a person a way to be reached: an email method from their account email (unverified) unless
   * they have one, and default rules for each urgency that has none (rules already set are kept).
   */
  async applyDefaultsIn(tx: Tx, acting: Acting, userRef: string): Promise<{ contactMethods: ContactMethod[]; rules: NotificationRules }> {
    const user = await this.resolveUser(tx.db, acting, userRef, 'write');
    const existing = await notifyRepo.listMethods(tx.db, user.id);
    if (!existing.some((m) => m.type === 'email' && m.address === user.email)) {
      await this.createContactMethodIn(tx, acting, user.id, { type: 'email', address: user.email, label: 'Account email' });
    }
    const methods = await notifyRepo.listMethods(tx.db, user.id);
    const current = await this.rulesView(tx.db, user.id);
    const defaults = defaultRules(methods.map((m) => ({ id: m.id, type: m.type as ContactMethodType })));
    const keep = (rules: NotificationRule[]) => rules.map((r) => ({ delayMinutes: r.delayMinutes, contactMethodId: r.contactMethodId }));
    const rules =
      current.high.length > 0 && current.low.length > 0
        ? current
        : await this.replaceRulesIn(tx, acting, user.id, {
            high: current.high.length > 0 ? keep(current.high) : defaults.high,
            low: current.low.length > 0 ? keep(current.low) : defaults.low,
          });
    return { contactMethods: methods.map((row) => this.methodView(row)), rules };
  }

  // ---- notification settings

  async getSettings(acting: Acting, userRef: string): Promise<NotificationSettings> {
    const user = await this.resolveUser(this.db, acting, userRef, 'read');
    return this.settingsView(this.db, user.id);
  }

  async settingsView(db: Kysely<Database>, userId: string): Promise<NotificationSettings> {
    const stored = await notifyRepo.getSettings(db, userId);
    const body = stored ? (JSON.parse(stored.json) as NotificationSettingsBody) : DEFAULT_SETTINGS;
    const quiet = body.lowUrgencyQuietHours;
    return {
      userId,
      lowUrgencyQuietHours: quiet ? { start: quiet.start, end: quiet.end, timeZone: quiet.timeZone ?? null } : null,
      handoffNotifications: { enabled: body.handoffNotifications.enabled, leadMinutes: body.handoffNotifications.leadMinutes },
      updatedAt: stored ? iso(stored.updated_at) : null,
    };
  }

  async putSettings(acting: Acting, userRef: string, body: NotificationSettingsBody): Promise<NotificationSettings> {
    return this.deps.database.transaction((tx) => this.putSettingsIn(tx, acting, userRef, body));
  }

  async putSettingsIn(tx: Tx, acting: Acting, userRef: string, body: NotificationSettingsBody): Promise<NotificationSettings> {
    const user = await this.resolveUser(tx.db, acting, userRef, 'write');
    const before = await this.settingsView(tx.db, user.id);
    await notifyRepo.putSettings(tx.db, user.id, JSON.stringify(body), this.deps.clock.now());
    const after = await this.settingsView(tx.db, user.id);
    await this.deps.audit.record(tx.db, acting.actor, { action: 'notification_settings.update', targetType: 'user', targetId: user.id, before, after });
    return after;
  }

  // ---- helpers

  /**
   * Finds the person and checks the caller may act on their notification setup: everyone on their
   * own; admins on anyone's, except that only owners change owners', and a team-scoped token changes
   * only its own user's. (The routes already limit /users/{user}/… to admins; this repeats the rule
   * for every other caller of the service.)
   */
  private async resolveUser(db: Kysely<Database>, acting: Acting, userRef: string, access: 'read' | 'write'): Promise<UserRow> {
    const user = await this.deps.catalog.requireUser(db, userRef);
    const p = acting.principal;
    if (!p || p.userId === user.id) return user;
    if (!roleAtLeast(p.role, 'admin')) throw new AppError('FORBIDDEN', 'Only admins can see or change another person’s contact methods and notification rules');
    if (access === 'write' && p.teamScope !== null) throw new AppError('FORBIDDEN', 'A team-scoped API token can change only its own user’s contact methods and notification rules');
    if (access === 'write' && user.role === 'owner' && p.role !== 'owner') throw new AppError('FORBIDDEN', 'Only an owner can change an owner’s contact methods and notification rules');
    return user;
  }

  private async requireMethod(db: Kysely<Database>, user: UserRow, id: string): Promise<ContactMethodRow> {
    const row = await notifyRepo.findMethod(db, id);
    if (!row || row.user_id !== user.id) throw new AppError('NOT_FOUND', `Contact method \`${id}\` does not exist for \`${user.handle}\``);
    return row;
  }

  private assertChannel(type: ContactMethodType): void {
    if (!this.deps.channels[type]) throw new AppError('RULE_VIOLATION', channelUnavailableMessage(type), { reason: 'CHANNEL_NOT_CONFIGURED', type });
  }

  private assertNotDuplicate(existing: readonly ContactMethodRow[], type: ContactMethodType, stored: StoredAddress, exceptId: string | null): void {
    const twin = existing.find((m) => m.id !== exceptId && m.type === type && this.identityOf(m) === stored.identity);
    if (twin) throw new AppError('CONFLICT', `You already have this ${contactMethodTypeNames[type]} method${twin.label ? ` (“${twin.label}”)` : ''}`, { field: 'address', contactMethodId: twin.id });
  }

  /** Splits a validated address into what is shown and what is sealed. */
  private storeAddress(type: ContactMethodType, address: unknown): StoredAddress {
    if (type === 'push') {
      const subscription = address as PushSubscriptionJson;
      return { address: redactUrl(subscription.endpoint), secret: this.seal({ subscription }), identity: subscription.endpoint };
    }
    if (type === 'webhook') {
      const url = address as string;
      return { address: redactUrl(url), secret: this.seal({ url }), identity: url };
    }
    if (type === 'ntfy') {
      const topic = address as string;
      return { address: `${topic.slice(0, 3)}…`, secret: this.seal({ topic }), identity: topic };
    }
    return { address: address as string, secret: null, identity: address as string };
  }

  private seal(value: SealedAddress): string {
    return this.deps.secrets.seal(JSON.stringify(value));
  }

  private unseal(row: ContactMethodRow): SealedAddress | null {
    if (row.secret === null) return null;
    return JSON.parse(this.deps.secrets.open(row.secret)) as SealedAddress;
  }

  private identityOf(row: ContactMethodRow): string {
    const sealed = this.unseal(row);
    if (sealed && 'subscription' in sealed) return sealed.subscription.endpoint;
    if (sealed && 'url' in sealed) return sealed.url;
    if (sealed && 'topic' in sealed) return sealed.topic;
    return row.address;
  }

  /** The address a channel needs for one of `user`'s methods (paging delivery); opens sealed values. */
  contactAddress(row: ContactMethodRow, user: UserRow): ContactAddress {
    return this.addressOf(row, user);
  }

  /** The full address a channel needs. Opens the sealed value only here, right before sending. */
  private addressOf(row: ContactMethodRow, user: UserRow): ContactAddress {
    const type = row.type as ContactMethodType;
    switch (type) {
      case 'email':
        return { type, email: row.address, name: user.name };
      case 'sms':
      case 'voice':
        return { type, phone: row.address };
      case 'slack':
      case 'teams':
      case 'mattermost':
      case 'discord':
      case 'telegram':
        return { type, handle: row.address };
      case 'ntfy': {
        const sealed = this.unseal(row);
        if (!sealed || !('topic' in sealed)) throw new Error(`Contact method ${row.id} has no sealed ntfy topic`);
        return { type, topic: sealed.topic };
      }
      case 'push': {
        const sealed = this.unseal(row);
        if (!sealed || !('subscription' in sealed)) throw new Error(`Contact method ${row.id} has no sealed push subscription`);
        return { type, subscription: sealed.subscription };
      }
      case 'webhook': {
        const sealed = this.unseal(row);
        if (!sealed || !('url' in sealed)) throw new Error(`Contact method ${row.id} has no sealed webhook URL`);
        return { type, url: sealed.url };
      }
    }
  }

  private methodView(row: ContactMethodRow): ContactMethod {
    const type = row.type as ContactMethodType;
    const pending = row.verified_at === null && row.verification_code_hash !== null && row.verification_sent_at !== null && row.verification_expires_at !== null;
    return {
      id: row.id,
      userId: row.user_id,
      type,
      address: row.address,
      label: row.label,
      verified: row.verified_at !== null,
      verifiedAt: isoOrNull(row.verified_at),
      verification: pending
        ? {
            sentAt: iso(row.verification_sent_at!),
            expiresAt: iso(row.verification_expires_at!),
            attemptsLeft: Math.max(0, MAX_VERIFICATION_ATTEMPTS - row.verification_attempts),
            error: row.verification_error,
          }
        : null,
      channelAvailable: this.deps.channels[type] !== undefined,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
    };
  }
}

/** The columns that reset when a method's address changes or its code is used. */
function unverified() {
  return { verified_at: null, verification_code_hash: null, verification_sent_at: null, verification_expires_at: null, verification_attempts: 0, verification_error: null };
}

function codeError(message: string): AppError {
  return validationError([{ path: 'body.code', message }]);
}

/** `https://hooks.example.com/services/T0/B0/XXXX?token=…` → `https://hooks.example.com/…`: paths and queries often carry the credential. */
function redactUrl(value: string): string {
  const url = new URL(value);
  const rest = url.pathname !== '/' || url.search !== '' ? '/…' : '';
  return `${url.protocol}//${url.host}${rest}`;
}

function ruleView(row: RuleWithMethod): NotificationRule {
  return {
    delayMinutes: row.delay_minutes,
    contactMethodId: row.contact_method_id,
    contactMethod: { type: row.type as ContactMethodType, label: row.label, address: row.address },
    verified: row.verified_at !== null,
  };
}

/** Rules as the audit log keeps them: enough to read what changed, no more. */
function compactRules(rules: NotificationRules) {
  const compact = (list: NotificationRule[]) => list.map((r) => ({ delayMinutes: r.delayMinutes, contactMethodId: r.contactMethodId, type: r.contactMethod.type }));
  return { high: compact(rules.high), low: compact(rules.low) };
}
