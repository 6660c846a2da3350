import PostalMime from 'postal-mime';
import type { z } from 'zod';
import type { emailViewSchema } from '../../../../contracts/alerts.js';
import { AppError } from '../../../../contracts/errors.js';
import type { Outcome } from '../../../../core/alerts/alert.js';
import type { Clock } from '../../../platform/clock.js';
import type { FirebreakDatabase } from '../../../platform/db/database.js';
import type { IntegrationExtension, IntegrationRow, ServiceCatalog, ServiceRow } from '../../services/service.service.js';
import type { AlertService } from '../alert.service.js';
import { checkEmailSettings, DEFAULT_EMAIL_SETTINGS, readEmail, type EmailSettings, type EmailSettingsInput, type Mail } from './email-event.js';

export type EmailView = z.infer<typeof emailViewSchema>;

/** PagerDuty's and every other intake format's limit: larger messages are refused with 552. */
export const EMAIL_SIZE_LIMIT = 512 * 1024;

/**
 * A refusal with its SMTP reply code: 550 (permanent: no such integration, disabled), 552 (too
 * large), 451 (temporary: the sending MTA queues the message and retries).
 */
export class EmailRefusal extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'EmailRefusal';
  }
}

interface Found {
  integration: IntegrationRow;
  service: ServiceRow;
}

/** `<key>@…` or `<key>+anything@…` (plus addressing): the integration key. */
export function keyOfAddress(address: string): string {
  const at = address.lastIndexOf('@');
  const local = at < 0 ? address : address.slice(0, at);
  return local.split('+')[0]?.trim() ?? '';
}

/** A text body for messages that only have HTML: tags dropped, common entities decoded. */
export function textOfHtml(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div|li|tr|h\d)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Email intake (ADR 0017): mail to `<key>@<domain>` for an email integration becomes an event. The
 * SMTP listener (`email-listener.ts`) asks `recipient` at RCPT TO and hands the message to
 * `receive`, and answers 250 only after `receive` has committed every event.
 */
export class EmailIntakeService {
  constructor(private readonly deps: { database: FirebreakDatabase; clock: Clock; alerts: AlertService; services: ServiceCatalog; domain: string; listening: boolean }) {}

  readonly extension: IntegrationExtension = {
    type: 'email',
    field: 'email',
    created: async (tx, row, input) => {
      const settings = this.checked(input.email ?? {});
      await tx.db.insertInto('email_integrations').values({ integration_id: row.id, settings_json: JSON.stringify(settings), updated_at: this.deps.clock.now() }).execute();
    },
    updated: async (tx, _before, after, changes) => {
      if (changes.email === undefined) return;
      const current = await this.settingsFor(tx.db, after.id);
      const settings = this.checked(changes.email, current);
      await tx.db
        .insertInto('email_integrations')
        .values({ integration_id: after.id, settings_json: JSON.stringify(settings), updated_at: this.deps.clock.now() })
        .onConflict((oc) => oc.column('integration_id').doUpdateSet({ settings_json: JSON.stringify(settings), updated_at: this.deps.clock.now() }))
        .execute();
    },
    views: async (db, rows) => {
      const found = await db.selectFrom('email_integrations').selectAll().where('integration_id', 'in', rows.map((r) => r.id)).execute();
      const byId = new Map(found.map((r) => [r.integration_id, JSON.parse(r.settings_json) as EmailSettings]));
      return new Map(
        rows.map((r) => {
          const view = this.deps.services.integrationView(r);
          return [r.id, { email: this.view(`${view.keyPreview}…@${this.deps.domain}`, byId.get(r.id) ?? DEFAULT_EMAIL_SETTINGS) }];
        }),
      );
    },
    endpoint: (_row, key) => {
      const address = `${key}@${this.deps.domain}`;
      return { url: `mailto:${address}`, snippet: emailSnippet(address, this.deps.listening) };
    },
  };

  private view(address: string, settings: EmailSettings): EmailView {
    return { address, intakeEnabled: this.deps.listening, ...settings };
  }

  private checked(input: EmailSettingsInput, base?: EmailSettings): EmailSettings {
    const result = checkEmailSettings(input, base);
    if (result.ok) return result.settings;
    const issues = result.issues.map((i) => ({ path: `body.email.${i.path}`, message: i.message }));
    throw new AppError('VALIDATION_FAILED', `Invalid email settings. ${issues[0]?.path}: ${issues[0]?.message}`, { issues });
  }

  private async settingsFor(db: FirebreakDatabase['db'], integrationId: string): Promise<EmailSettings> {
    const row = await db.selectFrom('email_integrations').select('settings_json').where('integration_id', '=', integrationId).executeTakeFirst();
    return row ? (JSON.parse(row.settings_json) as EmailSettings) : DEFAULT_EMAIL_SETTINGS;
  }

  /** Finds the email integration an address names, or refuses it with 550. */
  private async find(address: string): Promise<Found> {
    const key = keyOfAddress(address);
    if (key.length === 0 || key.length > 128) throw new EmailRefusal(550, `5.1.1 <${address}>: no email integration has this address`);
    const db = this.deps.database.db;
    // Mail systems may change the case of the local part; keys are lower-case hexadecimal.
    const found = (await this.deps.services.findByKey(db, key)) ?? (key !== key.toLowerCase() ? await this.deps.services.findByKey(db, key.toLowerCase()) : null);
    if (!found || found.integration.type !== 'email') throw new EmailRefusal(550, `5.1.1 <${address}>: no email integration has this address`);
    if (found.integration.disabled === 1) throw new EmailRefusal(550, `5.7.1 <${address}>: the email integration “${found.integration.name}” is disabled`);
    return found;
  }

  /** RCPT TO: accepts the address of an enabled email integration; throws an `EmailRefusal` otherwise. */
  async recipient(address: string): Promise<void> {
    await this.find(address);
  }

  /**
   * One message for the accepted recipients: parsed once, then one event per recipient, each
   * committed (event log, alert change) before this resolves. Throws `EmailRefusal` for refusals;
   * any other error means a fault, which the listener answers 451 so the sender retries.
   */
  async receive(recipients: readonly string[], raw: Buffer): Promise<Array<{ address: string; outcome: Outcome; alertId: string | null }>> {
    if (raw.length > EMAIL_SIZE_LIMIT) throw new EmailRefusal(552, `5.3.4 Message too big: the limit is ${EMAIL_SIZE_LIMIT / 1024} KB`);
    const parsed = await PostalMime.parse(raw);
    const from = parsed.from && 'address' in parsed.from && parsed.from.address ? parsed.from.address : null;
    const mail: Mail = {
      subject: parsed.subject ?? '',
      text: parsed.text ?? (parsed.html ? textOfHtml(parsed.html) : ''),
      from,
      messageId: parsed.messageId ?? null,
      date: parsed.date ?? null,
    };
    const stored = raw.toString('utf8');
    const results: Array<{ address: string; outcome: Outcome; alertId: string | null }> = [];
    for (const address of recipients) {
      const { integration, service } = await this.find(address);
      const settings = await this.settingsFor(this.deps.database.db, integration.id);
      const event = readEmail(mail, settings);
      const result = await this.deps.alerts.ingest({ service, integration, format: 'email', event, raw: stored, actor: integration.name });
      results.push({ address, outcome: result.outcome, alertId: result.alert?.id ?? null });
    }
    return results;
  }
}

function emailSnippet(address: string, listening: boolean): string {
  const lines = [
    `# Send alerts by email to: ${address}`,
    '# The subject becomes the alert title and the text body its description; a later message whose',
    '# subject carries a resolve keyword (RESOLVED, [OK], RECOVERY, Recovered) resolves it.',
    '# Test it with swaks:',
    `swaks --to '${address}' --server <firebreak-host>:<smtp-port> \\`,
    "  --header 'Subject: Disk almost full on db-1' --body '95% used on /var/lib/postgresql'",
    '',
  ];
  if (!listening) lines.unshift('# Email intake is off on this server: set FIREBREAK_INTAKE_SMTP_PORT to enable it.');
  return lines.join('\n');
}
