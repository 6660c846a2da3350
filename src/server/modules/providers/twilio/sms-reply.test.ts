import { describe, expect, it } from 'vitest';
import type { ChannelMessage, PageContext } from '../../notify/channels/channel.js';
import { parseSmsReply } from './sms-reply.js';
import { smsBody, spoken, voicePrompt } from './twilio-text.js';

describe('parseSmsReply', () => {
  it.each([
    ['ACK 42', 'acknowledge', 42],
    ['ack 42', 'acknowledge', 42],
    ['Ack #42.', 'acknowledge', 42],
    ['ACK42', 'acknowledge', 42],
    ['  acknowledge   7 ', 'acknowledge', 7],
    ['A 3', 'acknowledge', 3],
    ['ACK', 'acknowledge', null],
    ['Ack!', 'acknowledge', null],
    ['RES 42', 'resolve', 42],
    ['resolve #9', 'resolve', 9],
    ['Resolved', 'resolve', null],
    ['R', 'resolve', null],
    ['ACK\u00a042', 'acknowledge', 42],
  ] as const)('reads %j as %s of alert %s', (body, action, alertNumber) => {
    expect(parseSmsReply(body)).toEqual({ kind: 'action', action, alertNumber });
  });

  it.each(['42', '#42', 'ok', 'yes please', 'ACK 42 and RES 43', 'ACK 0', 'ACK -1', 'ACKNOWLEDGEMENT 4', 'ACK 1234567890', '', 'on it, ACK 42'])('does nothing with %j (a mistyped reply never changes an alert)', (body) => {
    expect(parseSmsReply(body)).toEqual({ kind: 'unknown' });
  });

  it('answers HELP with the instructions and leaves the carriers’ opt-out words to Twilio', () => {
    expect(parseSmsReply('help')).toEqual({ kind: 'help' });
    expect(parseSmsReply('?')).toEqual({ kind: 'help' });
    for (const word of ['STOP', 'stop', 'Unsubscribe', 'START', 'UNSTOP']) expect(parseSmsReply(word)).toEqual({ kind: 'opt-out' });
  });
});

const page = (over: Partial<PageContext> = {}): PageContext => ({
  alertId: 'alt_1',
  alertNumber: 42,
  title: 'Checkout 5xx above 2%',
  serviceName: 'Checkout API',
  severity: 'critical',
  status: 'triggered',
  url: 'https://firebreak.example.com/alerts/42',
  actions: { acknowledge: 'https://firebreak.example.com/a/ack-token', resolve: 'https://firebreak.example.com/a/res-token' },
  ...over,
});
const message = (p: PageContext | undefined, text = 'A very long email body.\n'.repeat(40)): ChannelMessage => ({ to: { type: 'sms', phone: '+14155550123' }, subject: '#42 Checkout 5xx above 2%', text, kind: p ? 'page' : 'test', ...(p ? { page: p } : {}) });

describe('smsBody', () => {
  it('makes a page short: the subject, service and severity, the reply instructions and the link', () => {
    const body = smsBody(message(page()), { replies: true });
    expect(body).toBe('#42 Checkout 5xx above 2%\nCheckout API (critical)\nReply ACK 42 to acknowledge, RES 42 to resolve\nhttps://firebreak.example.com/alerts/42');
    expect([...body].length).toBeLessThanOrEqual(320);
    expect(body).not.toContain('ack-token');
  });

  it('gives the one-click acknowledge link instead of reply words where replies are not read', () => {
    expect(smsBody(message(page()), { replies: false })).toBe('#42 Checkout 5xx above 2%\nCheckout API (critical)\nAcknowledge: https://firebreak.example.com/a/ack-token\nhttps://firebreak.example.com/alerts/42');
  });

  it('marks a test page, asks nothing of a shadow, and stays within 320 characters with a long service name and URL', () => {
    expect(smsBody(message(page({ test: true })), { replies: true })).toMatch(/^TEST #42 Checkout/);
    const shadow = smsBody(message(page({ shadow: true })), { replies: true });
    expect(shadow).toContain('For your information (shadowing); no reply needed.');
    expect(shadow).not.toContain('Reply ACK');
    const long = smsBody(message(page({ serviceName: 'S'.repeat(300), url: `https://firebreak.example.com/${'x'.repeat(300)}` })), { replies: true });
    expect([...long].length).toBeLessThanOrEqual(320);
    expect(long).toContain('Reply ACK 42 to acknowledge, RES 42 to resolve');
  });

  it('sends other messages as the subject and the text, cut to Twilio’s 1600 characters', () => {
    expect(smsBody(message(undefined, 'Your code is 042917.'), { replies: true })).toBe('#42 Checkout 5xx above 2%\nYour code is 042917.');
    expect([...smsBody(message(undefined, 'é'.repeat(5000)), { replies: true })].length).toBe(1600);
  });
});

describe('voice words', () => {
  it('reads the alert number as words and asks for 4 or 6', () => {
    expect(spoken('#42 Checkout down')).toBe('alert 42 Checkout down');
    expect(voicePrompt({ subject: '#42 Checkout down', test: false })).toBe('Firebreak page. alert 42 Checkout down. Press 4 to acknowledge, 6 to resolve.');
    expect(voicePrompt({ subject: '#42 Checkout down', test: true })).toMatch(/^This is a test page from Firebreak\./);
  });
});
