import { sql, type Kysely } from 'kysely';

// The event log (`alert_events`, docs/alerts.md "The event log") is read in one way only: a service's
// latest events, for the routing rules' preview. It was indexed by alert and by integration instead,
// two indexes whose every insert lands on a page of its own (one per open alert, one per integration):
// under sustained intake each event dirtied two more index pages that every commit wrote out, the
// largest single cost of an event (ADR 0045). One index by the receiving service and id takes their
// place: ids grow with time, so a service's new entries go to the end of its range and a batch of events
// for a few services shares a few pages.
//
// `service_id` is the service the event arrived for (the integration's, or the one an API trigger
// named), before routing rules moved it anywhere. Existing rows take their integration's service, else
// their alert's; refused rows of neither keep NULL (they were never in the preview either).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('alert_events').addColumn('service_id', 'text').execute();
  await sql`
    update alert_events set service_id = coalesce(
      (select integrations.service_id from integrations where integrations.id = alert_events.integration_id),
      (select alerts.service_id from alerts where alerts.id = alert_events.alert_id))
  `.execute(db);
  await db.schema.createIndex('alert_events_service_idx').on('alert_events').columns(['service_id', 'id']).execute();
  await db.schema.dropIndex('alert_events_alert_idx').execute();
  await db.schema.dropIndex('alert_events_integration_idx').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('alert_events_alert_idx').on('alert_events').columns(['alert_id', 'id']).execute();
  await db.schema.createIndex('alert_events_integration_idx').on('alert_events').columns(['integration_id', 'id']).execute();
  await db.schema.dropIndex('alert_events_service_idx').execute();
  await db.schema.alterTable('alert_events').dropColumn('service_id').execute();
}
