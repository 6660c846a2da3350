import type { ChannelMessage } from '../../notify/channels/channel.js';

/** `action_id`s of the buttons Firebreak puts on a page; the interaction callback knows only these. */
export const SLACK_ACTIONS = { acknowledge: 'firebreak_acknowledge', resolve: 'firebreak_resolve', open: 'firebreak_open' } as const;

/** `block_id` of the actions block, so an update can drop the buttons once someone has answered. */
export const SLACK_ACTIONS_BLOCK = 'firebreak-actions';

/** Slack's limits (docs.slack.dev, Block Kit reference): section text 3,000, header 150, 50 blocks. */
const SECTION_MAX = 3000;
const HEADER_MAX = 150;
const MAX_TEXT_BLOCKS = 40;

/** Slack's mrkdwn needs `&`, `<` and `>` escaped (and only those); everything else is sent as is. */
export function slackEscape(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string);
}

/** Cuts escaped text into section-sized pieces without splitting an escape such as `&amp;`. */
function textSections(text: string): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const char of text) {
    const escaped = slackEscape(char);
    if (current.length + escaped.length > SECTION_MAX) {
      pieces.push(current);
      current = '';
    }
    current += escaped;
  }
  if (current !== '' || pieces.length === 0) pieces.push(current);
  return pieces.slice(0, MAX_TEXT_BLOCKS);
}

type Block = Record<string, unknown>;

/**
 * The `chat.postMessage` body for one message: `text` is the subject (what Slack shows in notifications
 * and where blocks cannot be shown), `blocks` the subject as a header and the message text as sections
 * (`block_id` `text-<n>`). A page adds its service and severity, a link to the alert and, when it is a
 * live page for this person (triggered, not a shadow copy), the Acknowledge and Resolve buttons whose
 * `value` is the alert id: the callback checks Slack's signature and who clicked, so the value need
 * not be secret. Pure.
 */
export function slackMessage(channel: string, message: ChannelMessage): { channel: string; text: string; blocks: Block[]; unfurl_links: boolean; unfurl_media: boolean } {
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: [...message.subject].slice(0, HEADER_MAX).join(''), emoji: true } }];
  const page = message.page;
  if (page) {
    blocks.push({
      type: 'section',
      block_id: 'details',
      fields: [
        { type: 'mrkdwn', text: `*Service*\n${slackEscape(page.serviceName)}` },
        { type: 'mrkdwn', text: `*Severity*\n${slackEscape(page.severity)}` },
      ],
    });
    const notes = [page.test ? 'A test page: no one needs to act on it.' : null, page.shadow ? 'You are shadowing: this copy is for your information, not yours to answer.' : null].filter((n): n is string => n !== null);
    if (notes.length > 0) blocks.push({ type: 'context', block_id: 'notes', elements: notes.map((text) => ({ type: 'plain_text', text })) });
  }
  textSections(message.text).forEach((text, index) => blocks.push({ type: 'section', block_id: `text-${index}`, text: { type: 'mrkdwn', text } }));
  if (page) {
    const live = page.status === 'triggered' && !page.shadow;
    const elements: Block[] = [];
    if (live) {
      elements.push(
        { type: 'button', action_id: SLACK_ACTIONS.acknowledge, text: { type: 'plain_text', text: 'Acknowledge' }, style: 'primary', value: page.alertId },
        { type: 'button', action_id: SLACK_ACTIONS.resolve, text: { type: 'plain_text', text: 'Resolve' }, value: page.alertId },
      );
    }
    elements.push({ type: 'button', action_id: SLACK_ACTIONS.open, text: { type: 'plain_text', text: `Open alert #${page.alertNumber}` }, url: page.url });
    blocks.push({ type: 'actions', block_id: SLACK_ACTIONS_BLOCK, elements });
  }
  return { channel, text: message.subject, blocks, unfurl_links: false, unfurl_media: false };
}
