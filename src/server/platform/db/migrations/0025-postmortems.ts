import { sql, SqliteAdapter, type Kysely } from 'kysely';

// Postmortems (issue 8, ADR 0038). Portable column types (ADR 0002); full-text search is the one
// dialect-specific part:
//
// - postmortem_templates: stored templates; a stored template with a built-in's handle replaces it
//   (src/core/postmortems/templates.ts), so an install that never edits templates exports none.
// - postmortems: one document. `sections_json` holds the ordered sections [{key, title, body,
//   internal}] (markdown bodies); `version` moves on every change and is the optimistic-concurrency
//   token (a write names the version it started from; a stale one gets 409 with the other change).
//   `incident_id` is unique: one postmortem per incident (standalone ones have none). `search_text` is
//   what full-text search reads: title, tags, services, section bodies and action-item titles.
// - postmortem_revisions: every saved version (the snapshot, who, when): the conflict answer shows what
//   the other author changed since the writer's version, and history is never lost.
// - postmortem_services, postmortem_tags, postmortem_reviewers (+ decision), postmortem_attachments
//   (bytes as base64 text, so backups stay plain JSON lines and both dialects store them alike).
// - postmortem_publications: the public version published to a status-page incident.
// - action_items: belong to a postmortem; `similar_group` links the same item appearing in several
//   postmortems (a repeated failure to fix something).
// - Search: SQLite keeps an FTS5 table filled by triggers from `postmortems.search_text`, so a restore
//   that inserts rows fills it too (backups skip virtual and shadow tables: schema-introspection.ts);
//   PostgreSQL has a GIN index on to_tsvector('english', title || search_text).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('postmortem_templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    // [{key, title, guidance, internal}]
    .addColumn('sections_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('postmortems')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'integer', (c) => c.notNull().unique())
    .addColumn('incident_id', 'text', (c) => c.unique().references('incidents.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    // draft | in_review | published
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('template_handle', 'text', (c) => c.notNull())
    .addColumn('sections_json', 'text', (c) => c.notNull())
    .addColumn('severity', 'text')
    .addColumn('occurred_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('owner_user_id', 'text', (c) => c.references('users.id'))
    // [userId]: authors named in the header; people involved: [userId]
    .addColumn('authors_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('people_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('due_at', 'bigint')
    // 1 when the postmortem policy required it; reasons as JSON strings
    .addColumn('required', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('required_reasons_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('no_action_items_reason', 'text')
    // The informal review round: {worked, didnt, start, stop, improve, notes}
    .addColumn('review_notes_json', 'text')
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'bigint')
    .addColumn('published_at', 'bigint')
    .execute();
  await db.schema.createIndex('postmortems_status_idx').on('postmortems').columns(['status', 'updated_at']).execute();
  await db.schema.createIndex('postmortems_occurred_idx').on('postmortems').column('occurred_at').execute();
  // The list's order (most recently changed first) read from the index, not by sorting every row.
  await db.schema.createIndex('postmortems_updated_idx').on('postmortems').columns(['updated_at', 'id']).execute();

  await db.schema
    .createTable('postmortem_revisions')
    .addColumn('postmortem_id', 'text', (c) => c.notNull().references('postmortems.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    // {title, sections, tags, …}: the editable fields as saved at this version
    .addColumn('snapshot_json', 'text', (c) => c.notNull())
    .addColumn('changed_fields_json', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('by_user_id', 'text')
    .addColumn('by_label', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('postmortem_revisions_pk', ['postmortem_id', 'version'])
    .execute();

  await db.schema
    .createTable('postmortem_services')
    .addColumn('postmortem_id', 'text', (c) => c.notNull().references('postmortems.id'))
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addPrimaryKeyConstraint('postmortem_services_pk', ['postmortem_id', 'service_id'])
    .execute();
  await db.schema.createIndex('postmortem_services_service_idx').on('postmortem_services').column('service_id').execute();

  await db.schema
    .createTable('postmortem_tags')
    .addColumn('postmortem_id', 'text', (c) => c.notNull().references('postmortems.id'))
    .addColumn('tag', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('postmortem_tags_pk', ['postmortem_id', 'tag'])
    .execute();
  await db.schema.createIndex('postmortem_tags_tag_idx').on('postmortem_tags').column('tag').execute();

  await db.schema
    .createTable('postmortem_reviewers')
    .addColumn('postmortem_id', 'text', (c) => c.notNull().references('postmortems.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    // null (not yet) | approved | changes_requested
    .addColumn('decision', 'text')
    .addColumn('comment', 'text')
    .addColumn('decided_at', 'bigint')
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('postmortem_reviewers_pk', ['postmortem_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('postmortem_attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('postmortem_id', 'text', (c) => c.notNull().references('postmortems.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('data_base64', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('postmortem_attachments_postmortem_idx').on('postmortem_attachments').column('postmortem_id').execute();

  await db.schema
    .createTable('postmortem_publications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('postmortem_id', 'text', (c) => c.notNull().references('postmortems.id'))
    .addColumn('status_page_incident_id', 'text', (c) => c.references('status_incidents.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('markdown', 'text', (c) => c.notNull())
    .addColumn('published_at', 'bigint', (c) => c.notNull())
    .addColumn('published_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('postmortem_publications_postmortem_idx').on('postmortem_publications').column('postmortem_id').execute();

  await db.schema
    .createTable('action_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'integer', (c) => c.notNull().unique())
    .addColumn('postmortem_id', 'text', (c) => c.notNull().references('postmortems.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('owner_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('team_id', 'text', (c) => c.references('teams.id'))
    // high | medium | low
    .addColumn('priority', 'text', (c) => c.notNull())
    // YYYY-MM-DD
    .addColumn('due_date', 'text')
    // open | in_progress | done | wont_do
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('tracker_url', 'text')
    // Items found to be the same across postmortems share a group id (the first item's id).
    .addColumn('similar_group', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .execute();
  await db.schema.createIndex('action_items_postmortem_idx').on('action_items').column('postmortem_id').execute();
  await db.schema.createIndex('action_items_status_idx').on('action_items').columns(['status', 'due_date']).execute();
  await db.schema.createIndex('action_items_owner_idx').on('action_items').column('owner_user_id').execute();
  await db.schema.createIndex('action_items_group_idx').on('action_items').column('similar_group').execute();

  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sql`create virtual table postmortem_search using fts5(postmortem_id unindexed, title, body, tokenize = 'porter unicode61 remove_diacritics 2')`.execute(db);
    await sql`create trigger postmortems_search_insert after insert on postmortems begin
      insert into postmortem_search (postmortem_id, title, body) values (new.id, new.title, new.search_text);
    end`.execute(db);
    await sql`create trigger postmortems_search_update after update of title, search_text on postmortems begin
      delete from postmortem_search where postmortem_id = old.id;
      insert into postmortem_search (postmortem_id, title, body) values (new.id, new.title, new.search_text);
    end`.execute(db);
    await sql`create trigger postmortems_search_delete after delete on postmortems begin
      delete from postmortem_search where postmortem_id = old.id;
    end`.execute(db);
  } else {
    await sql`create index postmortems_search_idx on postmortems using gin (to_tsvector('english', title || ' ' || search_text))`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sql`drop trigger postmortems_search_delete`.execute(db);
    await sql`drop trigger postmortems_search_update`.execute(db);
    await sql`drop trigger postmortems_search_insert`.execute(db);
    await sql`drop table postmortem_search`.execute(db);
  }
  for (const table of ['action_items', 'postmortem_publications', 'postmortem_attachments', 'postmortem_reviewers', 'postmortem_tags', 'postmortem_services', 'postmortem_revisions', 'postmortems', 'postmortem_templates']) {
    await db.schema.dropTable(table).execute();
  }
}
