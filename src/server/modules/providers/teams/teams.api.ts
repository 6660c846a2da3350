import type { Clock } from '../../../platform/clock.js';
import { outboundRequest, OutboundRefused, type OutboundResponse } from '../../../platform/http/outbound.js';
import { ChannelError } from '../../notify/channels/channel.js';

/** Where Bot Framework bots get tokens: the Entra tenant's v2 token endpoint (single-tenant bots). */
export const defaultTokenUrl = (tenantId: string) => `https://login.microsoftonline.com/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
export const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com/.default';
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/** Renew a token this long before Entra says it expires, so a page never goes out with a stale one. */
const RENEW_EARLY_MS = 5 * 60_000;

export interface TeamsHttp {
  allowPrivate: boolean;
  signal?: AbortSignal;
}

/** Sends one request; turns refusals and network errors into ChannelErrors that name `what`. */
export async function teamsRequest(what: string, url: string, spec: { method: 'GET' | 'POST'; body?: string; contentType?: string; headers?: Record<string, string> }, http: TeamsHttp): Promise<OutboundResponse> {
  try {
    return await outboundRequest(url, { method: spec.method, ...(spec.body !== undefined ? { body: spec.body, contentType: spec.contentType ?? 'application/json' } : {}) }, {
      allowPrivate: http.allowPrivate,
      headers: { accept: 'application/json', ...spec.headers },
      ...(http.signal ? { signal: http.signal } : {}),
    });
  } catch (error) {
    if (error instanceof OutboundRefused) throw new ChannelError(`${what}: ${error.message}`, true, { cause: error });
    throw new ChannelError(`${what}: could not be reached: ${(error as Error).message}`, false, { cause: error });
  }
}

export function parseJson(body: string): Record<string, unknown> {
  try {
    const value = JSON.parse(body) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * App-only tokens from the Microsoft identity platform (OAuth 2.0 client credentials: the bot's app id
 * and client secret, form-encoded), one per scope, kept until five minutes before they expire by the
 * injected clock. A refused secret (`invalid_client`, AADSTS7000215) is permanent until an admin fixes it.
 */
export class TeamsTokens {
  private readonly cache = new Map<string, { token: string; until: number }>();

  constructor(private readonly options: { tokenUrl: string; appId: string; appPassword: string; clock: Clock }) {}

  async token(scope: string, http: TeamsHttp): Promise<string> {
    const now = this.options.clock.now();
    const cached = this.cache.get(scope);
    if (cached && cached.until > now) return cached.token;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.options.appId, client_secret: this.options.appPassword, scope });
    const answer = await teamsRequest('Microsoft Entra token request', this.options.tokenUrl, { method: 'POST', body: form.toString(), contentType: 'application/x-www-form-urlencoded' }, http);
    const body = parseJson(answer.body);
    if (answer.status !== 200 || typeof body.access_token !== 'string') {
      const code = typeof body.error === 'string' ? body.error : `HTTP ${answer.status}`;
      const description = typeof body.error_description === 'string' ? `: ${body.error_description.split('\n')[0]?.slice(0, 300)}` : '';
      const permanent = answer.status >= 400 && answer.status < 500 && answer.status !== 429;
      throw new ChannelError(`Microsoft Entra refused the bot’s token request (${code}${description})${permanent ? '; check the provider’s appId, tenantId and appPassword' : '; retried later'}`, permanent);
    }
    const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3599)) * 1000;
    this.cache.set(scope, { token: body.access_token, until: now + Math.max(0, lifetimeMs - RENEW_EARLY_MS) });
    return body.access_token;
  }
}
