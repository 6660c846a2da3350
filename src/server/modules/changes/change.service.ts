import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Change, ChangeMark, IncidentChange, incidentChangeSchema, incidentChangesSchema, listChangeMarksQuery, markIncidentChangeSchema, recordChangeSchema, changeMarkRecordSchema } from '../../../contracts/changes.js';
import { AppError } from '../../../contracts/errors.js';
import { changeWindow, inRange, markChange, newestFirst, suspectWindow, type TimeRange } from '../../../core/incidents/changes.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { ChangesTable, Database, IncidentChangeMarksTable } from '../../platform/db/schema.js';
import type { AuditLog } from '../audit/audit.repo.js';
import type { Acting } from '../catalog/catalog.service.js';
import { changeViews, type ChangeLog } from '../alerts/changes.js';
import type { IncidentService } from '../incidents/incident.service.js';
import { reference, type IncidentRow } from '../incidents/incident.repo.js';
import type { ServiceCatalog } from '../services/service.service.js';
import { dependencyEdges } from './service-dependencies.js';

type IncidentChanges = z.infer<typeof incidentChangesSchema>;
type ChangeMarkRecord = z.infer<typeof changeMarkRecordSchema>;

/** How far ahead of the server a sender's timestamp may be (clock skew); further is a mistake, refused. */
const MAX_FUTURE_MS = 60 * 60 * 1000;
/** At most this many changes are listed on an incident (newest first), marked ones always. */
const MAX_LISTED = 500;

const iso = (ms: number): string => new Date(ms).toISOString();
const invalid = (path: string, message: string) => new AppError('VALIDATION_FAILED', `${path}: ${message}`, { issues: [{ path, message }] });

/**
 * Changes as the API records them and as incidents show them (ADR 0031): `POST /api/v1/changes` from
 * CI pipelines, the changes of an incident's impacted services and their direct dependencies with the
 * suspects flagged (the time rules live in src/core/incidents/changes.ts), and responders' marks
 * (caused, suspect, dismissed), each on the incident timeline and in the audit log, kept for the
 * postmortem and change-failure rate analytics (`marks`).
 */
export class ChangeService {
  constructor(
    private readonly deps: {
      database: FirebreakDatabase;
      clock: Clock;
      audit: AuditLog;
      services: ServiceCatalog;
      incidents: IncidentService;
      log: ChangeLog;
    },
  ) {}

  private get db(): Kysely<Database> {
    return this.deps.database.db;
  }

  /**
   * `POST /api/v1/changes`. A team-scoped token records changes only on its team's services (a
   * service without a team takes no team-scoped token), as with `POST /api/v1/alerts`.
   */
  async record(acting: Acting, input: z.output<typeof recordChangeSchema>): Promise<Change> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const service = await this.deps.services.find(db, input.service);
      if (!service) throw invalid('body.service', `no service \`${input.service}\``);
      const scope = acting.principal?.teamScope ?? null;
      if (scope !== null && scope !== service.team_id) throw new AppError('FORBIDDEN', `This API token is scoped to another team than the one owning service \`${service.handle}\``);
      const now = this.deps.clock.now();
      const timestamp = input.timestamp === undefined ? null : Date.parse(input.timestamp);
      if (timestamp !== null && timestamp > now + MAX_FUTURE_MS) throw invalid('body.timestamp', `is more than 1 hour ahead of the server’s clock (${iso(now)})`);
      const change = await this.deps.log.record(db, { serviceId: service.id, integrationId: null }, {
        summary: input.summary,
        source: input.source ?? null,
        timestamp,
        links: [],
        details: input.details ?? null,
        version: input.version ?? null,
        commit: input.commit ?? null,
        author: input.author ?? null,
        url: input.link ?? null,
        rollbackUrl: input.rollbackLink ?? null,
        recordedBy: acting.actor.label,
      });
      await this.deps.audit.record(db, acting.actor, { action: 'change.record', targetType: 'service', targetId: service.id, after: change });
      // Open incidents listing this service's changes (impacted, or depending on it) re-read them live.
      const dependents = db.selectFrom('service_dependencies').select('service_id').where('depends_on_id', '=', service.id);
      const open = await db
        .selectFrom('incidents')
        .selectAll('incidents')
        .where('status', '<>', 'resolved')
        .where('id', 'in', db.selectFrom('incident_services').select('incident_id').where((eb) => eb.or([eb('service_id', '=', service.id), eb('service_id', 'in', dependents)])))
        .execute();
      for (const incident of open) this.deps.incidents.touched(tx, incident, 'change-recorded');
      return change;
    });
  }

  /**
   * `GET /api/v1/incidents/{incident}/changes`: the changes of the impacted services and of the
   * services they directly depend on, in the incident's window, newest first, suspects flagged; plus
   * every change marked on this incident wherever and whenever it happened.
   */
  async forIncident(ref: string, query: { lookbackHours?: number | undefined } = {}): Promise<IncidentChanges> {
    const db = this.db;
    const incident = await this.deps.incidents.require(db, ref);
    const window = changeWindow(moments(incident), this.deps.clock.now(), query.lookbackHours === undefined ? undefined : query.lookbackHours * 3_600_000);
    const suspects = suspectWindow(moments(incident));
    const scope = await this.scopeOf(db, incident);
    const listed = scope.serviceIds.length === 0
      ? []
      : await db.selectFrom('changes').selectAll().where('service_id', 'in', scope.serviceIds).where('happened_at', '>=', window.from).where('happened_at', '<=', window.to).orderBy('happened_at', 'desc').orderBy('id', 'desc').limit(MAX_LISTED).execute();
    const marks = await db.selectFrom('incident_change_marks').selectAll().where('incident_id', '=', incident.id).execute();
    const missing = marks.map((m) => m.change_id).filter((id) => !listed.some((r) => r.id === id));
    const marked = missing.length === 0 ? [] : await db.selectFrom('changes').selectAll().where('id', 'in', missing).execute();
    const items = await this.present(db, scope, suspects, [...listed, ...marked], marks);
    return {
      items,
      window: { from: iso(window.from), to: iso(window.to) },
      suspectWindow: { from: iso(suspects.from), to: iso(suspects.to) },
      services: scope.handles,
    };
  }

  /**
   * `PUT /api/v1/incidents/{incident}/changes/{change}`: marks a change (or clears the mark, `mark:
   * null`). Any recorded change may be marked, also one of a service the incident does not list: the
   * catalog's dependencies are seldom complete, and the responder knows better. Resolved incidents
   * take marks too (the postmortem is written afterwards).
   */
  async mark(acting: Acting, ref: string, changeId: string, input: z.output<typeof markIncidentChangeSchema>): Promise<IncidentChange> {
    return this.deps.database.transaction(async (tx) => {
      const db = tx.db;
      const incident = await this.deps.incidents.require(db, ref);
      const change = await db.selectFrom('changes').selectAll().where('id', '=', changeId).executeTakeFirst();
      if (!change) throw new AppError('NOT_FOUND', `Change \`${changeId}\` does not exist`);
      const [view] = (await changeViews(db, [change])) as [Change];
      const current = await db.selectFrom('incident_change_marks').selectAll().where('incident_id', '=', incident.id).where('change_id', '=', change.id).executeTakeFirst();
      const previous = (current?.mark ?? null) as ChangeMark | null;
      const decision = markChange({ previous, next: input.mark, note: input.note ?? null, change: { id: change.id, summary: change.summary, serviceHandle: view.serviceHandle } }, { actor: acting.actor.label });
      const now = this.deps.clock.now();
      if (decision.changed) {
        if (input.mark === null) {
          await db.deleteFrom('incident_change_marks').where('incident_id', '=', incident.id).where('change_id', '=', change.id).execute();
        } else {
          const row: IncidentChangeMarksTable = { incident_id: incident.id, change_id: change.id, mark: input.mark, note: input.note ?? null, marked_by: acting.actor.label, marked_by_user_id: acting.principal?.userId ?? null, marked_at: now };
          // An upsert: of two responders marking at once, the later one's mark stands (both are on the timeline).
          await db
            .insertInto('incident_change_marks')
            .values(row)
            .onConflict((oc) => oc.columns(['incident_id', 'change_id']).doUpdateSet({ mark: row.mark, note: row.note, marked_by: row.marked_by, marked_by_user_id: row.marked_by_user_id, marked_at: row.marked_at }))
            .execute();
        }
        await this.deps.incidents.appendTimeline(tx, incident, [decision.entry], 'change-mark');
        await this.deps.audit.record(db, acting.actor, {
          action: 'incident.change-mark',
          targetType: 'incident',
          targetId: incident.id,
          before: { changeId: change.id, mark: previous },
          after: { changeId: change.id, mark: input.mark, note: input.note ?? null },
        });
      }
      const marks = await db.selectFrom('incident_change_marks').selectAll().where('incident_id', '=', incident.id).where('change_id', '=', change.id).execute();
      const [item] = await this.present(db, await this.scopeOf(db, incident), suspectWindow(moments(incident)), [change], marks);
      return item as IncidentChange;
    });
  }

  /**
   * `GET /api/v1/change-marks`: marks across incidents, for analytics (change-failure rate: changes
   * marked `caused` per service, over the changes recorded on it). Ordered by when the change happened.
   */
  async marks(query: z.output<typeof listChangeMarksQuery>): Promise<{ items: ChangeMarkRecord[] }> {
    const db = this.db;
    let q = db
      .selectFrom('incident_change_marks')
      .innerJoin('changes', 'changes.id', 'incident_change_marks.change_id')
      .innerJoin('incidents', 'incidents.id', 'incident_change_marks.incident_id')
      .innerJoin('services', 'services.id', 'changes.service_id')
      .select(['incident_change_marks.incident_id', 'incidents.number', 'incident_change_marks.change_id', 'changes.service_id', 'services.handle', 'changes.happened_at', 'incident_change_marks.mark', 'incident_change_marks.marked_by', 'incident_change_marks.marked_at'])
      .orderBy('changes.happened_at')
      .orderBy('incident_change_marks.change_id')
      .orderBy('incident_change_marks.incident_id')
      .limit(query.limit);
    if (query.mark) q = q.where('incident_change_marks.mark', '=', query.mark);
    if (query.service) {
      const service = await this.deps.services.find(db, query.service);
      if (!service) throw invalid('query.service', `no service \`${query.service}\``);
      q = q.where('changes.service_id', '=', service.id);
    }
    if (query.since) q = q.where('changes.happened_at', '>=', Date.parse(query.since));
    if (query.until) q = q.where('changes.happened_at', '<', Date.parse(query.until));
    const rows = await q.execute();
    return {
      items: rows.map((r) => ({
        incidentId: r.incident_id,
        incidentReference: reference(Number(r.number)),
        changeId: r.change_id,
        serviceId: r.service_id,
        serviceHandle: r.handle.split('~deleted~')[0] as string,
        changeTimestamp: iso(Number(r.happened_at)),
        mark: r.mark as ChangeMark,
        markedBy: r.marked_by,
        markedAt: iso(Number(r.marked_at)),
      })),
    };
  }

  /** The services whose changes an incident lists: the impacted ones, then their direct dependencies. */
  private async scopeOf(db: Kysely<Database>, incident: IncidentRow): Promise<Scope> {
    const impacted = (await db.selectFrom('incident_services').select('service_id').where('incident_id', '=', incident.id).execute()).map((r) => r.service_id);
    const edges = await dependencyEdges(db, impacted);
    const dependencyOf = new Map<string, string[]>();
    for (const edge of edges) if (!impacted.includes(edge.dependsOnId)) dependencyOf.set(edge.dependsOnId, [...(dependencyOf.get(edge.dependsOnId) ?? []), edge.serviceId]);
    const serviceIds = [...impacted, ...dependencyOf.keys()];
    const rows = serviceIds.length === 0 ? [] : await db.selectFrom('services').select(['id', 'handle']).where('id', 'in', serviceIds).execute();
    const handle = new Map(rows.map((r) => [r.id, r.handle.split('~deleted~')[0] as string]));
    const byHandle = (ids: readonly string[]) => ids.map((id) => handle.get(id) ?? id).sort();
    return {
      impacted: new Set(impacted),
      dependencyOf: new Map([...dependencyOf].map(([id, of]) => [id, byHandle(of)])),
      serviceIds,
      handles: [...byHandle(impacted), ...byHandle([...dependencyOf.keys()])],
    };
  }

  private async present(db: Kysely<Database>, scope: Scope, suspects: TimeRange, rows: readonly ChangesTable[], marks: readonly IncidentChangeMarksTable[]): Promise<IncidentChange[]> {
    const views = await changeViews(db, rows);
    const items = views.map((view, i): IncidentChange & { at: number } => {
      const at = Number((rows[i] as ChangesTable).happened_at);
      const mark = marks.find((m) => m.change_id === view.id);
      const relation: z.infer<typeof incidentChangeSchema>['relation'] = scope.impacted.has(view.serviceId) ? 'impacted' : scope.dependencyOf.has(view.serviceId) ? 'dependency' : 'other';
      return {
        ...view,
        at,
        suspect: inRange(at, suspects),
        relation,
        dependencyOf: relation === 'dependency' ? (scope.dependencyOf.get(view.serviceId) ?? []) : [],
        mark: mark ? { mark: mark.mark as ChangeMark, note: mark.note, markedBy: mark.marked_by, markedAt: iso(Number(mark.marked_at)) } : null,
      };
    });
    return newestFirst(items).map(({ at: _at, ...item }) => item);
  }
}

interface Scope {
  impacted: Set<string>;
  /** Dependency service id → handles of the impacted services depending on it. */
  dependencyOf: Map<string, string[]>;
  serviceIds: string[];
  handles: string[];
}

function moments(incident: IncidentRow): { detectedAt: number; resolvedAt: number | null } {
  return { detectedAt: Number(incident.detected_at), resolvedAt: incident.resolved_at === null ? null : Number(incident.resolved_at) };
}
