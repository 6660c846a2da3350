import type { InboundAction } from '../../paging/inbound.js';

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
