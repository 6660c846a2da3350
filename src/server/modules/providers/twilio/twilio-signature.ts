import { createHmac, timingSafeEqual } from 'node:crypto';

/** Form parameters as they arrived, in order; a name may repeat. */
export type FormParams = ReadonlyArray<readonly [string, string]>;

/**
 * Twilio's request signature (`X-Twilio-Signature`, docs: "Secure webhooks"): the full URL Twilio
 * requested (scheme, host, path and query, exactly as configured), followed by every POST parameter as
 * name and value with no separators, sorted by name (then value, for a repeated name), HMAC-SHA1 keyed
 * by the account's auth token, base64. Pure; the fake Twilio signs its callbacks with it too.
 *
 * @example
 *   twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', [['Digits', '1234'], …]) // '0/KCTR6DLpKmkAf8muzZqo1nDgQ='
 */
export function twilioSignature(authToken: string, url: string, params: FormParams): string {
  const sorted = [...params].sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const hmac = createHmac('sha1', authToken);
  hmac.update(url, 'utf8');
  for (const [name, value] of sorted) hmac.update(name + value, 'utf8');
  return hmac.digest('base64');
}

/**
 * True when `header` is Twilio's signature of this request. Compares in constant time, so the answer's
 * timing says nothing about how much of a forged signature was right. A missing header is false.
 */
export function verifyTwilioSignature(authToken: string, header: string | undefined, url: string, params: FormParams): boolean {
  if (header === undefined || header.length === 0 || authToken.length === 0) return false;
  const expected = Buffer.from(twilioSignature(authToken, url, params), 'utf8');
  const given = Buffer.from(header, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
