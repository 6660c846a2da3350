import type { Migration } from 'kysely';
import * as foundation from './0001-foundation.js';

/**
 * Every migration, in order. Listed statically (not read from a folder) so the same list works from
 * TypeScript sources, the compiled build and tests. Names never change once released.
 */
export const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
};
