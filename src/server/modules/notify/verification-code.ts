import { randomInt, timingSafeEqual } from 'node:crypto';
import { hashToken } from '../../platform/crypto.js';

/** How long a verification code can be entered. */
export const VERIFICATION_TTL_MS = 15 * 60_000;
/** Codes that may be tried against one pending code, right or wrong. */
export const MAX_VERIFICATION_ATTEMPTS = 5;
/** The least time between two codes for one method, so the button cannot flood someone's inbox. */
export const RESEND_COOLDOWN_MS = 60_000;

/** Six random digits, leading zeros kept. */
export function newVerificationCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * The stored form of a code. Bound to the contact method, so a hash copied to another row is useless.
 * Six digits are only a million values, so the hash alone would not hide a code from someone holding
 * the database; what protects a code is its 15-minute life and the 5-attempt limit.
 */
export function hashVerificationCode(contactMethodId: string, code: string): string {
  return hashToken(`${contactMethodId}:${code}`);
}

export function verificationCodeMatches(contactMethodId: string, code: string, storedHash: string): boolean {
  const actual = Buffer.from(hashVerificationCode(contactMethodId, code), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
