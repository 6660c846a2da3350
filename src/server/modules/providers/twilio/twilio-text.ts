import type { ChannelMessage } from '../../notify/channels/channel.js';
import { replyInstructions } from './sms-reply.js';

/** Twilio refuses a longer body (error 21617); a page aims at two segments, well below. */
export const MAX_SMS_BODY = 1600;
/** A page's SMS aims at two 160-character segments. */
export const PAGE_SMS_TARGET = 320;

// Plain "..." rather than "…": one character outside GSM-7 makes the whole SMS UCS-2, 70 characters a segment.
const cut = (text: string, max: number) => {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 3).join('').trimEnd()}...`;
};

/**
 * The SMS for a message, in GSM-7 characters where the input allows (so 160 a segment, not 70). A page
 * is short (aim ≤ 320 characters): the subject (what is wrong), the
 * service and severity, how to answer, and the alert's link when it fits; the long email text is left
 * out. With `replies` (Twilio, whose incoming-SMS webhook Firebreak reads) it asks for "ACK 42"/"RES 42";
 * without (a provider whose replies Firebreak does not read) it gives the person's one-click
 * acknowledge link instead. A test page says so first; a shadow copy says it is for information and
 * asks for nothing. Every other message (verification code, test, hand-off) is the subject, a line
 * break and the text, cut to 1600 characters. Pure.
 */
export function smsBody(message: ChannelMessage, options: { replies: boolean }): string {
  const page = message.page;
  if (!page) return cut(`${message.subject}\n${message.text}`, MAX_SMS_BODY);
  const lines = [`${page.test ? 'TEST ' : ''}${message.subject}`, cut(`${page.serviceName} (${page.severity}${page.status === 'resolved' ? ', resolved' : ''})`, 80)];
  if (page.shadow) lines.push('For your information (shadowing); no reply needed.');
  else if (page.status !== 'resolved' && options.replies) lines.push(replyInstructions(page.alertNumber));
  else if (page.status !== 'resolved' && page.actions) lines.push(`Acknowledge: ${page.actions.acknowledge}`);
  const withLink = [...lines, page.url].join('\n');
  return [...withLink].length <= PAGE_SMS_TARGET ? withLink : cut(lines.join('\n'), PAGE_SMS_TARGET);
}

/** Escapes text for TwiML (XML). */
export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** A TwiML document: `<Response>` around the verbs given (already XML). */
export const twiml = (...verbs: string[]) => `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs.join('')}</Response>`;
export const say = (text: string) => `<Say>${xmlEscape(text)}</Say>`;

/** The keys a called person presses, as PagerDuty's calls use them: 4 acknowledges, 6 resolves. */
export const VOICE_KEYS = { acknowledge: '4', resolve: '6' } as const;

/** Speech for a subject: `#42` is read "alert 42", not "hash 42". */
export const spoken = (subject: string) => subject.replace(/#(\d+)/g, 'alert $1');

/** What a page call says before asking for a key (the subject only, as on a lock screen). */
export function voicePrompt(input: { subject: string; test: boolean }): string {
  return `${input.test ? 'This is a test page from Firebreak. ' : 'Firebreak page. '}${spoken(input.subject)}. Press ${VOICE_KEYS.acknowledge} to acknowledge, ${VOICE_KEYS.resolve} to resolve.`;
}
