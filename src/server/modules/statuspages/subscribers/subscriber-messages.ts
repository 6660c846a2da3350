import { createHmac } from 'node:crypto';
import { MAX_SUBJECT_LENGTH } from '../../notify/channels/channel.js';
import { escapeHtml, formatter } from '../statuspage.render.js';

/**
 * What subscribers are told (ADR 0039), as pure functions of a {@link Notice} — the public facts of one
 * event, built once per event from the page's public snapshot (so private components and internal
 * incidents cannot reach it) — and the subscriber's own links. Email text and HTML, the Statuspage-shaped
 * webhook body and its signature, Slack's and Teams' incoming-webhook bodies.
 */

/** The public facts of one event, stored once per event and read by every send. */
export interface Notice {
  eventId: string;
  type: 'incident' | 'maintenance' | 'component';
  /** For component changes: the incident or maintenance whose update made it (chat and email skip those: the incident's own message lists them). */
  viaIncident: boolean;
  page: { id: string; name: string; url: string; timeZone: string; statusIndicator: string; statusDescription: string };
  /** The incident's or maintenance's name, or the component's. */
  title: string;
  /** The status in words ("Investigating", "Partial outage"). */
  statusWord: string;
  /** The update's text; null for component changes and rescheduled maintenances. */
  body: string | null;
  /** Public components this concerns, for the component filter (groups included). */
  componentIds: string[];
  /** Their names and status changes, for the text. */
  components: { name: string; change: string | null }[];
  /** Maintenance window. */
  window: { from: number; until: number } | null;
  /** The incident's page, or the status page for component changes. */
  link: string;
  at: number;
  /** The Statuspage webhook body without `meta` (`page` + `incident`, or `page` + `component_update` + `component`). */
  webhook: Record<string, unknown>;
}

/** A subscriber's own links (the manage token is their credential). */
export interface SubscriberLinks {
  manage: string;
  unsubscribe: string;
}

const ellipsis = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** `[Acme Status] Investigating: Checkout errors`, cut to what every channel shows whole. */
export function noticeSubject(n: Notice): string {
  return ellipsis(`[${ellipsis(n.page.name, 24)} Status] ${n.statusWord}: ${n.title}`, MAX_SUBJECT_LENGTH);
}

function lines(n: Notice): string[] {
  const f = formatter(n.page.timeZone);
  const out: string[] = [n.title, ''];
  if (n.body !== null) out.push(`${n.statusWord} — ${n.body}`, '');
  else out.push(n.statusWord, '');
  if (n.window) out.push(`Scheduled for ${f.at(n.window.from)} – ${f.at(n.window.until)}`);
  if (n.components.length > 0) out.push(`Affected: ${n.components.map((c) => (c.change ? `${c.name} (${c.change})` : c.name)).join(', ')}`);
  out.push(`Posted ${f.at(n.at)}`);
  return out;
}

/** The email: plain text, and a small HTML version with every piece of text escaped. */
export function noticeEmail(n: Notice, links: SubscriberLinks): { subject: string; text: string; html: string } {
  const body = lines(n);
  const text = [
    ...body,
    '',
    `Details: ${n.link}`,
    '',
    `You receive this because you subscribed to ${n.page.name} status updates.`,
    `Manage your subscription: ${links.manage}`,
    `Unsubscribe: ${links.unsubscribe}`,
  ].join('\n');
  const a = (href: string, label: string) => `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>`;
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1b1f24">
<h2 style="font-size:1.1rem">${escapeHtml(n.title)}</h2>
${body.slice(2).filter((l) => l !== '').map((l) => `<p>${escapeHtml(l).replace(/\r?\n/g, '<br>')}</p>`).join('\n')}
<p>${a(n.link, 'Details on the status page')}</p>
<p style="color:#57606a;font-size:.875rem">You receive this because you subscribed to ${escapeHtml(n.page.name)} status updates. ${a(links.manage, 'Manage your subscription')} · ${a(links.unsubscribe, 'Unsubscribe')}</p>
</body></html>`;
  return { subject: noticeSubject(n), text, html };
}

/** The Statuspage-shaped webhook body: `meta` (this subscriber's unsubscribe link) first, then the event. */
export function webhookBody(n: Notice, links: SubscriberLinks, documentation: string): Record<string, unknown> {
  return { meta: { unsubscribe: links.unsubscribe, documentation }, ...n.webhook };
}

/**
 * `Firebreak-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`: the time is
 * signed with the body so a receiver can refuse replays of old deliveries (compare `t` with its clock).
 */
export function signWebhook(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

/** Slack mrkdwn: `&`, `<` and `>` are control characters and must be escaped in any text. */
export function escapeSlack(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string);
}

/** A link in Slack mrkdwn; the URL must not hold `|` or `>` (ours are built from ids and base64url tokens). */
const slackLink = (url: string, label: string) => `<${url.replace(/[|>]/g, encodeURIComponent)}|${escapeSlack(label)}>`;

/** A Slack incoming-webhook message: `text` (the notification fallback) and Block Kit `blocks`. */
export function slackBody(n: Notice, links: SubscriberLinks): { text: string; blocks: unknown[] } {
  const body = lines(n).slice(2).filter((l) => l !== '');
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: ellipsis(`${n.statusWord}: ${n.title}`, 150), emoji: false } },
    { type: 'section', text: { type: 'mrkdwn', text: ellipsis(body.map(escapeSlack).join('\n'), 3000) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `${slackLink(n.link, `${n.page.name} status`)} · ${slackLink(links.manage, 'Manage')} · ${slackLink(links.unsubscribe, 'Unsubscribe')}` }] },
  ];
  return { text: escapeSlack(`[${n.page.name}] ${n.statusWord}: ${n.title}`), blocks };
}

/**
 * A Teams incoming-webhook message carrying one Adaptive Card, the wrapper Microsoft documents for
 * incoming webhooks (`type: message`, one attachment of `application/vnd.microsoft.card.adaptive`).
 */
export function teamsBody(n: Notice, links: SubscriberLinks): Record<string, unknown> {
  const f = formatter(n.page.timeZone);
  const facts = [
    { title: 'Status', value: n.statusWord },
    ...(n.components.length > 0 ? [{ title: 'Affected', value: n.components.map((c) => (c.change ? `${c.name} (${c.change})` : c.name)).join(', ') }] : []),
    ...(n.window ? [{ title: 'Scheduled', value: `${f.at(n.window.from)} – ${f.at(n.window.until)}` }] : []),
    { title: 'Posted', value: f.at(n.at) },
  ];
  const body: unknown[] = [
    { type: 'TextBlock', text: n.page.name, size: 'Small', isSubtle: true, wrap: true },
    { type: 'TextBlock', text: n.title, size: 'Medium', weight: 'Bolder', wrap: true },
    ...(n.body !== null ? [{ type: 'TextBlock', text: n.body, wrap: true }] : []),
    { type: 'FactSet', facts },
  ];
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.2',
          body,
          actions: [
            { type: 'Action.OpenUrl', title: 'View on the status page', url: n.link },
            { type: 'Action.OpenUrl', title: 'Manage subscription', url: links.manage },
            { type: 'Action.OpenUrl', title: 'Unsubscribe', url: links.unsubscribe },
          ],
        },
      },
    ],
  };
}

