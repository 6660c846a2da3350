import { sql, type Kysely } from 'kysely';

// Changes on incidents and service dependencies (issue 6, ADR 0031, docs/incidents.md). Portable column
// types only (ADR 0002).
//
// - `changes` gains what CI pipelines send to `POST /api/v1/changes`: version, commit, author, the
//   change's own link (`url`) and a rollback link (`rollback_url`), and who recorded it through the API
//   (`recorded_by`, the audit label; NULL for PagerDuty change events, which name their integration).
//   `happened_at` is when the change happened (the sender's timestamp, else when it was received):
//   the incident's window and the suspect window are ranges over it, so it is indexed per service.
//   Rows recorded before this migration get it from `timestamp` or `received_at`.
// - `service_dependencies`: service → a service it depends on (directed; cycles are allowed, self
//   dependencies are not: the catalog refuses them). An incident shows the changes of its impacted
//   services and of their direct dependencies.
// - `incident_change_marks`: what responders said about a change on an incident (caused, suspect,
//   dismissed); no row: unmarked. Kept after the incident for the postmortem and for change-failure
//   rate analytics (changes marked `caused`, per service).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('changes').addColumn('version', 'text').execute();
  await db.schema.alterTable('changes').addColumn('commit_sha', 'text').execute();
  await db.schema.alterTable('changes').addColumn('author', 'text').execute();
  await db.schema.alterTable('changes').addColumn('url', 'text').execute();
  await db.schema.alterTable('changes').addColumn('rollback_url', 'text').execute();
  await db.schema.alterTable('changes').addColumn('recorded_by', 'text').execute();
  await db.schema.alterTable('changes').addColumn('happened_at', 'bigint').execute();
  await sql`UPDATE changes SET happened_at = COALESCE(timestamp, received_at)`.execute(db);
  await db.schema.createIndex('changes_service_happened_idx').on('changes').columns(['service_id', 'happened_at']).execute();

  await db.schema
    .createTable('service_dependencies')
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('depends_on_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('service_dependencies_pk', ['service_id', 'depends_on_id'])
    .execute();
  await db.schema.createIndex('service_dependencies_depends_on_idx').on('service_dependencies').column('depends_on_id').execute();

  await db.schema
    .createTable('incident_change_marks')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('change_id', 'text', (c) => c.notNull().references('changes.id'))
    // caused | suspect | dismissed
    .addColumn('mark', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('marked_by', 'text', (c) => c.notNull())
    .addColumn('marked_by_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('marked_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_change_marks_pk', ['incident_id', 'change_id'])
    .execute();
  await db.schema.createIndex('incident_change_marks_change_idx').on('incident_change_marks').columns(['change_id', 'mark']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('incident_change_marks').execute();
  await db.schema.dropTable('service_dependencies').execute();
  await db.schema.dropIndex('changes_service_happened_idx').execute();
  for (const column of ['happened_at', 'recorded_by', 'rollback_url', 'url', 'author', 'commit_sha', 'version']) await db.schema.alterTable('changes').dropColumn(column).execute();
}
