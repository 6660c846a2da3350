import { describe, expect, it } from 'vitest';
import { twilioSignature, verifyTwilioSignature } from './twilio-signature.js';

// Twilio's documented example ("Secure webhooks"): auth token 12345, this URL and these parameters.
const URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS: Array<[string, string]> = [
  ['Digits', '1234'],
  ['To', '+18005551212'],
  ['From', '+12349013030'],
  ['Caller', '+12349013030'],
  ['CallSid', 'CA1234567890ABCDE'],
];
const DOCUMENTED = '0/KCTR6DLpKmkAf8muzZqo1nDgQ=';

describe('twilioSignature', () => {
  it('matches the signature of Twilio’s documented example, whatever order the parameters came in', () => {
    expect(twilioSignature('12345', URL, PARAMS)).toBe(DOCUMENTED);
    expect(twilioSignature('12345', URL, [...PARAMS].reverse())).toBe(DOCUMENTED);
  });

  it('covers the URL with its query, every parameter value and the auth token', () => {
    expect(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=3', PARAMS)).not.toBe(DOCUMENTED);
    expect(twilioSignature('12345', URL, PARAMS.map(([k, v]) => [k, k === 'Digits' ? '1235' : v] as [string, string]))).not.toBe(DOCUMENTED);
    expect(twilioSignature('12346', URL, PARAMS)).not.toBe(DOCUMENTED);
    expect(twilioSignature('12345', URL, [...PARAMS, ['Extra', '']])).not.toBe(DOCUMENTED);
  });

  it('sorts a repeated parameter name by value, so the order Twilio sent them in does not matter', () => {
    expect(twilioSignature('t', 'https://x.example/a', [['A', '2'], ['A', '1']])).toBe(twilioSignature('t', 'https://x.example/a', [['A', '1'], ['A', '2']]));
  });
});

describe('verifyTwilioSignature', () => {
  it('accepts the documented signature and refuses a missing, empty, altered or foreign one', () => {
    expect(verifyTwilioSignature('12345', DOCUMENTED, URL, PARAMS)).toBe(true);
    expect(verifyTwilioSignature('12345', undefined, URL, PARAMS)).toBe(false);
    expect(verifyTwilioSignature('12345', '', URL, PARAMS)).toBe(false);
    expect(verifyTwilioSignature('12345', DOCUMENTED.replace('0/', '1/'), URL, PARAMS)).toBe(false);
    expect(verifyTwilioSignature('12345', `${DOCUMENTED}=`, URL, PARAMS)).toBe(false);
    expect(verifyTwilioSignature('other-token', DOCUMENTED, URL, PARAMS)).toBe(false);
  });

  it('refuses everything when the auth token is empty (an unset secret never verifies)', () => {
    expect(verifyTwilioSignature('', twilioSignature('', URL, PARAMS), URL, PARAMS)).toBe(false);
  });
});
