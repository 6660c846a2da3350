import { FailureQueue, startFakeHttp } from './fake-http.js';

/**
 * Fakes of Slack's and Microsoft Teams' incoming webhooks, written from the providers' documentation
 * (not from Firebreak's formatting code): each checks the request as the provider would and answers as
 * it does. Slack: `POST` JSON `{text, blocks}` to `/services/T…/B…/…`, Block Kit rules (header
 * `plain_text` ≤ 150, section text ≤ 3000, context elements, ≤ 50 blocks), `&`, `<`, `>` escaped in
 * mrkdwn outside `<url|label>` links; answers `200 ok`, or `400 invalid_payload` / `invalid_blocks`.
 * Teams: `POST` JSON `{type: "message", attachments: [{contentType:
 * "application/vnd.microsoft.card.adaptive", contentUrl: null, content: <AdaptiveCard>}]}`; answers
 * `200 1`, or `400` with the reason.
 */

export interface ChatReceived {
  path: string;
  body: Record<string, unknown>;
}

export interface FakeChatWebhook {
  url: string;
  /** The webhook URL to configure (the provider's shape on this fake's host). */
  hookUrl: string;
  received: ChatReceived[];
  rejected: Array<{ path: string; reason: string }>;
  failNext(status: number, body?: string): void;
  close(): Promise<void>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Slack mrkdwn is well escaped: outside `<http…|label>` links no `<` or `>`, and `&` only as an entity. */
function slackEscapingProblem(text: string): string | null {
  const withoutLinks = text.replace(/<https?:\/\/[^|>\s]+\|[^<>]*>/g, '');
  if (/[<>]/.test(withoutLinks)) return `unescaped < or > in mrkdwn: ${JSON.stringify(text.slice(0, 120))}`;
  if (/&(?!amp;|lt;|gt;)/.test(withoutLinks)) return `unescaped & in mrkdwn: ${JSON.stringify(text.slice(0, 120))}`;
  return null;
}

function slackProblem(body: unknown): string | null {
  if (!isObject(body)) return 'invalid_payload: not a JSON object';
  const allowed = new Set(['text', 'blocks', 'username', 'icon_emoji', 'icon_url', 'unfurl_links', 'unfurl_media', 'mrkdwn']);
  const extra = Object.keys(body).filter((k) => !allowed.has(k));
  if (extra.length > 0) return `invalid_payload: unknown fields ${extra.join(', ')}`;
  if (typeof body.text !== 'string' || body.text.trim() === '') return 'invalid_payload: `text` is required (the notification fallback)';
  const textProblem = slackEscapingProblem(body.text);
  if (textProblem) return `invalid_payload: ${textProblem}`;
  if (body.blocks === undefined) return null;
  if (!Array.isArray(body.blocks) || body.blocks.length === 0 || body.blocks.length > 50) return 'invalid_blocks: 1–50 blocks';
  for (const [i, block] of body.blocks.entries()) {
    if (!isObject(block)) return `invalid_blocks: block ${i} is not an object`;
    const text = block.text;
    switch (block.type) {
      case 'header':
        if (!isObject(text) || text.type !== 'plain_text' || typeof text.text !== 'string' || text.text.length === 0 || text.text.length > 150) return `invalid_blocks: header ${i} needs plain_text of 1–150 characters`;
        break;
      case 'section': {
        if (!isObject(text) || (text.type !== 'mrkdwn' && text.type !== 'plain_text') || typeof text.text !== 'string' || text.text.length === 0 || text.text.length > 3000) return `invalid_blocks: section ${i} needs text of 1–3000 characters`;
        const problem = text.type === 'mrkdwn' ? slackEscapingProblem(text.text) : null;
        if (problem) return `invalid_blocks: ${problem}`;
        break;
      }
      case 'context': {
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 10) return `invalid_blocks: context ${i} needs 1–10 elements`;
        for (const el of block.elements as unknown[]) {
          if (!isObject(el) || (el.type !== 'mrkdwn' && el.type !== 'plain_text') || typeof el.text !== 'string') return `invalid_blocks: context ${i} has a bad element`;
          const problem = el.type === 'mrkdwn' ? slackEscapingProblem(el.text) : null;
          if (problem) return `invalid_blocks: ${problem}`;
        }
        break;
      }
      case 'divider':
        break;
      default:
        return `invalid_blocks: unsupported block type ${String(block.type)}`;
    }
  }
  return null;
}

function teamsProblem(body: unknown): string | null {
  if (!isObject(body)) return 'not a JSON object';
  if (body.type !== 'message') return '`type` must be "message"';
  if (!Array.isArray(body.attachments) || body.attachments.length !== 1) return 'exactly one attachment expected';
  const a = body.attachments[0] as unknown;
  if (!isObject(a) || a.contentType !== 'application/vnd.microsoft.card.adaptive') return 'attachment contentType must be application/vnd.microsoft.card.adaptive';
  if (a.contentUrl !== undefined && a.contentUrl !== null) return 'contentUrl must be null for an inline card';
  const card = a.content;
  if (!isObject(card) || card.type !== 'AdaptiveCard') return 'content.type must be "AdaptiveCard"';
  if (typeof card.version !== 'string' || !/^1\.\d$/.test(card.version)) return 'content.version must be "1.x"';
  if (card.$schema !== undefined && card.$schema !== 'http://adaptivecards.io/schemas/adaptive-card.json') return 'unexpected $schema';
  if (!Array.isArray(card.body) || card.body.length === 0) return 'content.body must be a non-empty array';
  for (const [i, el] of (card.body as unknown[]).entries()) {
    if (!isObject(el)) return `body ${i} is not an object`;
    if (el.type === 'TextBlock') {
      if (typeof el.text !== 'string' || el.text === '') return `TextBlock ${i} needs text`;
    } else if (el.type === 'FactSet') {
      if (!Array.isArray(el.facts) || !(el.facts as unknown[]).every((f) => isObject(f) && typeof f.title === 'string' && typeof f.value === 'string')) return `FactSet ${i} needs facts of {title, value} strings`;
    } else return `unsupported element ${String(el.type)}`;
  }
  if (card.actions !== undefined) {
    if (!Array.isArray(card.actions)) return 'actions must be an array';
    for (const action of card.actions as unknown[]) {
      if (!isObject(action) || action.type !== 'Action.OpenUrl' || typeof action.title !== 'string' || typeof action.url !== 'string' || !/^https?:\/\//.test(action.url)) return 'actions must be Action.OpenUrl with a title and an http(s) url';
    }
  }
  return null;
}

async function startChatFake(kind: 'slack' | 'teams'): Promise<FakeChatWebhook> {
  const received: ChatReceived[] = [];
  const rejected: Array<{ path: string; reason: string }> = [];
  const failures = new FailureQueue<{ status: number; body: string }>();
  const hookPath = kind === 'slack' ? '/services/T0001/B0002/XXXXXXXXXXXXXXXXXXXXXXXX' : '/webhookb2/00000000-aaaa@11111111-bbbb/IncomingWebhook/cafe0123/22222222-cccc';
  const server = await startFakeHttp((req, res, raw) => {
    const path = req.url ?? '';
    const refuse = (status: number, reason: string) => {
      rejected.push({ path, reason });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(reason);
    };
    if (req.method !== 'POST') return refuse(405, 'method not allowed');
    if (path !== hookPath) return refuse(404, kind === 'slack' ? 'no_service' : 'webhook not found');
    const failure = failures.take();
    if (failure) return void res.writeHead(failure.status, { 'content-type': 'text/plain' }).end(failure.body);
    if (!/^application\/json(;\s*charset=utf-8)?$/i.test(String(req.headers['content-type'] ?? ''))) return refuse(400, kind === 'slack' ? 'invalid_payload: content-type' : 'content-type must be application/json');
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return refuse(400, kind === 'slack' ? 'invalid_payload' : 'body is not JSON');
    }
    const problem = kind === 'slack' ? slackProblem(body) : teamsProblem(body);
    if (problem) return refuse(400, problem);
    received.push({ path, body: body as Record<string, unknown> });
    res.writeHead(200, { 'content-type': 'text/plain' }).end(kind === 'slack' ? 'ok' : '1');
  });
  return {
    url: server.url,
    hookUrl: `${server.url}${hookPath}`,
    received,
    rejected,
    failNext: (status, body = 'failure') => failures.add({ status, body }),
    close: () => server.close(),
  };
}

/** A Slack incoming webhook. */
export const startFakeSlackWebhook = (): Promise<FakeChatWebhook> => startChatFake('slack');
/** A Microsoft Teams incoming webhook. */
export const startFakeTeamsWebhook = (): Promise<FakeChatWebhook> => startChatFake('teams');
