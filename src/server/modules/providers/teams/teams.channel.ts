import type { Clock } from '../../../platform/clock.js';
import { assertSendable, ChannelError, type Channel, type ChannelMessage, type SendResult } from '../../notify/channels/channel.js';
import { BOT_FRAMEWORK_SCOPE, GRAPH_SCOPE, parseJson, teamsRequest, TeamsTokens, type TeamsHttp } from './teams.api.js';
import { teamsCard } from './teams.card.js';

const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TeamsChannelOptions {
  appId: string;
  appPassword: string;
  tenantId: string;
  /** Bot Connector service base, such as https://smba.trafficmanager.net/teams/ (trailing slash optional). */
  serviceUrl: string;
  tokenUrl: string;
  /** Microsoft Graph base, for turning a user principal name into an object id. */
  graphUrl: string;
  allowPrivate: boolean;
  clock: Clock;
}

/**
 * Proactive one-to-one messages from a Teams bot (Bot Framework Connector REST API v3): a client
 * credentials token, `POST <serviceUrl>/v3/conversations` with the bot, the member's Entra object id and
 * the tenant (answers the personal chat's id, the same each time), then
 * `POST /v3/conversations/<id>/activities` with an Adaptive Card. A user principal name is first turned
 * into the object id through Microsoft Graph (`GET /v1.0/users/<upn>`, application permission
 * User.Read.All). Teams only lets a bot message people who have its app installed: the error says so.
 * The provider message id is `<conversation id>|<activity id>`.
 */
export class TeamsChannel implements Channel {
  readonly type = 'teams' as const;
  private readonly tokens: TeamsTokens;

  constructor(private readonly options: TeamsChannelOptions) {
    this.tokens = new TeamsTokens({ tokenUrl: options.tokenUrl, appId: options.appId, appPassword: options.appPassword, clock: options.clock });
  }

  async send(message: ChannelMessage, options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    assertSendable(this, message);
    if (message.to.type !== 'teams') throw new ChannelError('unreachable', true);
    const http: TeamsHttp = { allowPrivate: this.options.allowPrivate, ...(options.signal ? { signal: options.signal } : {}) };
    const address = message.to.handle;
    const memberId = OBJECT_ID.test(address) ? address.toLowerCase() : await this.objectIdOf(address, http);
    const token = await this.tokens.token(BOT_FRAMEWORK_SCOPE, http);
    const base = this.options.serviceUrl.replace(/\/+$/, '');
    const headers = { authorization: `Bearer ${token}` };

    const created = await teamsRequest('Teams create conversation', `${base}/v3/conversations`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        bot: { id: `28:${this.options.appId}` },
        members: [{ id: memberId }],
        channelData: { tenant: { id: this.options.tenantId } },
        tenantId: this.options.tenantId,
        isGroup: false,
      }),
    }, http);
    const conversation = parseJson(created.body);
    if (created.status >= 300 || typeof conversation.id !== 'string') throw failure('Teams could not open a chat with this person', created.status, conversation);

    const activity = {
      type: 'message',
      summary: message.subject,
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: teamsCard(message) }],
    };
    const sent = await teamsRequest('Teams send activity', `${base}/v3/conversations/${encodeURIComponent(conversation.id)}/activities`, { method: 'POST', headers, body: JSON.stringify(activity) }, http);
    const answer = parseJson(sent.body);
    if (sent.status >= 300 || typeof answer.id !== 'string') throw failure('Teams did not accept the message', sent.status, answer);
    return { providerMessageId: `${conversation.id}|${answer.id}` };
  }

  private async objectIdOf(upn: string, http: TeamsHttp): Promise<string> {
    const token = await this.tokens.token(GRAPH_SCOPE, http);
    const url = `${this.options.graphUrl.replace(/\/+$/, '')}/v1.0/users/${encodeURIComponent(upn)}?$select=id`;
    const answer = await teamsRequest('Microsoft Graph user look-up', url, { method: 'GET', headers: { authorization: `Bearer ${token}` } }, http);
    const body = parseJson(answer.body);
    if (answer.status === 404) throw new ChannelError(`Microsoft Entra has no user ${upn} in this tenant: check the contact method, or give the object id`, true);
    if (answer.status === 403) throw new ChannelError('Microsoft Graph refused to look up a user principal name: grant the bot’s app registration the User.Read.All application permission, or use object ids as addresses', true);
    if (answer.status !== 200 || typeof body.id !== 'string') throw failure('Microsoft Graph could not look up the user', answer.status, body);
    return body.id;
  }
}

/** A Bot Framework / Graph error answer as a ChannelError: 4xx (but 408/429) permanent, with what to fix. */
function failure(what: string, status: number, body: Record<string, unknown>): ChannelError {
  const error = (body.error ?? {}) as { code?: unknown; message?: unknown };
  const detail = [typeof error.code === 'string' ? error.code : null, typeof error.message === 'string' ? error.message.slice(0, 300) : null].filter(Boolean).join(': ');
  const hint =
    status === 403 ? ' (install the Firebreak app for this person in Teams, or org-wide from the Teams admin center)' : status === 401 ? ' (the bot’s token was refused: check appId and appPassword)' : '';
  const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
  return new ChannelError(`${what}: HTTP ${status}${detail ? ` ${detail}` : ''}${hint}${permanent ? '' : '; retried later'}`, permanent);
}
