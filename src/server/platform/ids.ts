import { monotonicFactory } from 'ulidx';
import type { Clock } from './clock.js';

/**
 * Sortable ids: ULIDs (48-bit millisecond time + 80 random bits, Crockford base32), so ids sort by
 * creation time in both SQLite and PostgreSQL text columns. Monotonic within a millisecond.
 */
export type IdGenerator = () => string;

export function createIdGenerator(clock: Clock): IdGenerator {
  const ulid = monotonicFactory();
  return () => ulid(clock.now());
}
