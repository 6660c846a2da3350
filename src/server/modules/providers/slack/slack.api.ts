import { outboundRequest, OutboundRefused } from '../../../platform/http/outbound.js';
import { ChannelError, retryAfterMs } from '../../notify/channels/channel.js';

/** Slack's Web API base; a setting so tests (and Slack GovSlack, `slack-gov.com`) can point elsewhere. */
export const SLACK_API_URL = 'https://slack.com/api';

/**
 * Slack error codes after which sending the same message again cannot help (docs.slack.dev, the
 * "Errors" table of each method). Anything else (`ratelimited`, `internal_error`, `fatal_error`,
 * `service_unavailable`, `request_timeout`, codes Slack adds later) counts as one that may pass.
 */
const PERMANENT: Record<string, string> = {
  user_not_found: 'no such Slack member: check the member ID of the contact method',
  users_not_found: 'no such Slack member: check the member ID of the contact method',
  user_not_visible: 'the Slack app may not see this member (a guest or another workspace)',
  user_disabled: 'the Slack member is deactivated',
  channel_not_found: 'the direct message channel is unknown to the app',
  cannot_dm_bot: 'the member ID belongs to a bot',
  not_authed: 'no bot token was sent: set the provider’s botToken',
  invalid_auth: 'Slack refused the bot token: check the provider’s botToken (xoxb-…)',
  account_inactive: 'the bot token belongs to a deleted app or deactivated workspace',
  token_revoked: 'the bot token was revoked: reinstall the Slack app and update botToken',
  token_expired: 'the bot token expired: reinstall the Slack app and update botToken',
  not_allowed_token_type: 'the token is not a bot token (xoxb-…)',
  missing_scope: 'the Slack app lacks a scope: add chat:write and im:write, then reinstall it',
  no_permission: 'the Slack app lacks permission for this',
  team_access_not_granted: 'the bot token has no access to this workspace',
  restricted_action: 'a workspace preference forbids the app to post',
  is_archived: 'the conversation is archived',
  msg_too_long: 'the message is too long for Slack',
  no_text: 'the message has no text',
  invalid_blocks: 'Slack refused the message layout',
  invalid_blocks_format: 'Slack refused the message layout',
  invalid_arguments: 'Slack refused the request’s arguments',
  invalid_json: 'Slack could not read the request',
  json_not_object: 'Slack could not read the request',
  ekm_access_denied: 'the workspace’s key management denied access',
};

/** A Web API answer that said `ok: true`, with its other fields. */
export type SlackOk = Record<string, unknown> & { ok: true };

/**
 * One Slack Web API method call (`POST <apiUrl>/<method>`): bearer token, a JSON body as
 * `application/json; charset=utf-8` (Slack warns `missing_charset` without it). Slack answers HTTP 200
 * with `{ok: false, error}` for most failures and 429 (`ratelimited`, Retry-After) under rate limits;
 * both become a {@link ChannelError} naming the method and Slack's code.
 */
export async function slackCall(method: string, body: Record<string, unknown>, options: { apiUrl: string; botToken: string; allowPrivate: boolean; now: () => number; signal?: AbortSignal }): Promise<SlackOk> {
  let answer;
  try {
    answer = await outboundRequest(`${options.apiUrl.replace(/\/+$/, '')}/${method}`, { method: 'POST', body: JSON.stringify(body), contentType: 'application/json; charset=utf-8' }, {
      allowPrivate: options.allowPrivate,
      headers: { authorization: `Bearer ${options.botToken}` },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (error instanceof OutboundRefused) throw new ChannelError(`Slack ${method}: ${error.message}`, true, { cause: error });
    throw new ChannelError(`Slack ${method} could not be reached: ${(error as Error).message}`, false, { cause: error });
  }
  if (answer.status === 429) {
    const wait = retryAfterMs(answer.headers['retry-after'], options.now());
    const when = wait === undefined ? 'retried later' : `retried in no less than ${Math.ceil(wait / 1000)} s, as its Retry-After asks`;
    throw new ChannelError(`Slack ${method} answered ratelimited (HTTP 429): Slack limits chat.postMessage to about one message a second per conversation; ${when}`, false, wait === undefined ? {} : { retryAfterMs: wait });
  }
  if (answer.status >= 500) throw new ChannelError(`Slack ${method} answered HTTP ${answer.status}; retried later`, false);
  let parsed: { ok?: unknown; error?: unknown };
  try {
    parsed = JSON.parse(answer.body) as typeof parsed;
  } catch {
    throw new ChannelError(`Slack ${method} answered HTTP ${answer.status} without JSON (is apiUrl right?): ${answer.body.slice(0, 200)}`, answer.status >= 400 && answer.status < 500);
  }
  if (parsed.ok === true) return parsed as SlackOk;
  const code = typeof parsed.error === 'string' ? parsed.error : `HTTP ${answer.status}`;
  const why = PERMANENT[code];
  if (why !== undefined) throw new ChannelError(`Slack ${method} failed: ${code} (${why})`, true);
  throw new ChannelError(`Slack ${method} failed: ${code}; retried later`, false);
}
