import type { Kysely } from 'kysely';

// Status pages (issue 7, ADR 0036, docs/status-pages.md). Portable column types only (ADR 0002):
// booleans are 0/1 integers, lists are JSON text, instants epoch-millisecond bigints.
//
// - `status_pages`: one row per page. `version` is bumped in every transaction that changes anything
//   the public sees of the page; every node's public cache compares it to re-render (ADR 0036).
// - `status_components`: groups (`is_group` = 1) and components, two levels (`group_id` names a group
//   of the same page). `public` = 0 keeps a component off every public surface.
// - `status_component_history`: from `at` on, a component had `status`; uptime bars are derived from it.
// - `status_incidents`: public incidents and scheduled maintenances (`kind`), never the internal
//   `incidents` table: nothing internal can reach a public page by a join.
// - `status_incident_updates`: their updates; `affected_json` the components' status changes.
// - `status_incident_components`: which components an incident or maintenance affects.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('status_pages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    // public | private
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('brand_color', 'text', (c) => c.notNull())
    .addColumn('logo_url', 'text')
    .addColumn('custom_domain', 'text', (c) => c.unique())
    .addColumn('footer_links_json', 'text', (c) => c.notNull())
    .addColumn('allowed_email_domains_json', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('status_components')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull().references('status_pages.id'))
    .addColumn('group_id', 'text', (c) => c.references('status_components.id'))
    .addColumn('is_group', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('showcase', 'integer', (c) => c.notNull())
    .addColumn('only_show_if_degraded', 'integer', (c) => c.notNull())
    .addColumn('public', 'integer', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.references('services.id'))
    .addColumn('start_date', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('status_components_page_idx').on('status_components').columns(['page_id', 'position']).execute();

  await db.schema
    .createTable('status_component_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('component_id', 'text', (c) => c.notNull().references('status_components.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('status_component_history_idx').on('status_component_history').columns(['component_id', 'at']).execute();

  await db.schema
    .createTable('status_incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull().references('status_pages.id'))
    // incident | maintenance
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('impact', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('monitoring_at', 'bigint')
    .addColumn('resolved_at', 'bigint')
    .addColumn('scheduled_for', 'bigint')
    .addColumn('scheduled_until', 'bigint')
    .addColumn('auto_transition', 'integer', (c) => c.notNull())
    .addColumn('backfilled', 'integer', (c) => c.notNull())
    .addColumn('postmortem_url', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('status_incidents_page_idx').on('status_incidents').columns(['page_id', 'started_at']).execute();

  await db.schema
    .createTable('status_incident_updates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('status_incidents.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('affected_json', 'text', (c) => c.notNull())
    .addColumn('display_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('status_incident_updates_incident_idx').on('status_incident_updates').columns(['incident_id', 'display_at']).execute();

  await db.schema
    .createTable('status_incident_components')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('status_incidents.id'))
    .addColumn('component_id', 'text', (c) => c.notNull().references('status_components.id'))
    .addPrimaryKeyConstraint('status_incident_components_pk', ['incident_id', 'component_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['status_incident_components', 'status_incident_updates', 'status_incidents', 'status_component_history', 'status_components', 'status_pages']) {
    await db.schema.dropTable(table).execute();
  }
}
