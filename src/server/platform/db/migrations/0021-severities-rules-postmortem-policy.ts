import type { Kysely } from 'kysely';

// Configurable severities, auto-declare rules and the postmortem policy (issue 6, ADR 0033).
// Portable column types only (ADR 0002).
//
// - incident_severities: no rows means the built-in SEV1–SEV4 are in use (so an install that never
//   configures severities exports no Severity documents). `handle` is the key in lowercase: keys are
//   unique whatever their case, and it is the config name of the `Severity` document.
// - incident_rules: conditions and action as JSON (services by id, so renaming a service keeps the rule).
// - incident_rule_declarations: one row per alert a rule acted on (declared an incident or linked the
//   alert to the open incident the same rule declared for the same service). The primary key on
//   alert_id is the "never twice for one alert" guarantee; the row commits with the declaration.
// - postmortem_policy: one row (`default`); none means the defaults (SEV1, SEV2; 30 minutes; 3 days).
// - incidents.postmortem_*: the policy's verdict, written in the resolving transaction, and who asked
//   for a postmortem.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('incident_severities')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('response', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('update_cadence_minutes', 'integer')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('incident_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    // {services: [serviceId], alertSeverities, urgency, titleContains, labels}
    .addColumn('conditions_json', 'text', (c) => c.notNull())
    // {severity, title, commanderUserId}
    .addColumn('action_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('incident_rule_declarations')
    .addColumn('alert_id', 'text', (c) => c.primaryKey().references('alerts.id'))
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    // declared | linked
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_rule_declarations_rule_idx').on('incident_rule_declarations').columns(['rule_id', 'service_id']).execute();
  await db.schema.createIndex('incident_rule_declarations_incident_idx').on('incident_rule_declarations').column('incident_id').execute();

  await db.schema
    .createTable('postmortem_policy')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('policy_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();

  // 1 required, 0 not; NULL: not evaluated yet (open incidents).
  await db.schema.alterTable('incidents').addColumn('postmortem_required', 'integer').execute();
  await db.schema.alterTable('incidents').addColumn('postmortem_reasons_json', 'text').execute();
  // Who first asked for a postmortem (the audit label); NULL: nobody.
  await db.schema.alterTable('incidents').addColumn('postmortem_requested_by', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('incidents').dropColumn('postmortem_requested_by').execute();
  await db.schema.alterTable('incidents').dropColumn('postmortem_reasons_json').execute();
  await db.schema.alterTable('incidents').dropColumn('postmortem_required').execute();
  await db.schema.dropTable('postmortem_policy').execute();
  await db.schema.dropTable('incident_rule_declarations').execute();
  await db.schema.dropTable('incident_rules').execute();
  await db.schema.dropTable('incident_severities').execute();
}
