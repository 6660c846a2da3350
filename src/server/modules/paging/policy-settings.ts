import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';

/**
 * Paging's own settings of an escalation policy (migration 0016): today the acknowledgement timeout.
 * Read and written here by the paging API and by config-as-code (`ackTimeoutMinutes` on the
 * EscalationPolicy kind), so both store it the same way. No row: the defaults.
 */
export const policySettingsRepo = {
  async ackTimeout(db: Kysely<Database>, policyId: string): Promise<number | null> {
    const row = await db.selectFrom('paging_policy_settings').select(['ack_timeout_minutes']).where('policy_id', '=', policyId).executeTakeFirst();
    return row?.ack_timeout_minutes ?? null;
  },

  /** Every policy's timeout that is set, by policy id (config export). */
  async ackTimeouts(db: Kysely<Database>): Promise<Map<string, number>> {
    const rows = await db.selectFrom('paging_policy_settings').select(['policy_id', 'ack_timeout_minutes']).where('ack_timeout_minutes', 'is not', null).execute();
    return new Map(rows.map((r) => [r.policy_id, r.ack_timeout_minutes as number]));
  },

  async setAckTimeout(db: Kysely<Database>, policyId: string, minutes: number | null, now: number): Promise<void> {
    await db
      .insertInto('paging_policy_settings')
      .values({ policy_id: policyId, ack_timeout_minutes: minutes, updated_at: now })
      .onConflict((oc) => oc.column('policy_id').doUpdateSet({ ack_timeout_minutes: minutes, updated_at: now }))
      .execute();
  },
};
