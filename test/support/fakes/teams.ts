import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Delivered } from '../../../src/server/modules/notify/channels/channel.contract.js';
import { FailureQueue, sendJson, startFakeHttp } from './fake-http.js';

/** JSON from the wire, read loosely: the fake checks each field it cares about at run time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WireJson = any;

/**
 * A local stand-in for the three Microsoft services a Teams bot talks to, strict about what each
 * documents:
 * - the Entra v2 token endpoint (`POST /<tenant>/oauth2/v2.0/token`, form-encoded client credentials,
 *   `scope=<resource>/.default`; `invalid_client` AADSTS7000215 for a wrong secret);
 * - Microsoft Graph `GET /v1.0/users/<upn>?$select=id` with a Graph token;
 * - the Bot Connector (`POST /teams/v3/conversations` with `bot.id` `28:<app id>`, one member and the
 *   tenant; `POST /teams/v3/conversations/<id>/activities` with an Adaptive Card attachment), with a Bot
 *   Framework token. A member without the app installed is refused 403, as Teams does.
 */

export interface TeamsActivity {
  conversationId: string;
  /** The member's object id. */
  recipient: string;
  activity: Record<string, WireJson>;
}

export interface FakeTeams {
  appId: string;
  appPassword: string;
  tenantId: string;
  tokenUrl: string;
  serviceUrl: string;
  graphUrl: string;
  /** Adds a person with the app installed (unless `installed: false`); returns their object id. */
  addMember(upn: string, options?: { installed?: boolean }): string;
  activities: TeamsActivity[];
  /** Scopes of every token issued, in order. */
  tokensIssued: string[];
  problems: string[];
  /** The next Bot Connector call answers this HTTP status. */
  failNext(status: number): void;
  delivered(): Delivered[];
  close(): Promise<void>;
}

const BOT_SCOPE = 'https://api.botframework.com/.default';
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

export async function startFakeTeams(): Promise<FakeTeams> {
  const appId = randomUUID();
  const appPassword = `pw~${randomBytes(12).toString('base64url')}`;
  const tenantId = randomUUID();
  const members = new Map<string, { upn: string; installed: boolean }>();
  const tokens = new Map<string, string>(); // token → scope
  const conversations = new Map<string, string>(); // conversation id → object id
  const activities: TeamsActivity[] = [];
  const tokensIssued: string[] = [];
  const problems: string[] = [];
  const failures = new FailureQueue<number>();

  const send = (res: ServerResponse, status: number, body: unknown) => sendJson(res, status, body, { 'content-type': 'application/json; charset=utf-8' });
  const botError = (res: ServerResponse, status: number, code: string, message: string) => send(res, status, { error: { code, message } });
  const bad = (res: ServerResponse, text: string) => {
    problems.push(text);
    botError(res, 400, 'BadSyntax', text);
  };
  const bearer = (req: IncomingMessage, scope: string) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    return token !== undefined && tokens.get(token) === scope;
  };

  const checkCard = (activity: WireJson): string | null => {
    if (activity?.type !== 'message') return 'an activity needs type "message"';
    const attachment = activity.attachments?.[0];
    if (!attachment || attachment.contentType !== 'application/vnd.microsoft.card.adaptive') return 'the card must be an attachment of contentType application/vnd.microsoft.card.adaptive';
    const card = attachment.content;
    if (card?.type !== 'AdaptiveCard' || typeof card.version !== 'string' || !Array.isArray(card.body)) return 'an Adaptive Card needs type, version and body';
    for (const element of card.body) {
      if (element.type === 'TextBlock' && typeof element.text !== 'string') return 'a TextBlock needs text';
      if (element.type === 'FactSet' && !(element.facts ?? []).every((f: WireJson) => typeof f.title === 'string' && typeof f.value === 'string')) return 'facts need title and value';
    }
    for (const action of card.actions ?? []) {
      if (action.type !== 'Action.OpenUrl' || typeof action.title !== 'string' || !/^https?:\/\//.test(action.url ?? '')) return 'Action.OpenUrl needs a title and an absolute url';
    }
    return null;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    if (req.method === 'POST' && path === `/login/${tenantId}/oauth2/v2.0/token`) {
      if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') return void send(res, 400, { error: 'invalid_request', error_description: 'AADSTS900144: The request body must contain the following parameter: grant_type.' });
      const form = new URLSearchParams(raw);
      if (form.get('grant_type') !== 'client_credentials') return void send(res, 400, { error: 'unsupported_grant_type', error_description: 'AADSTS70003: unsupported grant type' });
      if (form.get('client_id') !== appId) return void send(res, 400, { error: 'unauthorized_client', error_description: `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory.` });
      if (form.get('client_secret') !== appPassword) return void send(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.' });
      const scope = form.get('scope') ?? '';
      if (scope !== BOT_SCOPE && scope !== GRAPH_SCOPE) return void send(res, 400, { error: 'invalid_scope', error_description: `AADSTS1002012: The provided value for scope ${scope} is not valid.` });
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, scope);
      tokensIssued.push(scope);
      return void send(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
    }
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && (m = /^\/graph\/v1\.0\/users\/([^/]+)$/.exec(path))) {
      if (!bearer(req, GRAPH_SCOPE)) return void botError(res, 401, 'InvalidAuthenticationToken', 'Access token validation failure.');
      const upn = decodeURIComponent(m[1] as string).toLowerCase();
      const found = [...members.entries()].find(([, v]) => v.upn === upn);
      if (!found) return void botError(res, 404, 'Request_ResourceNotFound', `Resource '${upn}' does not exist or one of its queried reference-property objects are not present.`);
      return void send(res, 200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users(id)/$entity', id: found[0] });
    }
    if (req.method === 'POST' && path.startsWith('/teams/v3/conversations')) {
      if (!bearer(req, BOT_SCOPE)) return void botError(res, 401, 'Unauthorized', 'Authorization has been denied for this request.');
      if (req.headers['content-type']?.split(';')[0] !== 'application/json') return bad(res, `content-type must be application/json, got ${String(req.headers['content-type'])}`);
      const status = failures.take();
      if (status !== undefined) {
        return void botError(res, status, status === 429 ? 'TooManyRequests' : 'ServiceError', `failure ${status} as the test asked`);
      }
      let body: WireJson;
      try {
        body = JSON.parse(raw);
      } catch {
        return bad(res, 'the body is not JSON');
      }
      if (path === '/teams/v3/conversations') {
        if (body.bot?.id !== `28:${appId}`) return bad(res, 'bot.id must be 28:<app id>');
        if (!Array.isArray(body.members) || body.members.length !== 1 || typeof body.members[0]?.id !== 'string') return bad(res, 'a personal chat takes exactly one member');
        if (body.channelData?.tenant?.id !== tenantId) return bad(res, 'channelData.tenant.id must be the tenant');
        if (body.isGroup === true) return bad(res, 'a personal chat is not a group');
        const member = members.get(body.members[0].id);
        if (!member || !member.installed) return void botError(res, 403, 'BotNotInConversationRoster', 'The bot is not part of the conversation roster.');
        const id = `a:1${Buffer.from(body.members[0].id).toString('base64url').slice(0, 40)}`;
        conversations.set(id, body.members[0].id);
        return void send(res, 201, { id });
      }
      const activityPath = /^\/teams\/v3\/conversations\/([^/]+)\/activities$/.exec(path);
      const conversationId = activityPath ? decodeURIComponent(activityPath[1] as string) : null;
      if (conversationId === null || !conversations.has(conversationId)) return void botError(res, 404, 'ConversationNotFound', 'Conversation not found.');
      const problem = checkCard(body);
      if (problem) return bad(res, problem);
      activities.push({ conversationId, recipient: conversations.get(conversationId) as string, activity: body });
      return void send(res, 201, { id: String(1_700_000_000_000 + activities.length) });
    }
    botError(res, 404, 'NotFound', `no route ${req.method} ${path}`);
  };

  const server = await startFakeHttp(handle);
  const base = server.url;
  const blockText = (a: TeamsActivity, id: string) => (a.activity.attachments[0].content.body as Array<Record<string, WireJson>>).find((b) => b.id === id)?.text ?? '';

  return {
    appId,
    appPassword,
    tenantId,
    tokenUrl: `${base}/login/${tenantId}/oauth2/v2.0/token`,
    serviceUrl: `${base}/teams/`,
    graphUrl: `${base}/graph`,
    addMember(upn, options = {}) {
      const id = randomUUID();
      members.set(id, { upn: upn.toLowerCase(), installed: options.installed ?? true });
      return id;
    },
    activities,
    tokensIssued,
    problems,
    failNext: (status) => failures.add(status),
    delivered: () => activities.map((a) => ({ recipient: a.recipient, subject: blockText(a, 'subject'), text: blockText(a, 'text') })),
    close: server.close,
  };
}
