import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulidx';
import type { Clock } from './clock.js';

/**
 * Sortable ids: ULIDs (48-bit millisecond time + 80 random bits, Crockford base32), so ids sort by
 * creation time in both SQLite and PostgreSQL text columns. Monotonic within a millisecond.
 */
export type IdGenerator = () => string;

export function createIdGenerator(clock: Clock): IdGenerator {
  const ulid = monotonicFactory(bufferedRandom());
  return () => ulid(clock.now());
}

/**
 * A uniform float in [0, 1) from the operating system's CSPRNG, read 4 KB at a time: ulidx asks for one
 * random number per character, and one system call for each was about 5 % of paging's CPU (ADR 0035).
 */
export function bufferedRandom(chunkBytes = 4096): () => number {
  let buffer = randomBytes(chunkBytes);
  let offset = 0;
  return () => {
    if (offset + 4 > buffer.length) {
      buffer = randomBytes(chunkBytes);
      offset = 0;
    }
    const value = buffer.readUInt32BE(offset) / 0x1_0000_0000;
    offset += 4;
    return value;
  };
}
