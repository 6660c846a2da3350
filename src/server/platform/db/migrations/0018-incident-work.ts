import type { Kysely } from 'kysely';

// The work on an incident: threads, tasks (the checklist) and playbooks (issue 6, ADR 0030,
// docs/incidents.md). Portable column types only (ADR 0002).
//
// - playbooks: reusable checklists, addressed by a unique `name` (a handle: config-as-code names them).
//   `auto_apply` 0 means "only added by hand" (no `appliesTo`); 1: declared incidents get it when
//   their severity is in `severities_json` (empty: any) and, when `playbook_services` lists services,
//   one of them is impacted. `items_json`: [{title, description, link, ownerRole}]. `managed_by`:
//   api | config. A playbook named `first-five-minutes` replaces the built-in checklist.
// - playbook_services: the services a playbook applies to (by id, so renaming a service keeps it).
// - incident_playbooks: which playbooks an incident got, with their title then. The primary key keeps
//   one playbook from being added twice, race-safe on PostgreSQL too.
// - incident_tasks: the incident's checklist. Owned by a person (`owner_user_id`) or by an incident role
//   (`owner_role`: whoever holds it when read). `done_at` NULL: not done. Tasks keep the playbook's
//   name and title as they were (`playbook_name` NULL: added by hand).
// - incident_threads: lines of investigation, each with an owner, a status (open | concluded |
//   abandoned) and a conclusion.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('playbooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('auto_apply', 'integer', (c) => c.notNull())
    .addColumn('severities_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('items_json', 'text', (c) => c.notNull())
    .addColumn('managed_by', 'text', (c) => c.notNull().defaultTo('api'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('playbook_services')
    .addColumn('playbook_id', 'text', (c) => c.notNull().references('playbooks.id'))
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addPrimaryKeyConstraint('playbook_services_pk', ['playbook_id', 'service_id'])
    .execute();
  await db.schema.createIndex('playbook_services_service_idx').on('playbook_services').column('service_id').execute();

  await db.schema
    .createTable('incident_playbooks')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('playbook_name', 'text', (c) => c.notNull())
    .addColumn('playbook_title', 'text', (c) => c.notNull())
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_playbooks_pk', ['incident_id', 'playbook_name'])
    .execute();

  await db.schema
    .createTable('incident_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('link', 'text')
    .addColumn('playbook_name', 'text')
    .addColumn('playbook_title', 'text')
    .addColumn('owner_role', 'text')
    .addColumn('owner_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('done_at', 'bigint')
    .addColumn('done_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_tasks_incident_idx').on('incident_tasks').columns(['incident_id', 'position']).execute();
  await db.schema.createIndex('incident_tasks_owner_idx').on('incident_tasks').column('owner_user_id').execute();

  await db.schema
    .createTable('incident_threads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('owner_user_id', 'text', (c) => c.references('users.id'))
    // open | concluded | abandoned
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('conclusion', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_threads_incident_idx').on('incident_threads').columns(['incident_id', 'id']).execute();
  await db.schema.createIndex('incident_threads_owner_idx').on('incident_threads').column('owner_user_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('incident_threads').execute();
  await db.schema.dropTable('incident_tasks').execute();
  await db.schema.dropTable('incident_playbooks').execute();
  await db.schema.dropTable('playbook_services').execute();
  await db.schema.dropTable('playbooks').execute();
}
