import { createHash } from 'node:crypto';
import { assertSendable, ChannelError, type Channel, type ChannelMessage, type SendResult } from '../../notify/channels/channel.js';
import { MATTERMOST_ID, mattermostCall, type MattermostApiOptions } from './mattermost.api.js';

/** Mattermost's post length limit (runes) on current servers. */
const MAX_MESSAGE = 16_383;

export interface MattermostChannelOptions {
  serverUrl: string;
  botToken: string;
  /** The random string put into each button's context; the callback checks it (`mattermost.callbacks.ts`). */
  callbackSecret: string;
  /** Where Mattermost posts button clicks: `<public URL>/integrations/providers/mattermost/<id>/actions`. */
  actionsUrl: string;
  allowPrivate: boolean;
}

/** Ids of the buttons (Mattermost wants letters and digits only) and what each does. */
export const MATTERMOST_ACTIONS = { acknowledge: 'acknowledge', resolve: 'resolve' } as const;

/**
 * The post body: `message` is the subject as a small heading, a blank line and the text; a page adds an
 * attachment with the service, severity and a link to the alert and, when it is a live page for this
 * person (triggered, not a shadow copy), Acknowledge and Resolve buttons. Each button's integration
 * context carries the action, the alert id and the provider's callback secret: Mattermost does not sign
 * the requests it sends when a button is pressed, and keeps the context on the server (clients never see
 * it), so the secret coming back is what shows a click came through this Mattermost server. Pure.
 */
export function mattermostPost(channelId: string, message: ChannelMessage, options: Pick<MattermostChannelOptions, 'callbackSecret' | 'actionsUrl'>): Record<string, unknown> {
  const text = [...`#### ${message.subject}\n\n${message.text}`].slice(0, MAX_MESSAGE).join('');
  const page = message.page;
  if (!page) return { channel_id: channelId, message: text };
  const live = page.status === 'triggered' && !page.shadow;
  const button = (id: 'acknowledge' | 'resolve', name: string, style: string) => ({
    id: MATTERMOST_ACTIONS[id],
    type: 'button',
    name,
    style,
    integration: { url: options.actionsUrl, context: { action: id, alertId: page.alertId, secret: options.callbackSecret } },
  });
  const notes = [page.test ? 'A test page: no one needs to act on it.' : null, page.shadow ? 'You are shadowing: this copy is for your information, not yours to answer.' : null].filter((n) => n !== null);
  const attachment = {
    fallback: message.subject,
    color: page.status === 'resolved' ? '#2eb67d' : page.severity === 'critical' ? '#e01e5a' : '#ecb22e',
    title: `Alert #${page.alertNumber}: ${page.title}`.slice(0, 250),
    title_link: page.url,
    fields: [
      { short: true, title: 'Service', value: page.serviceName },
      { short: true, title: 'Severity', value: page.severity },
    ],
    ...(notes.length > 0 ? { footer: notes.join(' ') } : {}),
    ...(live ? { actions: [button('acknowledge', 'Acknowledge', 'primary'), button('resolve', 'Resolve', 'good')] } : {}),
  };
  return { channel_id: channelId, message: text, props: { attachments: [attachment] } };
}

/**
 * A pending post id in the form Mattermost's own clients use (`<user id>:<milliseconds>`, the bot being
 * the user), its 13 digits drawn from the idempotency key rather than the clock, so every attempt at one
 * notification sends the same one. Pure.
 */
export function pendingPostId(botId: string, idempotencyKey: string): string {
  const digits = createHash('sha256').update(idempotencyKey).digest().readUIntBE(0, 6) % 10 ** 13;
  return `${botId}:${String(digits).padStart(13, '0')}`;
}

/**
 * Direct messages from a Mattermost bot account (REST API v4): the person's user id (looked up by
 * username when the address is one), the bot's own id (`/users/me`, remembered), the direct channel
 * between them (`POST /channels/direct`, the same every time), then `POST /posts`. The provider message
 * id is the post id.
 */
export class MattermostChannel implements Channel {
  readonly type = 'mattermost' as const;
  private botId: Promise<string> | null = null;

  constructor(private readonly options: MattermostChannelOptions) {}

  async send(message: ChannelMessage, options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    assertSendable(this, message);
    if (message.to.type !== 'mattermost') throw new ChannelError('unreachable', true);
    const api: MattermostApiOptions = { ...this.options, ...(options.signal ? { signal: options.signal } : {}) };
    const address = message.to.handle;
    const userId = MATTERMOST_ID.test(address) ? address : await this.userIdOf(address, api);
    const botId = await this.ownId(api);
    const channel = await mattermostCall('POST', '/channels/direct', [botId, userId], api);
    if (typeof channel.id !== 'string') throw new ChannelError('Mattermost POST /channels/direct answered without a channel id', false);
    const body = mattermostPost(channel.id, message, this.options);
    // Every attempt at one notification carries the same pending post id, which Mattermost de-duplicates
    // (for 30 s, per app server): a retry after a lost answer gets the post already made, not a second page.
    if (message.idempotencyKey !== undefined) body.pending_post_id = pendingPostId(botId, message.idempotencyKey);
    const post = await mattermostCall('POST', '/posts', body, api);
    if (typeof post.id !== 'string') throw new ChannelError('Mattermost POST /posts answered without a post id', false);
    return { providerMessageId: post.id };
  }

  private async userIdOf(username: string, api: MattermostApiOptions): Promise<string> {
    const user = await mattermostCall('GET', `/users/username/${encodeURIComponent(username)}`, undefined, api).catch((error: unknown) => {
      if (error instanceof ChannelError && / 404/.test(error.message)) throw new ChannelError(`Mattermost has no user @${username}: check the contact method’s username`, true, { cause: error });
      throw error;
    });
    if (typeof user.id !== 'string') throw new ChannelError(`Mattermost answered without the id of @${username}`, false);
    return user.id;
  }

  private ownId(api: MattermostApiOptions): Promise<string> {
    this.botId ??= mattermostCall('GET', '/users/me', undefined, api).then((me) => {
      if (typeof me.id !== 'string') throw new ChannelError('Mattermost GET /users/me answered without the bot’s id', false);
      return me.id;
    });
    return this.botId.catch((error: unknown) => {
      this.botId = null; // ask again next time: the token may have been fixed
      throw error;
    });
  }
}
