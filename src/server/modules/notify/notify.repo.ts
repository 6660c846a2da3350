import type { Kysely, Selectable } from 'kysely';
import type { Urgency } from '../../../contracts/notify.js';
import type { ContactMethodsTable, Database, NotificationRulesTable } from '../../platform/db/schema.js';

export type ContactMethodRow = Selectable<ContactMethodsTable>;
export type NotificationRuleRow = Selectable<NotificationRulesTable>;

/** A rule with the method it points at, as the rules view and the paging engine read it. */
export interface RuleWithMethod {
  urgency: Urgency;
  position: number;
  delay_minutes: number;
  contact_method_id: string;
  type: string;
  label: string;
  address: string;
  verified_at: number | null;
}

/** Ids are ULIDs: anything else cannot exist, and is answered without a query (no stray bytes reach SQL). */
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
export const isUlid = (value: string) => ULID.test(value);

/**
 * SQL for contact methods, notification rules and notification settings. Every function takes the
 * executor, so callers choose the transaction; one body serves SQLite and PostgreSQL.
 */
export const notifyRepo = {
  async listMethods(db: Kysely<Database>, userId: string): Promise<ContactMethodRow[]> {
    return db.selectFrom('contact_methods').selectAll().where('user_id', '=', userId).orderBy('id').execute();
  },

  async findMethod(db: Kysely<Database>, id: string): Promise<ContactMethodRow | undefined> {
    if (!isUlid(id)) return undefined;
    return db.selectFrom('contact_methods').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async insertMethod(db: Kysely<Database>, row: ContactMethodRow): Promise<void> {
    await db.insertInto('contact_methods').values(row).execute();
  },

  async updateMethod(db: Kysely<Database>, id: string, changes: Partial<Omit<ContactMethodRow, 'id' | 'user_id' | 'type'>>): Promise<void> {
    await db.updateTable('contact_methods').set(changes).where('id', '=', id).execute();
  },

  /** Deletes a method; its notification rules go with it (ON DELETE CASCADE). Returns how many rules pointed at it. */
  async deleteMethod(db: Kysely<Database>, id: string): Promise<number> {
    const rules = await db.selectFrom('notification_rules').select((eb) => eb.fn.countAll<number>().as('n')).where('contact_method_id', '=', id).executeTakeFirstOrThrow();
    await db.deleteFrom('contact_methods').where('id', '=', id).execute();
    return Number(rules.n);
  },

  /**
   * Counts one attempt against the pending code, but only while attempts remain and the code is still
   * the one the caller read. One conditional UPDATE, so parallel guesses cannot exceed the limit (on
   * PostgreSQL the second waits for the first's row lock and re-checks the condition).
   */
  async reserveVerificationAttempt(db: Kysely<Database>, id: string, codeHash: string, maxAttempts: number): Promise<boolean> {
    const result = await db
      .updateTable('contact_methods')
      .set((eb) => ({ verification_attempts: eb('verification_attempts', '+', 1) }))
      .where('id', '=', id)
      .where('verification_code_hash', '=', codeHash)
      .where('verification_attempts', '<', maxAttempts)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  /** Records how delivering a code went, unless that code has been replaced or used meanwhile. */
  async setVerificationError(db: Kysely<Database>, id: string, codeHash: string, error: string | null): Promise<void> {
    await db.updateTable('contact_methods').set({ verification_error: error }).where('id', '=', id).where('verification_code_hash', '=', codeHash).execute();
  },

  async listRules(db: Kysely<Database>, userId: string): Promise<RuleWithMethod[]> {
    const rows = await db
      .selectFrom('notification_rules as r')
      .innerJoin('contact_methods as m', 'm.id', 'r.contact_method_id')
      .select(['r.urgency', 'r.position', 'r.delay_minutes', 'r.contact_method_id', 'm.type', 'm.label', 'm.address', 'm.verified_at'])
      .where('r.user_id', '=', userId)
      .orderBy('r.urgency')
      .orderBy('r.position')
      .execute();
    return rows.map((r) => ({ ...r, urgency: r.urgency as Urgency }));
  },

  async replaceRules(db: Kysely<Database>, userId: string, rows: NotificationRuleRow[]): Promise<void> {
    await db.deleteFrom('notification_rules').where('user_id', '=', userId).execute();
    if (rows.length > 0) await db.insertInto('notification_rules').values(rows).execute();
  },

  async getSettings(db: Kysely<Database>, userId: string): Promise<{ json: string; updated_at: number } | undefined> {
    return db.selectFrom('notification_settings').select(['json', 'updated_at']).where('user_id', '=', userId).executeTakeFirst();
  },

  async putSettings(db: Kysely<Database>, userId: string, json: string, now: number): Promise<void> {
    await db
      .insertInto('notification_settings')
      .values({ user_id: userId, json, updated_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ json, updated_at: now }))
      .execute();
  },
};
