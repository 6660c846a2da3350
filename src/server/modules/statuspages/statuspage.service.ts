import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { AppError } from '../../../contracts/errors.js';
import { roleAtLeast } from '../../../core/auth/roles.js';
import type {
  StatusComponent,
  StatusIncident,
  StatusPage,
  StatusPageDetail,
  createComponentSchema,
  createIncidentSchema,
  createIncidentUpdateSchema,
  createMaintenanceSchema,
  createMaintenanceUpdateSchema,
  createStatusPageSchema,
  updateComponentSchema,
  updateIncidentSchema,
  updateMaintenanceSchema,
  updateStatusPageSchema,
} from '../../../contracts/status-pages.js';
import { maintenanceStatusAt, worstStatus, type ComponentStatus, type Impact, type IncidentStatus, type MaintenanceStatus, type StatusChange } from '../../../core/statuspages/status.js';
import type { PageSnapshot, SnapshotComponent, SnapshotIncident } from '../../../core/statuspages/snapshot.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { Database, StatusComponentsTable, StatusIncidentsTable, StatusIncidentUpdatesTable, StatusPagesTable } from '../../platform/db/schema.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { JobScheduler } from '../../platform/jobs/job-queue.js';
import type { AuditLog } from '../audit/audit.repo.js';
import type { Acting } from '../catalog/catalog.service.js';
import type { ServiceCatalog } from '../services/service.service.js';

/** The job moving a maintenance with automatic transitions along (keyed per maintenance and step). */
export const MAINTENANCE_TASK = 'statuspage-maintenance';
export interface MaintenancePayload {
  maintenanceId: string;
}
/** How many incidents and maintenances a public snapshot holds (history page, feeds, JSON). */
export const SNAPSHOT_INCIDENTS = 500;
/** Days of uptime bars. */
export const UPTIME_DAYS = 90;
const DAY_MS = 86_400_000;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());
const isoNN = (ms: number): string => new Date(Number(ms)).toISOString();
const invalid = (path: string, message: string) => new AppError('VALIDATION_FAILED', `${path}: ${message}`, { issues: [{ path, message }] });

/**
 * Something subscribers of a page hear about (ADR 0039), told to `onSubscriberEvent` listeners inside
 * the transaction that made it, so what they queue commits (or rolls back) with the change. Only public
 * things: component changes of components the public cannot see are never told; backfilled incidents
 * (written up afterwards) are not news and are not told either.
 */
export type SubscriberEvent =
  | { type: 'incident'; action: 'created' | 'updated'; pageId: string; incidentId: string; updateId: string; at: number }
  | {
      type: 'maintenance';
      /** `reminder`: only the subscriber reminder's setting changed (nothing to tell subscribers). */
      action: 'scheduled' | 'updated' | 'started' | 'completed' | 'reminder';
      pageId: string;
      incidentId: string;
      updateId: string | null;
      at: number;
      /** Minutes before the start subscribers are reminded, as set by this change (null: none); absent: unchanged. */
      remindMinutesBefore?: number | null;
    }
  | {
      type: 'component';
      pageId: string;
      componentId: string;
      oldStatus: ComponentStatus;
      newStatus: ComponentStatus;
      /** The incident or maintenance whose update made the change; null: changed on its own. */
      incidentId: string | null;
      at: number;
    };
export type SubscriberListener = (tx: Tx, event: SubscriberEvent) => Promise<void>;

interface Affected {
  componentId: string;
  name: string;
  oldStatus: ComponentStatus;
  newStatus: ComponentStatus;
}

/**
 * Status pages (issue 7, ADR 0036): pages, components and groups, public incidents and scheduled
 * maintenances, each change audited and bumping the page's `version` in the same transaction. After
 * the commit the public cache of this node re-renders the page (`onPublicChange`); other nodes notice
 * the version within a second. Changes have `…In(tx, …)` variants that run in the caller's
 * transaction (config apply makes all its changes in one, so a failure rolls back all of them); the
 * re-render and subscriber events then follow that transaction's commit, or never happen.
 *
 * Public incidents live in their own tables, written only here: an internal incident, its notes and
 * timeline cannot reach a public page, whatever a later query joins.
 */
export class StatusPageService {
  private readonly listeners: ((pageId: string) => void)[] = [];
  private readonly subscriberListeners: SubscriberListener[] = [];

  constructor(
    private readonly deps: {
      database: FirebreakDatabase;
      clock: Clock;
      ids: IdGenerator;
      audit: AuditLog;
      jobs: JobScheduler;
      services: ServiceCatalog;
      publicUrl: string;
    },
  ) {}

  private get db(): Kysely<Database> {
    return this.deps.database.db;
  }

  /** Called after each committed change of a page, with its id (the public cache re-renders it). */
  onPublicChange(listener: (pageId: string) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Called inside the writing transaction for each public incident, update, maintenance step and
   * public component status change (the subscribers module queues its deliveries here: durable before
   * the change is acknowledged).
   */
  onSubscriberEvent(listener: SubscriberListener): void {
    this.subscriberListeners.push(listener);
  }

  // ---- pages ----------------------------------------------------------------------------------

  /** A person's email address, for a private page's email-domain access list; null: no such person. */
  async emailOf(userId: string): Promise<string | null> {
    const row = await this.db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirst();
    return row?.email ?? null;
  }

  async list(): Promise<{ items: StatusPage[] }> {
    return this.listIn(this.db);
  }

  /** {@link list} on the caller's connection (config reads pages in its snapshot or apply transaction). */
  async listIn(db: Kysely<Database>): Promise<{ items: StatusPage[] }> {
    const rows = await db.selectFrom('status_pages').selectAll().orderBy('name').execute();
    return { items: rows.map((r) => this.toPage(r)) };
  }

  async get(ref: string): Promise<StatusPageDetail> {
    return this.getIn(this.db, ref);
  }

  /** {@link get} on the caller's connection. */
  async getIn(db: Kysely<Database>, ref: string): Promise<StatusPageDetail> {
    const page = await this.requirePageIn(db, ref);
    const components = await db.selectFrom('status_components').selectAll().where('page_id', '=', page.id).orderBy('position').orderBy('name').execute();
    return { ...this.toPage(page), components: components.map(toComponent) };
  }

  async create(acting: Acting, input: z.output<typeof createStatusPageSchema>): Promise<StatusPage> {
    return this.deps.database.transaction(async (tx) => this.createIn(tx, acting, input));
  }

  /** {@link create} inside the caller's transaction (config apply makes all its changes in one). */
  async createIn(tx: Tx, acting: Acting, input: z.output<typeof createStatusPageSchema>): Promise<StatusPage> {
    const db = tx.db;
    await this.assertFree(db, input.slug, input.customDomain, null);
    const now = this.deps.clock.now();
    const row: StatusPagesTable = {
      id: this.deps.ids(),
      slug: input.slug,
      name: input.name,
      visibility: input.visibility,
      time_zone: input.timeZone,
      brand_color: input.brandColor,
      logo_url: input.logoUrl,
      custom_domain: input.customDomain,
      footer_links_json: JSON.stringify(input.footerLinks),
      allowed_email_domains_json: JSON.stringify(input.allowedEmailDomains),
      version: 1,
      created_at: now,
      updated_at: now,
    };
    await db.insertInto('status_pages').values(row).execute();
    const page = this.toPage(row);
    await this.deps.audit.record(db, acting.actor, { action: 'status-page.create', targetType: 'status_page', targetId: row.id, after: page });
    this.changed(tx, row.id);
    return page;
  }

  async update(acting: Acting, ref: string, input: z.output<typeof updateStatusPageSchema>): Promise<StatusPage> {
    return this.deps.database.transaction(async (tx) => this.updateIn(tx, acting, ref, input));
  }

  /** {@link update} inside the caller's transaction. */
  async updateIn(tx: Tx, acting: Acting, ref: string, input: z.output<typeof updateStatusPageSchema>): Promise<StatusPage> {
    const db = tx.db;
    const before = await this.requirePageIn(db, ref);
    await this.assertFree(db, input.slug ?? null, input.customDomain ?? null, before.id);
    const patch: Partial<StatusPagesTable> = {};
    if (input.slug !== undefined) patch.slug = input.slug;
    if (input.name !== undefined) patch.name = input.name;
    if (input.visibility !== undefined) patch.visibility = input.visibility;
    if (input.timeZone !== undefined) patch.time_zone = input.timeZone;
    if (input.brandColor !== undefined) patch.brand_color = input.brandColor;
    if (input.logoUrl !== undefined) patch.logo_url = input.logoUrl;
    if (input.customDomain !== undefined) patch.custom_domain = input.customDomain;
    if (input.footerLinks !== undefined) patch.footer_links_json = JSON.stringify(input.footerLinks);
    if (input.allowedEmailDomains !== undefined) patch.allowed_email_domains_json = JSON.stringify(input.allowedEmailDomains);
    if (Object.keys(patch).length > 0) await db.updateTable('status_pages').set(patch).where('id', '=', before.id).execute();
    await this.touch(tx, before.id);
    const after = await this.requirePageIn(db, before.id);
    await this.deps.audit.record(db, acting.actor, { action: 'status-page.update', targetType: 'status_page', targetId: before.id, before: this.toPage(before), after: this.toPage(after) });
    return this.toPage(after);
  }

  async remove(acting: Acting, ref: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => this.removeIn(tx, acting, ref));
  }

  /** {@link remove} inside the caller's transaction. */
  async removeIn(tx: Tx, acting: Acting, ref: string): Promise<void> {
    const db = tx.db;
    const page = await this.requirePageIn(db, ref);
    const incidents = db.selectFrom('status_incidents').select('id').where('page_id', '=', page.id);
    const components = db.selectFrom('status_components').select('id').where('page_id', '=', page.id);
    const maintenanceIds = (await db.selectFrom('status_incidents').select('id').where('page_id', '=', page.id).where('kind', '=', 'maintenance').execute()).map((r) => r.id);
    for (const id of maintenanceIds) await this.unscheduleTransitions(tx, id);
    await db.deleteFrom('status_incident_components').where('incident_id', 'in', incidents).execute();
    await db.deleteFrom('status_incident_updates').where('incident_id', 'in', incidents).execute();
    // A postmortem's public version outlives the public incident it was attached to (it is withdrawn).
    await db.updateTable('postmortem_publications').set({ status_page_incident_id: null }).where('status_page_incident_id', 'in', incidents).execute();
    await db.deleteFrom('status_incidents').where('page_id', '=', page.id).execute();
    const subscribers = db.selectFrom('status_subscribers').select('id').where('page_id', '=', page.id);
    await db.deleteFrom('status_subscriber_deliveries').where('subscriber_id', 'in', subscribers).execute();
    await db.deleteFrom('status_subscriber_confirmations').where('page_id', '=', page.id).execute();
    await db.deleteFrom('status_subscribers').where('page_id', '=', page.id).execute();
    await db.deleteFrom('status_subscriber_events').where('page_id', '=', page.id).execute();
    await db.deleteFrom('status_page_access_links').where('page_id', '=', page.id).execute();
    await db.deleteFrom('status_maintenance_reminders').where('page_id', '=', page.id).execute();
    await db.deleteFrom('status_component_history').where('component_id', 'in', components).execute();
    await db.updateTable('status_components').set({ group_id: null }).where('page_id', '=', page.id).execute();
    await db.deleteFrom('status_components').where('page_id', '=', page.id).execute();
    await db.deleteFrom('status_pages').where('id', '=', page.id).execute();
    await this.deps.audit.record(db, acting.actor, { action: 'status-page.delete', targetType: 'status_page', targetId: page.id, before: this.toPage(page) });
    this.changed(tx, page.id);
  }

  // ---- components -----------------------------------------------------------------------------

  async createComponent(acting: Acting, pageRef: string, input: z.output<typeof createComponentSchema>): Promise<StatusComponent> {
    return this.deps.database.transaction(async (tx) => this.createComponentIn(tx, acting, pageRef, input));
  }

  /** {@link createComponent} inside the caller's transaction. */
  async createComponentIn(tx: Tx, acting: Acting, pageRef: string, input: z.output<typeof createComponentSchema>): Promise<StatusComponent> {
    const db = tx.db;
    const page = await this.requirePageIn(db, pageRef);
    if (input.group && input.groupId !== null) throw invalid('body.groupId', 'a group cannot belong to another group (two levels only)');
    if (input.groupId !== null) await this.requireGroup(db, page.id, input.groupId, 'body.groupId');
    const serviceId = input.service === null ? null : await this.serviceId(db, input.service, 'body.service');
    const now = this.deps.clock.now();
    const last = await db.selectFrom('status_components').select((eb) => eb.fn.max('position').as('max')).where('page_id', '=', page.id).executeTakeFirst();
    const row: StatusComponentsTable = {
      id: this.deps.ids(),
      page_id: page.id,
      group_id: input.groupId,
      is_group: input.group ? 1 : 0,
      name: input.name,
      description: input.description,
      position: input.position ?? Number(last?.max ?? 0) + 1,
      status: input.group ? 'operational' : input.status,
      showcase: input.showcase ? 1 : 0,
      only_show_if_degraded: input.onlyShowIfDegraded ? 1 : 0,
      public: input.public ? 1 : 0,
      service_id: serviceId,
      start_date: input.startDate,
      created_at: now,
      updated_at: now,
    };
    await db.insertInto('status_components').values(row).execute();
    if (!input.group) await db.insertInto('status_component_history').values({ id: this.deps.ids(), component_id: row.id, status: row.status, at: now }).execute();
    const component = toComponent(row);
    await this.deps.audit.record(db, acting.actor, { action: 'status-component.create', targetType: 'status_component', targetId: row.id, after: component });
    await this.touch(tx, page.id);
    return component;
  }

  async updateComponent(acting: Acting, pageRef: string, componentId: string, input: z.output<typeof updateComponentSchema>): Promise<StatusComponent> {
    return this.deps.database.transaction(async (tx) => this.updateComponentIn(tx, acting, pageRef, componentId, input));
  }

  /** {@link updateComponent} inside the caller's transaction. */
  async updateComponentIn(tx: Tx, acting: Acting, pageRef: string, componentId: string, input: z.output<typeof updateComponentSchema>): Promise<StatusComponent> {
    const db = tx.db;
    const page = await this.requirePageIn(db, pageRef);
    const before = await this.requireComponent(db, page.id, componentId);
    // Responders change statuses during an outage; what a component is (and whether the public sees
    // it at all) is an admin's promise to customers (ADR 0036).
    const shaping = Object.keys(input).filter((k) => k !== 'status' && input[k as keyof typeof input] !== undefined);
    if (shaping.length > 0 && acting.principal !== null && !roleAtLeast(acting.principal.role, 'admin')) {
      throw new AppError('FORBIDDEN', `Changing a component's ${shaping.map((k) => `\`${k}\``).join(', ')} needs the admin role; responders change its \`status\` only`);
    }
    const patch: Partial<StatusComponentsTable> = {};
    if (input.groupId !== undefined && input.groupId !== before.group_id) {
      if (before.is_group && input.groupId !== null) throw invalid('body.groupId', 'a group cannot belong to another group (two levels only)');
      if (input.groupId !== null) await this.requireGroup(db, page.id, input.groupId, 'body.groupId');
      patch.group_id = input.groupId;
    }
    if (input.status !== undefined && before.is_group && input.status !== 'operational') throw invalid('body.status', 'a group has no status of its own: it shows its worst component');
    if (input.name !== undefined) patch.name = input.name;
    if (input.description !== undefined) patch.description = input.description;
    if (input.position !== undefined) patch.position = input.position;
    if (input.showcase !== undefined) patch.showcase = input.showcase ? 1 : 0;
    if (input.onlyShowIfDegraded !== undefined) patch.only_show_if_degraded = input.onlyShowIfDegraded ? 1 : 0;
    if (input.public !== undefined) patch.public = input.public ? 1 : 0;
    if (input.startDate !== undefined) patch.start_date = input.startDate;
    if (input.service !== undefined) patch.service_id = input.service === null ? null : await this.serviceId(db, input.service, 'body.service');
    const now = this.deps.clock.now();
    if (Object.keys(patch).length > 0) await db.updateTable('status_components').set({ ...patch, updated_at: now }).where('id', '=', before.id).execute();
    if (input.status !== undefined && !before.is_group) {
      await this.setStatus(db, before, input.status, now);
      if (before.status !== input.status) await this.tellComponentChanges(tx, page.id, null, [{ componentId: before.id, name: before.name, oldStatus: before.status as ComponentStatus, newStatus: input.status }], now);
    }
    const after = await this.requireComponent(db, page.id, before.id);
    await this.deps.audit.record(db, acting.actor, { action: 'status-component.update', targetType: 'status_component', targetId: before.id, before: toComponent(before), after: toComponent(after) });
    await this.touch(tx, page.id);
    return toComponent(after);
  }

  async removeComponent(acting: Acting, pageRef: string, componentId: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => this.removeComponentIn(tx, acting, pageRef, componentId));
  }

  /** {@link removeComponent} inside the caller's transaction. */
  async removeComponentIn(tx: Tx, acting: Acting, pageRef: string, componentId: string): Promise<void> {
    const db = tx.db;
    const page = await this.requirePageIn(db, pageRef);
    const component = await this.requireComponent(db, page.id, componentId);
    await db.updateTable('status_components').set({ group_id: null }).where('group_id', '=', component.id).execute();
    await db.deleteFrom('status_incident_components').where('component_id', '=', component.id).execute();
    await db.deleteFrom('status_component_history').where('component_id', '=', component.id).execute();
    await db.deleteFrom('status_components').where('id', '=', component.id).execute();
    await this.deps.audit.record(db, acting.actor, { action: 'status-component.delete', targetType: 'status_component', targetId: component.id, before: toComponent(component) });
    await this.touch(tx, page.id);
  }

  // ---- incidents and maintenances ---------------------------------------------------------------

  async listIncidents(pageRef: string, kind: 'incident' | 'maintenance', limit: number): Promise<{ items: StatusIncident[] }> {
    const page = await this.requirePageIn(this.db, pageRef);
    const rows = await this.db.selectFrom('status_incidents').selectAll().where('page_id', '=', page.id).where('kind', '=', kind).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return { items: await this.presentIncidents(this.db, rows) };
  }

  async getIncident(pageRef: string, kind: 'incident' | 'maintenance', id: string): Promise<StatusIncident> {
    const page = await this.requirePageIn(this.db, pageRef);
    const row = await this.requireIncident(this.db, page.id, kind, id);
    return (await this.presentIncidents(this.db, [row]))[0] as StatusIncident;
  }

  /**
   * Posts a public incident with its first update. `startedAt` in the past backfills one (an outage
   * noticed late, or written up afterwards); with `resolvedAt` it is recorded resolved. Backfilled
   * incidents do not rewrite the components' history (their current status is what they say now).
   */
  async createIncident(acting: Acting, pageRef: string, input: z.output<typeof createIncidentSchema>): Promise<StatusIncident> {
    return this.deps.database.transaction(async (tx) => this.createIncidentIn(tx, acting, pageRef, input, null));
  }

  /** {@link createIncident} inside the caller's transaction; `incidentId` links the internal incident it is about. */
  async createIncidentIn(tx: Tx, acting: Acting, pageRef: string, input: z.output<typeof createIncidentSchema>, incidentId: string | null): Promise<StatusIncident> {
    const db = tx.db;
    const page = await this.requirePageIn(db, pageRef);
    const now = this.deps.clock.now();
    const startedAt = input.startedAt === undefined ? now : Date.parse(input.startedAt);
    if (startedAt > now + 60_000) throw invalid('body.startedAt', 'is in the future; schedule a maintenance instead');
    const resolvedAt = input.resolvedAt === undefined ? null : Date.parse(input.resolvedAt);
    if (resolvedAt !== null && input.status !== 'resolved') throw invalid('body.resolvedAt', 'is only for incidents posted with status `resolved`');
    if (resolvedAt !== null && (resolvedAt < startedAt || resolvedAt > now + 60_000)) throw invalid('body.resolvedAt', 'must lie between startedAt and now');
    const backfilled = startedAt < now - 60_000;
    const row: StatusIncidentsTable = {
      id: this.deps.ids(),
      page_id: page.id,
      kind: 'incident',
      name: input.name,
      status: input.status,
      impact: input.impact,
      started_at: startedAt,
      monitoring_at: input.status === 'monitoring' ? startedAt : null,
      resolved_at: input.status === 'resolved' ? (resolvedAt ?? now) : null,
      scheduled_for: null,
      scheduled_until: null,
      auto_transition: 0,
      backfilled: backfilled ? 1 : 0,
      postmortem_url: input.postmortemUrl,
      created_at: now,
      updated_at: now,
      incident_id: incidentId,
    };
    await db.insertInto('status_incidents').values(row).execute();
    const affected = await this.applyAffected(db, page.id, row.id, input.components, !backfilled, now, 'body.components');
    const updateId = await this.insertUpdate(db, acting, row.id, input.status, input.body, affected, input.status === 'resolved' && resolvedAt !== null ? resolvedAt : startedAt, now);
    if (!backfilled) {
      await this.tell(tx, { type: 'incident', action: 'created', pageId: page.id, incidentId: row.id, updateId, at: now });
      await this.tellComponentChanges(tx, page.id, row.id, affected, now);
    }
    const incident = await this.getIncidentIn(db, page.id, 'incident', row.id);
    await this.deps.audit.record(db, acting.actor, { action: 'status-incident.create', targetType: 'status_incident', targetId: row.id, after: incidentId ? { ...incident, incidentId } : incident });
    await this.touch(tx, page.id);
    return incident;
  }

  async updateIncident(acting: Acting, pageRef: string, id: string, input: z.output<typeof updateIncidentSchema>): Promise<StatusIncident> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const page = await this.requirePageIn(db, pageRef);
      const before = await this.requireIncident(db, page.id, 'incident', id);
      const patch: Partial<StatusIncidentsTable> = { updated_at: this.deps.clock.now() };
      if (input.name !== undefined) patch.name = input.name;
      if (input.impact !== undefined) patch.impact = input.impact;
      if (input.postmortemUrl !== undefined) patch.postmortem_url = input.postmortemUrl;
      await db.updateTable('status_incidents').set(patch).where('id', '=', before.id).execute();
      const after = await this.getIncidentIn(db, page.id, 'incident', before.id);
      await this.deps.audit.record(db, acting.actor, { action: 'status-incident.update', targetType: 'status_incident', targetId: before.id, before: { name: before.name, impact: before.impact, postmortemUrl: before.postmortem_url }, after: input });
      await this.touch(tx, page.id);
      return after;
    });
  }

  /** Posts an update: the new status, its text, and the affected components' new statuses. */
  async addIncidentUpdate(acting: Acting, pageRef: string, id: string, input: z.output<typeof createIncidentUpdateSchema>): Promise<StatusIncident> {
    return this.deps.database.transaction(async (tx) => this.addIncidentUpdateIn(tx, acting, pageRef, id, input));
  }

  /** {@link addIncidentUpdate} inside the caller's transaction. */
  async addIncidentUpdateIn(tx: Tx, acting: Acting, pageRef: string, id: string, input: z.output<typeof createIncidentUpdateSchema>): Promise<StatusIncident> {
    const db = tx.db;
    const page = await this.requirePageIn(db, pageRef);
    const incident = await this.requireIncident(db, page.id, 'incident', id);
    const now = this.deps.clock.now();
    const displayAt = input.displayAt === undefined ? now : Date.parse(input.displayAt);
    if (displayAt > now + 60_000) throw invalid('body.displayAt', 'is in the future');
    const affected = await this.applyAffected(db, page.id, incident.id, input.components, true, now, 'body.components');
    const updateId = await this.insertUpdate(db, acting, incident.id, input.status, input.body, affected, displayAt, now);
    await db
      .updateTable('status_incidents')
      .set({
        status: input.status,
        updated_at: now,
        monitoring_at: input.status === 'monitoring' ? (incident.monitoring_at ?? displayAt) : incident.monitoring_at,
        resolved_at: input.status === 'resolved' ? displayAt : null,
      })
      .where('id', '=', incident.id)
      .execute();
    await this.tell(tx, { type: 'incident', action: 'updated', pageId: page.id, incidentId: incident.id, updateId, at: now });
    await this.tellComponentChanges(tx, page.id, incident.id, affected, now);
    const after = await this.getIncidentIn(db, page.id, 'incident', incident.id);
    await this.deps.audit.record(db, acting.actor, { action: 'status-incident.update-posted', targetType: 'status_incident', targetId: incident.id, before: { status: incident.status }, after: { status: input.status, body: input.body, components: input.components } });
    await this.touch(tx, page.id);
    return after;
  }

  async removeIncident(acting: Acting, pageRef: string, kind: 'incident' | 'maintenance', id: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const page = await this.requirePageIn(db, pageRef);
      const incident = await this.requireIncident(db, page.id, kind, id);
      if (kind === 'maintenance') await this.unscheduleTransitions(tx, incident.id);
      await db.deleteFrom('status_incident_components').where('incident_id', '=', incident.id).execute();
      await db.deleteFrom('status_incident_updates').where('incident_id', '=', incident.id).execute();
      await db.updateTable('postmortem_publications').set({ status_page_incident_id: null }).where('status_page_incident_id', '=', incident.id).execute();
      await db.deleteFrom('status_incidents').where('id', '=', incident.id).execute();
      await this.deps.audit.record(db, acting.actor, { action: `status-${kind}.delete`, targetType: 'status_incident', targetId: incident.id, before: { name: incident.name, status: incident.status } });
      await this.touch(tx, page.id);
    });
  }

  /**
   * Schedules a maintenance. With `autoTransition`, two keyed jobs move it to in progress at
   * `scheduledFor` and to completed at `scheduledUntil` (durable: a restart in between loses neither;
   * rescheduling replaces them by key).
   */
  async createMaintenance(acting: Acting, pageRef: string, input: z.output<typeof createMaintenanceSchema>): Promise<StatusIncident> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const page = await this.requirePageIn(db, pageRef);
      const now = this.deps.clock.now();
      const scheduledFor = Date.parse(input.scheduledFor);
      const scheduledUntil = Date.parse(input.scheduledUntil);
      if (scheduledUntil <= scheduledFor) throw invalid('body.scheduledUntil', 'must be after scheduledFor');
      const row: StatusIncidentsTable = {
        id: this.deps.ids(),
        page_id: page.id,
        kind: 'maintenance',
        name: input.name,
        status: 'scheduled',
        impact: 'none',
        started_at: scheduledFor,
        monitoring_at: null,
        resolved_at: null,
        scheduled_for: scheduledFor,
        scheduled_until: scheduledUntil,
        auto_transition: input.autoTransition ? 1 : 0,
        backfilled: 0,
        postmortem_url: null,
        created_at: now,
        updated_at: now,
        incident_id: null,
      };
      await db.insertInto('status_incidents').values(row).execute();
      for (const componentId of new Set(input.components)) {
        await this.requireLeaf(db, page.id, componentId, 'body.components');
        await db.insertInto('status_incident_components').values({ incident_id: row.id, component_id: componentId }).execute();
      }
      const updateId = await this.insertUpdate(db, acting, row.id, 'scheduled', input.body, [], now, now);
      if (input.autoTransition) await this.scheduleTransitions(tx, row);
      await this.tell(tx, { type: 'maintenance', action: 'scheduled', pageId: page.id, incidentId: row.id, updateId, at: now, remindMinutesBefore: input.remindSubscribersMinutesBefore ?? null });
      const maintenance = await this.getIncidentIn(db, page.id, 'maintenance', row.id);
      await this.deps.audit.record(db, acting.actor, { action: 'status-maintenance.create', targetType: 'status_incident', targetId: row.id, after: maintenance });
      await this.touch(tx, page.id);
      return maintenance;
    });
  }

  async updateMaintenance(acting: Acting, pageRef: string, id: string, input: z.output<typeof updateMaintenanceSchema>): Promise<StatusIncident> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const page = await this.requirePageIn(db, pageRef);
      const before = await this.requireIncident(db, page.id, 'maintenance', id);
      const scheduledFor = input.scheduledFor === undefined ? Number(before.scheduled_for) : Date.parse(input.scheduledFor);
      const scheduledUntil = input.scheduledUntil === undefined ? Number(before.scheduled_until) : Date.parse(input.scheduledUntil);
      if (scheduledUntil <= scheduledFor) throw invalid('body.scheduledUntil', 'must be after scheduledFor');
      const patch: Partial<StatusIncidentsTable> = { updated_at: this.deps.clock.now(), scheduled_for: scheduledFor, scheduled_until: scheduledUntil, started_at: scheduledFor };
      if (input.name !== undefined) patch.name = input.name;
      if (input.autoTransition !== undefined) patch.auto_transition = input.autoTransition ? 1 : 0;
      await db.updateTable('status_incidents').set(patch).where('id', '=', before.id).execute();
      const row = { ...before, ...patch } as StatusIncidentsTable;
      if (row.auto_transition && row.status !== 'completed') await this.scheduleTransitions(tx, row);
      else await this.unscheduleTransitions(tx, row.id);
      // Told only when what subscribers were told changed: its name or its times.
      if (row.name !== before.name || Number(row.scheduled_for) !== Number(before.scheduled_for) || Number(row.scheduled_until) !== Number(before.scheduled_until)) {
        await this.tell(tx, { type: 'maintenance', action: 'updated', pageId: page.id, incidentId: row.id, updateId: null, at: Number(patch.updated_at), ...(input.remindSubscribersMinutesBefore !== undefined ? { remindMinutesBefore: input.remindSubscribersMinutesBefore } : {}) });
      } else if (input.remindSubscribersMinutesBefore !== undefined) {
        await this.tell(tx, { type: 'maintenance', action: 'reminder', pageId: page.id, incidentId: row.id, updateId: null, at: Number(patch.updated_at), remindMinutesBefore: input.remindSubscribersMinutesBefore });
      }
      const after = await this.getIncidentIn(db, page.id, 'maintenance', before.id);
      await this.deps.audit.record(db, acting.actor, { action: 'status-maintenance.update', targetType: 'status_incident', targetId: before.id, before: { name: before.name, scheduledFor: iso(before.scheduled_for), scheduledUntil: iso(before.scheduled_until), autoTransition: before.auto_transition === 1 }, after: input });
      await this.touch(tx, page.id);
      return after;
    });
  }

  async addMaintenanceUpdate(acting: Acting, pageRef: string, id: string, input: z.output<typeof createMaintenanceUpdateSchema>): Promise<StatusIncident> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const page = await this.requirePageIn(db, pageRef);
      const row = await this.requireIncident(db, page.id, 'maintenance', id);
      await this.moveMaintenance(tx, acting, row, input.status as MaintenanceStatus, input.body);
      if (input.status === 'completed') await this.unscheduleTransitions(tx, row.id);
      const after = await this.getIncidentIn(db, page.id, 'maintenance', row.id);
      await this.deps.audit.record(db, acting.actor, { action: 'status-maintenance.update-posted', targetType: 'status_incident', targetId: row.id, before: { status: row.status }, after: { status: input.status, body: input.body } });
      return after;
    });
  }

  /**
   * The job: moves a maintenance with automatic transitions to where its times say it should be.
   * Idempotent (at-least-once jobs): a second run finds nothing to move.
   */
  async runMaintenanceTransition(payload: MaintenancePayload): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const row = await tx.db.selectFrom('status_incidents').selectAll().where('id', '=', payload.maintenanceId).where('kind', '=', 'maintenance').executeTakeFirst();
      if (!row || row.auto_transition !== 1 || row.scheduled_for === null || row.scheduled_until === null) return;
      const now = this.deps.clock.now();
      const due = maintenanceStatusAt(row.status as MaintenanceStatus, { scheduledFor: Number(row.scheduled_for), scheduledUntil: Number(row.scheduled_until) }, now);
      if (due === row.status) return;
      const body = due === 'in_progress' ? 'Scheduled maintenance is currently in progress.' : 'The scheduled maintenance has been completed.';
      await this.moveMaintenance(tx, { actor: { type: 'system', id: null, label: 'status page scheduler', ip: null, requestId: null }, principal: null }, row, due, body);
    });
  }

  // ---- public snapshot ------------------------------------------------------------------------

  /** Every page's slug, domain and version: what each node's public cache compares (ADR 0036). */
  async directory(): Promise<{ id: string; slug: string; customDomain: string | null; visibility: string; version: number }[]> {
    const rows = await this.db.selectFrom('status_pages').select(['id', 'slug', 'custom_domain', 'visibility', 'version']).execute();
    return rows.map((r) => ({ id: r.id, slug: r.slug, customDomain: r.custom_domain, visibility: r.visibility, version: Number(r.version) }));
  }

  /**
   * What the public sees of a page, with each public leaf component's status history for the uptime
   * bars. Only rows of the status-page tables, and only public components: an update naming a
   * component that is not public keeps the change but not the name.
   */
  async snapshot(pageId: string): Promise<{ snapshot: PageSnapshot; history: Map<string, StatusChange[]>; version: number; visibility: string; allowedEmailDomains: string[] } | null> {
    return this.deps.database.readSnapshot(async (db) => {
      const page = await db.selectFrom('status_pages').selectAll().where('id', '=', pageId).executeTakeFirst();
      if (!page) return null;
      const rows = await db.selectFrom('status_components').selectAll().where('page_id', '=', page.id).orderBy('position').orderBy('name').orderBy('id').execute();
      const groupPublic = new Map(rows.filter((r) => r.is_group).map((r) => [r.id, r.public === 1]));
      const visible = rows.filter((r) => r.public === 1 && (r.group_id === null || groupPublic.get(r.group_id) === true));
      const visibleIds = new Set(visible.map((r) => r.id));
      const members = (id: string) => visible.filter((r) => r.group_id === id && !r.is_group);
      const components: SnapshotComponent[] = [];
      for (const r of visible) {
        const group = r.is_group === 1;
        const memberIds = group ? members(r.id).map((m) => m.id) : [];
        components.push({
          id: r.id,
          name: r.name,
          description: r.description,
          status: (group ? worstStatus(members(r.id).map((m) => m.status as ComponentStatus)) : r.status) as ComponentStatus,
          position: Number(r.position),
          groupId: r.group_id,
          group,
          showcase: r.showcase === 1,
          onlyShowIfDegraded: r.only_show_if_degraded === 1,
          startDate: r.start_date,
          createdAt: Number(r.created_at),
          updatedAt: Number(r.updated_at),
          components: memberIds,
        });
      }
      const open = await db.selectFrom('status_incidents').selectAll().where('page_id', '=', page.id).where('status', 'not in', ['resolved', 'completed']).execute();
      const recent = await db.selectFrom('status_incidents').selectAll().where('page_id', '=', page.id).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(SNAPSHOT_INCIDENTS).execute();
      const all = new Map([...recent, ...open].map((r) => [r.id, r]));
      const incidentRows = [...all.values()].sort((a, b) => Number(b.started_at) - Number(a.started_at) || (a.id < b.id ? 1 : -1));
      const presented = await this.presentIncidents(db, incidentRows);
      const incidents: SnapshotIncident[] = presented.map((i) => ({
        id: i.id,
        kind: i.kind,
        name: i.name,
        status: i.status as IncidentStatus,
        impact: i.impact,
        createdAt: Date.parse(i.createdAt),
        updatedAt: Date.parse(i.updatedAt),
        startedAt: Date.parse(i.startedAt),
        monitoringAt: i.monitoringAt === null ? null : Date.parse(i.monitoringAt),
        resolvedAt: i.resolvedAt === null ? null : Date.parse(i.resolvedAt),
        scheduledFor: i.scheduledFor === null ? null : Date.parse(i.scheduledFor),
        scheduledUntil: i.scheduledUntil === null ? null : Date.parse(i.scheduledUntil),
        postmortemUrl: i.postmortemUrl,
        componentIds: i.componentIds.filter((id) => visibleIds.has(id)),
        updates: i.updates.map((u) => ({
          id: u.id,
          status: u.status as IncidentStatus,
          body: u.body,
          createdAt: Date.parse(u.createdAt),
          updatedAt: Date.parse(u.createdAt),
          displayAt: Date.parse(u.displayAt),
          affectedComponents: u.affectedComponents.filter((a) => visibleIds.has(a.componentId)).map((a) => ({ code: a.componentId, name: a.name, oldStatus: a.oldStatus, newStatus: a.newStatus })),
        })),
      }));
      const since = this.deps.clock.now() - (UPTIME_DAYS + 2) * DAY_MS;
      const leafIds = components.filter((c) => !c.group).map((c) => c.id);
      const history = new Map<string, StatusChange[]>(leafIds.map((id) => [id, []]));
      if (leafIds.length > 0) {
        const inWindow = await db.selectFrom('status_component_history').select(['component_id', 'status', 'at']).where('component_id', 'in', leafIds).where('at', '>=', since).orderBy('at').execute();
        for (const id of leafIds) {
          const before = await db.selectFrom('status_component_history').select(['status', 'at']).where('component_id', '=', id).where('at', '<', since).orderBy('at', 'desc').limit(1).executeTakeFirst();
          if (before) history.get(id)?.push({ at: since, status: before.status as ComponentStatus });
        }
        for (const h of inWindow) history.get(h.component_id)?.push({ at: Number(h.at), status: h.status as ComponentStatus });
      }
      const links = JSON.parse(page.footer_links_json) as { label: string; url: string }[];
      const snapshot: PageSnapshot = {
        page: { id: page.id, slug: page.slug, name: page.name, url: this.publicUrlOf(page), timeZone: page.time_zone, brandColor: page.brand_color, logoUrl: page.logo_url, footerLinks: links, updatedAt: Number(page.updated_at) },
        components,
        incidents,
      };
      return { snapshot, history, version: Number(page.version), visibility: page.visibility, allowedEmailDomains: JSON.parse(page.allowed_email_domains_json) as string[] };
    });
  }

  // ---- helpers --------------------------------------------------------------------------------

  private publicUrlOf(page: Pick<StatusPagesTable, 'slug' | 'custom_domain'>): string {
    if (page.custom_domain) return `https://${page.custom_domain}`;
    return `${this.deps.publicUrl.replace(/\/$/, '')}/status/${page.slug}`;
  }

  private toPage(r: StatusPagesTable): StatusPage {
    return {
      id: r.id,
      slug: r.slug,
      name: r.name,
      visibility: r.visibility as 'public' | 'private',
      timeZone: r.time_zone,
      brandColor: r.brand_color,
      logoUrl: r.logo_url,
      customDomain: r.custom_domain,
      footerLinks: JSON.parse(r.footer_links_json) as { label: string; url: string }[],
      allowedEmailDomains: JSON.parse(r.allowed_email_domains_json) as string[],
      publicUrl: this.publicUrlOf(r),
      version: Number(r.version),
      createdAt: isoNN(r.created_at),
      updatedAt: isoNN(r.updated_at),
    };
  }

  /** Bumps the page's version in this transaction; after the commit this node's cache re-renders. */
  private async touch(tx: Tx, pageId: string): Promise<void> {
    await tx.db.updateTable('status_pages').set((eb) => ({ version: eb('version', '+', 1), updated_at: this.deps.clock.now() })).where('id', '=', pageId).execute();
    this.changed(tx, pageId);
  }

  private changed(tx: Tx, pageId: string): void {
    tx.afterCommit(() => {
      for (const listener of this.listeners) listener(pageId);
    });
  }

  private async assertFree(db: Kysely<Database>, slug: string | null, domain: string | null, except: string | null): Promise<void> {
    if (slug !== null) {
      const taken = await db.selectFrom('status_pages').select('id').where('slug', '=', slug).executeTakeFirst();
      if (taken && taken.id !== except) throw new AppError('CONFLICT', `A status page with slug \`${slug}\` already exists`, { issues: [{ path: 'body.slug', message: 'is taken' }] });
    }
    if (domain !== null) {
      const taken = await db.selectFrom('status_pages').select('id').where('custom_domain', '=', domain).executeTakeFirst();
      if (taken && taken.id !== except) throw new AppError('CONFLICT', `Another status page already uses the custom domain \`${domain}\``, { issues: [{ path: 'body.customDomain', message: 'is taken' }] });
    }
  }

  /** A page by id or slug (the subscribers' service looks pages up through this too). */
  async findPageIn(db: Kysely<Database>, ref: string): Promise<StatusPagesTable | undefined> {
    return db.selectFrom('status_pages').selectAll().where((eb) => eb.or([eb('id', '=', ref), eb('slug', '=', ref)])).executeTakeFirst();
  }

  /** {@link findPageIn}, or NOT_FOUND naming the page asked for. */
  async requirePageIn(db: Kysely<Database>, ref: string): Promise<StatusPagesTable> {
    const row = await this.findPageIn(db, ref);
    if (!row) throw new AppError('NOT_FOUND', `Status page \`${ref}\` does not exist`);
    return row;
  }

  private async requireComponent(db: Kysely<Database>, pageId: string, id: string): Promise<StatusComponentsTable> {
    const row = await db.selectFrom('status_components').selectAll().where('page_id', '=', pageId).where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `Component \`${id}\` does not exist on this status page`);
    return row;
  }

  private async requireGroup(db: Kysely<Database>, pageId: string, id: string, path: string): Promise<StatusComponentsTable> {
    const row = await db.selectFrom('status_components').selectAll().where('page_id', '=', pageId).where('id', '=', id).executeTakeFirst();
    if (!row || row.is_group !== 1) throw invalid(path, `no component group \`${id}\` on this status page`);
    return row;
  }

  private async requireLeaf(db: Kysely<Database>, pageId: string, id: string, path: string): Promise<StatusComponentsTable> {
    const row = await db.selectFrom('status_components').selectAll().where('page_id', '=', pageId).where('id', '=', id).executeTakeFirst();
    if (!row) throw invalid(path, `no component \`${id}\` on this status page`);
    if (row.is_group === 1) throw invalid(path, `\`${row.name}\` is a group; name its components`);
    return row;
  }

  private async requireIncident(db: Kysely<Database>, pageId: string, kind: 'incident' | 'maintenance', id: string): Promise<StatusIncidentsTable> {
    const row = await db.selectFrom('status_incidents').selectAll().where('page_id', '=', pageId).where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', `${kind === 'incident' ? 'Incident' : 'Maintenance'} \`${id}\` does not exist on this status page`);
    return row;
  }

  private async serviceId(db: Kysely<Database>, ref: string, path: string): Promise<string> {
    const service = await this.deps.services.find(db, ref);
    if (!service) throw invalid(path, `no service \`${ref}\``);
    return service.id;
  }

  /** Sets a leaf component's status and, when it changed, starts a history period. */
  private async setStatus(db: Kysely<Database>, component: StatusComponentsTable, status: ComponentStatus, now: number): Promise<void> {
    if (component.status === status) return;
    await db.updateTable('status_components').set({ status, updated_at: now }).where('id', '=', component.id).execute();
    await db.insertInto('status_component_history').values({ id: this.deps.ids(), component_id: component.id, status, at: now }).execute();
  }

  private async applyAffected(db: Kysely<Database>, pageId: string, incidentId: string, items: readonly { component: string; status: ComponentStatus }[], apply: boolean, now: number, path: string): Promise<Affected[]> {
    const out: Affected[] = [];
    const seen = new Set<string>();
    for (const [i, item] of items.entries()) {
      if (seen.has(item.component)) throw invalid(`${path}.${i}.component`, `\`${item.component}\` is listed twice`);
      seen.add(item.component);
      const component = await this.requireLeaf(db, pageId, item.component, `${path}.${i}.component`);
      out.push({ componentId: component.id, name: component.name, oldStatus: component.status as ComponentStatus, newStatus: item.status });
      if (apply) await this.setStatus(db, component, item.status, now);
      await db.insertInto('status_incident_components').values({ incident_id: incidentId, component_id: component.id }).onConflict((oc) => oc.doNothing()).execute();
    }
    return out;
  }

  private async insertUpdate(db: Kysely<Database>, acting: Acting, incidentId: string, status: string, body: string, affected: readonly Affected[], displayAt: number, now: number): Promise<string> {
    const row: StatusIncidentUpdatesTable = { id: this.deps.ids(), incident_id: incidentId, status, body, affected_json: JSON.stringify(affected), display_at: displayAt, created_by: acting.actor.label, created_at: now, updated_at: now };
    await db.insertInto('status_incident_updates').values(row).execute();
    return row.id;
  }

  /** Tells the subscriber listeners, in this transaction. */
  private async tell(tx: Tx, event: SubscriberEvent): Promise<void> {
    for (const listener of this.subscriberListeners) await listener(tx, event);
  }

  /**
   * Tells each status change of a component the public sees (public, and in a public group or none),
   * as the snapshot decides; changes of other components are bookkeeping and never leave.
   */
  private async tellComponentChanges(tx: Tx, pageId: string, incidentId: string | null, changes: readonly Affected[], now: number): Promise<void> {
    const moved = changes.filter((c) => c.oldStatus !== c.newStatus);
    if (moved.length === 0 || this.subscriberListeners.length === 0) return;
    const rows = await tx.db.selectFrom('status_components').select(['id', 'group_id', 'public']).where('page_id', '=', pageId).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const visible = (id: string) => {
      const row = byId.get(id);
      if (!row || row.public !== 1) return false;
      return row.group_id === null || byId.get(row.group_id)?.public === 1;
    };
    for (const change of moved) {
      if (!visible(change.componentId)) continue;
      await this.tell(tx, { type: 'component', pageId, componentId: change.componentId, oldStatus: change.oldStatus, newStatus: change.newStatus, incidentId, at: now });
    }
  }

  /** Moves a maintenance (by hand or by its job), its components to under maintenance and back. */
  private async moveMaintenance(tx: Tx, acting: Acting, row: StatusIncidentsTable, status: MaintenanceStatus, body: string): Promise<void> {
    const db = tx.db;
    const now = this.deps.clock.now();
    const componentIds = (await db.selectFrom('status_incident_components').select('component_id').where('incident_id', '=', row.id).execute()).map((r) => r.component_id);
    const components = componentIds.length === 0 ? [] : await db.selectFrom('status_components').selectAll().where('id', 'in', componentIds).execute();
    const affected: Affected[] = [];
    for (const c of components) {
      const next: ComponentStatus | null = status === 'in_progress' && c.status === 'operational' ? 'under_maintenance' : status === 'completed' && c.status === 'under_maintenance' ? 'operational' : null;
      if (next === null) continue;
      affected.push({ componentId: c.id, name: c.name, oldStatus: c.status as ComponentStatus, newStatus: next });
      await this.setStatus(db, c, next, now);
    }
    const updateId = await this.insertUpdate(db, acting, row.id, status, body, affected, now, now);
    const action = status === 'in_progress' ? 'started' : status === 'completed' ? 'completed' : status === 'scheduled' ? 'scheduled' : 'updated';
    await this.tell(tx, { type: 'maintenance', action, pageId: row.page_id, incidentId: row.id, updateId, at: now });
    await this.tellComponentChanges(tx, row.page_id, row.id, affected, now);
    await db
      .updateTable('status_incidents')
      .set({ status, updated_at: now, resolved_at: status === 'completed' ? now : null, monitoring_at: status === 'verifying' ? now : row.monitoring_at })
      .where('id', '=', row.id)
      .execute();
    await this.touch(tx, row.page_id);
  }

  private async scheduleTransitions(tx: Tx, row: StatusIncidentsTable): Promise<void> {
    await this.deps.jobs.addJob<MaintenancePayload>(tx, { task: MAINTENANCE_TASK, key: `${MAINTENANCE_TASK}:${row.id}:start`, payload: { maintenanceId: row.id }, runAt: Number(row.scheduled_for) });
    await this.deps.jobs.addJob<MaintenancePayload>(tx, { task: MAINTENANCE_TASK, key: `${MAINTENANCE_TASK}:${row.id}:end`, payload: { maintenanceId: row.id }, runAt: Number(row.scheduled_until) });
  }

  private async unscheduleTransitions(tx: Tx, id: string): Promise<void> {
    await this.deps.jobs.removeJob(tx, `${MAINTENANCE_TASK}:${id}:start`);
    await this.deps.jobs.removeJob(tx, `${MAINTENANCE_TASK}:${id}:end`);
  }

  private async getIncidentIn(db: Kysely<Database>, pageId: string, kind: 'incident' | 'maintenance', id: string): Promise<StatusIncident> {
    const row = await this.requireIncident(db, pageId, kind, id);
    return (await this.presentIncidents(db, [row]))[0] as StatusIncident;
  }

  private async presentIncidents(db: Kysely<Database>, rows: readonly StatusIncidentsTable[]): Promise<StatusIncident[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const updates: StatusIncidentUpdatesTable[] = [];
    const links: { incident_id: string; component_id: string }[] = [];
    const reminders = new Map<string, number>();
    // Chunks keep the IN lists within SQLite's parameter limit.
    for (let i = 0; i < ids.length; i += 400) {
      const chunk = ids.slice(i, i + 400);
      updates.push(...(await db.selectFrom('status_incident_updates').selectAll().where('incident_id', 'in', chunk).orderBy('display_at', 'desc').orderBy('created_at', 'desc').orderBy('id', 'desc').execute()));
      links.push(...(await db.selectFrom('status_incident_components').selectAll().where('incident_id', 'in', chunk).execute()));
      const maintenances = rows.filter((r) => r.kind === 'maintenance' && chunk.includes(r.id)).map((r) => r.id);
      if (maintenances.length > 0) {
        for (const m of await db.selectFrom('status_maintenance_reminders').select(['maintenance_id', 'minutes_before']).where('maintenance_id', 'in', maintenances).execute()) reminders.set(m.maintenance_id, Number(m.minutes_before));
      }
    }
    return rows.map((r) => ({
      id: r.id,
      pageId: r.page_id,
      kind: r.kind as 'incident' | 'maintenance',
      name: r.name,
      status: r.status,
      impact: r.impact as Impact,
      startedAt: isoNN(r.started_at),
      monitoringAt: iso(r.monitoring_at),
      resolvedAt: iso(r.resolved_at),
      scheduledFor: iso(r.scheduled_for),
      scheduledUntil: iso(r.scheduled_until),
      autoTransition: r.auto_transition === 1,
      backfilled: r.backfilled === 1,
      postmortemUrl: r.postmortem_url,
      remindSubscribersMinutesBefore: reminders.get(r.id) ?? null,
      componentIds: links.filter((l) => l.incident_id === r.id).map((l) => l.component_id).sort(),
      updates: updates
        .filter((u) => u.incident_id === r.id)
        .map((u) => ({ id: u.id, status: u.status, body: u.body, displayAt: isoNN(u.display_at), createdAt: isoNN(u.created_at), affectedComponents: JSON.parse(u.affected_json) as Affected[] })),
      createdAt: isoNN(r.created_at),
      updatedAt: isoNN(r.updated_at),
    }));
  }
}

function toComponent(r: StatusComponentsTable): StatusComponent {
  return {
    id: r.id,
    pageId: r.page_id,
    name: r.name,
    description: r.description,
    group: r.is_group === 1,
    groupId: r.group_id,
    position: Number(r.position),
    status: r.status as ComponentStatus,
    showcase: r.showcase === 1,
    onlyShowIfDegraded: r.only_show_if_degraded === 1,
    public: r.public === 1,
    serviceId: r.service_id,
    startDate: r.start_date,
    createdAt: isoNN(r.created_at),
    updatedAt: isoNN(r.updated_at),
  };
}
