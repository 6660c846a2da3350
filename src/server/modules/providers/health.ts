import type { z } from 'zod';
import type { providerHealthSchema } from '../../../contracts/providers.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { NotificationProvidersTable } from '../../platform/db/schema.js';

/** Failures in a row after which a provider is tried only after the healthy ones. */
export const UNHEALTHY_AFTER_FAILURES = 3;
/** An unhealthy provider is given its place back this long after its last failure (a probe by real traffic). */
export const UNHEALTHY_FOR_MS = 10 * 60_000;

export interface HealthRecord {
  consecutiveFailures: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  lastError: string | null;
}

const fresh = (): HealthRecord => ({ consecutiveFailures: 0, lastSuccessAt: null, lastFailureAt: null, lastError: null });

/** True while a provider should be tried after the healthy ones. */
export function isUnhealthy(h: HealthRecord, now: number): boolean {
  return h.consecutiveFailures >= UNHEALTHY_AFTER_FAILURES && h.lastFailureAt !== null && now - h.lastFailureAt < UNHEALTHY_FOR_MS;
}

export function healthOf(h: HealthRecord, now: number): z.infer<typeof providerHealthSchema> {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const status = isUnhealthy(h, now) ? 'unhealthy' : h.lastSuccessAt === null && h.lastFailureAt === null ? 'unknown' : 'healthy';
  return { status, consecutiveFailures: h.consecutiveFailures, lastSuccessAt: iso(h.lastSuccessAt), lastFailureAt: iso(h.lastFailureAt), lastError: h.lastError };
}

/**
 * Provider health (ADR 0025): failures in a row and the last success and failure, kept in memory for
 * ordering and written through to the provider's row so every node and the settings page see it.
 * Only failures that say something about the provider count (a connection refused, a 5xx, a timeout);
 * a recipient the provider refuses (a permanent error) does not.
 */
export class HealthBook {
  private readonly records = new Map<string, HealthRecord>();

  constructor(private readonly deps: { database: FirebreakDatabase; clock: Clock }) {}

  /** Takes the stored health of every provider (on reload); in-memory only records are kept. */
  load(rows: readonly NotificationProvidersTable[]): void {
    for (const row of rows) {
      this.records.set(row.id, { consecutiveFailures: row.consecutive_failures, lastSuccessAt: row.last_success_at, lastFailureAt: row.last_failure_at, lastError: row.last_error });
    }
  }

  get(providerId: string): HealthRecord {
    return this.records.get(providerId) ?? fresh();
  }

  unhealthy(providerId: string): boolean {
    return isUnhealthy(this.get(providerId), this.deps.clock.now());
  }

  /** Records one answer; written to the row (best effort: health must never fail a delivery). */
  async record(providerId: string, outcome: { ok: true } | { ok: false; error: string }): Promise<void> {
    const now = this.deps.clock.now();
    const before = this.get(providerId);
    const next: HealthRecord = outcome.ok
      ? { ...before, consecutiveFailures: 0, lastSuccessAt: now }
      : { ...before, consecutiveFailures: before.consecutiveFailures + 1, lastFailureAt: now, lastError: outcome.error.slice(0, 500) };
    this.records.set(providerId, next);
    try {
      await this.deps.database.db
        .updateTable('notification_providers')
        .set({ consecutive_failures: next.consecutiveFailures, last_success_at: next.lastSuccessAt, last_failure_at: next.lastFailureAt, last_error: next.lastError })
        .where('id', '=', providerId)
        .execute();
    } catch {
      // The in-memory record still orders this node's deliveries.
    }
  }
}
