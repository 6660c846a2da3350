import { outboundRequest, OutboundRefused } from '../../../platform/http/outbound.js';
import { ChannelError } from '../../notify/channels/channel.js';

/** A 26-character Mattermost id (user, channel, post); usernames are at most 22 characters. */
export const MATTERMOST_ID = /^[a-z0-9]{26}$/;

export interface MattermostApiOptions {
  serverUrl: string;
  botToken: string;
  allowPrivate: boolean;
  signal?: AbortSignal;
}

/**
 * One Mattermost REST API v4 call (`<serverUrl>/api/v4/…`) as the bot: `Authorization: Bearer <bot
 * access token>`, JSON in and out. Mattermost answers errors with an HTTP status and
 * `{id, message, status_code}`; 401/403/404/400 cannot pass by retrying the same message (a wrong
 * token, a missing permission, no such user), 429 and 5xx may. Errors name the call, never the token.
 */
export async function mattermostCall(method: 'GET' | 'POST', path: string, body: unknown, options: MattermostApiOptions): Promise<Record<string, unknown>> {
  const what = `Mattermost ${method} ${path.replace(/\/users\/username\/[^/]+/, '/users/username/…')}`;
  let answer;
  try {
    answer = await outboundRequest(
      `${options.serverUrl.replace(/\/+$/, '')}/api/v4${path}`,
      body === undefined ? { method } : { method, body: JSON.stringify(body), contentType: 'application/json' },
      { allowPrivate: options.allowPrivate, headers: { authorization: `Bearer ${options.botToken}`, accept: 'application/json' }, ...(options.signal ? { signal: options.signal } : {}) },
    );
  } catch (error) {
    if (error instanceof OutboundRefused) throw new ChannelError(`${what}: ${error.message}`, true, { cause: error });
    throw new ChannelError(`${what}: the server could not be reached: ${(error as Error).message}`, false, { cause: error });
  }
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(answer.body) as Record<string, unknown>;
  } catch {
    // an HTML error page from a proxy, or an empty body
  }
  if (answer.status >= 200 && answer.status < 300) return parsed;
  const detail = typeof parsed.message === 'string' ? `: ${parsed.message}` : '';
  const hint =
    answer.status === 401 ? ' (check the provider’s botToken: a bot account’s access token)' : answer.status === 403 ? ' (the bot account lacks a permission, or direct messages to this user are not allowed)' : '';
  const permanent = answer.status >= 400 && answer.status < 500 && answer.status !== 408 && answer.status !== 429;
  throw new ChannelError(`${what} answered HTTP ${answer.status}${detail}${hint}${permanent ? '' : '; retried later'}`, permanent);
}
