import type { InboundAction, InboundOutcome, PagingInbound } from '../../paging/inbound.js';

/**
 * What a person's SMS answer to a page asks for. The words are the ones the page itself tells them
 * ("Reply ACK 42 to acknowledge, RES 42 to resolve"):
 *
 * - `ACK`, `ACKNOWLEDGE` (or `A`) and `RES`, `RESOLVE`, `RESOLVED` (or `R`), any case, with an optional
 *   alert number (`ACK 42`, `ack #42`, `ACK42`); without a number they answer the latest page sent to
 *   that phone.
 * - A bare number (`42`) or anything else does nothing and is answered with the instructions: a
 *   mistyped or autocorrected reply must never change an alert.
 * - `HELP` or `?` is answered with the instructions.
 * - Carrier opt-out words (`STOP`, `START`, `UNSTOP`, …) are Twilio's to handle (Advanced Opt-Out);
 *   Firebreak answers them with nothing.
 */
export type SmsReply =
  | { kind: 'action'; action: InboundAction; alertNumber: number | null }
  | { kind: 'help' }
  | { kind: 'opt-out' }
  | { kind: 'unknown' };

const OPT_OUT_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'START', 'YES', 'UNSTOP', 'OPTOUT', 'OPTIN', 'REVOKE']);
const ACK_WORDS = new Set(['A', 'ACK', 'ACKNOWLEDGE', 'ACKNOWLEDGED']);
const RESOLVE_WORDS = new Set(['R', 'RES', 'RESOLVE', 'RESOLVED']);

/** Reads an SMS body (see {@link SmsReply}). Pure. */
export function parseSmsReply(body: string): SmsReply {
  // Phones add trailing punctuation and odd spaces ("Ack 42." or "ACK\u00a042").
  const text = body.normalize('NFKC').trim().replace(/[.!]+$/, '').replace(/\s+/g, ' ').toUpperCase();
  if (text === 'HELP' || text === 'INFO' || text === '?') return { kind: 'help' };
  if (OPT_OUT_WORDS.has(text)) return { kind: 'opt-out' };
  const match = /^([A-Z]+) ?(?:#? ?(\d{1,9}))?$/.exec(text);
  if (!match) return { kind: 'unknown' };
  const word = match[1] as string;
  const number = match[2] === undefined ? null : Number(match[2]);
  if (number !== null && number < 1) return { kind: 'unknown' };
  if (ACK_WORDS.has(word)) return { kind: 'action', action: 'acknowledge', alertNumber: number };
  if (RESOLVE_WORDS.has(word)) return { kind: 'action', action: 'resolve', alertNumber: number };
  return { kind: 'unknown' };
}

/** The reply instructions every page ends with, for alert `number`. */
export const replyInstructions = (number: number) => `Reply ACK ${number} to acknowledge, RES ${number} to resolve`;

/** The answer to a reply Firebreak could not read. */
export const HOW_TO_REPLY = 'Firebreak: reply ACK 42 to acknowledge alert #42 or RES 42 to resolve it (ACK or RES alone: the latest page to this phone). Nothing was changed.';

const cut = (text: string, max: number) => ([...text].length <= max ? text : `${[...text].slice(0, max - 3).join('')}...`);

/** The SMS answer to a reply that acted (or tried to) on alert `number` as @`handle`. */
export function smsOutcome(outcome: InboundOutcome, action: InboundAction, number: number, handle: string): string {
  switch (outcome.kind) {
    case 'done':
      return `Firebreak: alert #${outcome.alert.number} "${cut(outcome.alert.title, 60)}" ${(action === 'acknowledge' ? 'acknowledged' : 'resolved')}, recorded as @${handle}.`;
    case 'unchanged':
      return `Firebreak: alert #${outcome.alert.number} is already ${outcome.alert.status}; nothing was changed.`;
    case 'not-found':
      return `Firebreak: alert #${number} could not be found, or your account is no longer active; nothing was changed.`;
  }
}


/**
 * Acts on an SMS reply to a page from phone `from` (E.164) and returns the text to answer with, or null
 * for no answer (carrier opt-out words). The reply acts as the person whose verified phone sent it, on a
 * page sent to that phone; anything else changes nothing and says why. Shared by every SMS provider
 * whose incoming messages Firebreak reads (Twilio, Vonage).
 */
export async function answerSmsReply(inbound: PagingInbound, reply: { from: string; body: string; ip: string | null; requestId: string }): Promise<string | null> {
  const parsed = parseSmsReply(reply.body);
  if (parsed.kind === 'opt-out') return null;
  if (parsed.kind !== 'action') return HOW_TO_REPLY;
  const user = (await inbound.userByAddress('sms', reply.from)) ?? (await inbound.userByAddress('voice', reply.from));
  if (!user) return 'Firebreak: this phone number is not a verified contact method of any active Firebreak user, so nothing was changed. Add and verify it in Firebreak under Profile, Contact methods.';
  const page = await inbound.latestPage(['sms', 'voice'], reply.from, parsed.alertNumber ?? undefined);
  if (!page || page.userId !== user.id) {
    return parsed.alertNumber !== null ? `Firebreak: no page for alert #${parsed.alertNumber} was sent to this phone, so nothing was changed. Check the number in the page.` : 'Firebreak: no page was sent to this phone, so nothing was changed.';
  }
  const outcome = await inbound.act({ userId: user.id, alertRef: page.alertId, action: parsed.action, via: 'SMS', ip: reply.ip, requestId: reply.requestId });
  return smsOutcome(outcome, parsed.action, page.alertNumber, user.handle);
}
