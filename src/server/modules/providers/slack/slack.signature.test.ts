import { describe, expect, it } from 'vitest';
import { slackSignature, verifySlackSignature } from './slack.signature.js';

// The worked example in Slack's "Verifying requests from Slack" (a slash command body).
const DOC = {
  secret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: '1531420618',
  body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};
const at = (seconds: number) => seconds * 1000;
const verify = (overrides: Partial<Parameters<typeof verifySlackSignature>[0]> = {}) =>
  verifySlackSignature({ signingSecret: DOC.secret, timestamp: DOC.timestamp, signature: DOC.signature, rawBody: DOC.body, nowMs: at(1531420618 + 60), ...overrides });

describe('Slack request signatures', () => {
  it('computes the signature of Slack’s documented example', () => {
    expect(slackSignature(DOC.secret, DOC.timestamp, DOC.body)).toBe(DOC.signature);
    expect(slackSignature(DOC.secret, DOC.timestamp, Buffer.from(DOC.body))).toBe(DOC.signature);
  });

  it('accepts the documented example within five minutes of its timestamp, either side', () => {
    expect(verify()).toEqual({ ok: true });
    expect(verify({ nowMs: at(1531420618 + 300) })).toEqual({ ok: true });
    expect(verify({ nowMs: at(1531420618 - 300) })).toEqual({ ok: true });
  });

  it.each([
    ['a timestamp older than five minutes', { nowMs: at(1531420618 + 301) }, /more than 5 minutes/],
    ['a timestamp from the future beyond five minutes', { nowMs: at(1531420618 - 301) }, /more than 5 minutes/],
    ['another signing secret', { signingSecret: '8f742231b10e8888abcd99yyyzzz85a6' }, /does not match/],
    ['a body changed by one character', { rawBody: DOC.body.replace('roadrunner', 'roadrunnes') }, /does not match/],
    ['the timestamp header changed', { timestamp: '1531420619', nowMs: at(1531420619) }, /does not match/],
    ['a truncated signature', { signature: DOC.signature.slice(0, 20) }, /does not match/],
    ['no signature', { signature: undefined }, /X-Slack-Signature is missing/],
    ['no timestamp', { timestamp: undefined }, /Timestamp is missing/],
    ['a timestamp that is not seconds', { timestamp: '2018-07-12T18:36:58Z' }, /Timestamp is missing or not a number/],
  ])('refuses %s', (_name, overrides, reason) => {
    const result = verify(overrides);
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.reason).toMatch(reason);
  });
});
