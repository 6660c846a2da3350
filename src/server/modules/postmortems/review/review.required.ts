import { INCIDENT_COMMANDER } from '../../../../core/incidents/roles.js';
import { postmortemDueDays } from '../../../../core/incidents/postmortem-policy.js';
import { dueAt } from '../../../../core/postmortems/due.js';
import type { Clock } from '../../../platform/clock.js';
import type { Tx } from '../../../platform/db/database.js';
import type { AuditLog } from '../../audit/audit.repo.js';
import type { Acting } from '../../catalog/catalog.service.js';
import { reference as incidentReference, type IncidentRow } from '../../incidents/incident.repo.js';
import type { IncidentExtension } from '../../incidents/incident.service.js';
import type { PostmortemPolicyService } from '../../incidents/rules/postmortem-policy.service.js';
import { postmortemReference } from '../postmortem.lookup.js';
import type { PostmortemDocuments } from './review.ports.js';
import type { PostmortemReminders } from './review.reminders.js';

/**
 * Required postmortems (issue 8 "When a postmortem is required", ADR 0038): when resolving an incident
 * stores the policy's verdict "required", the incident gets a postmortem draft owned by its commander,
 * due `dueDays` after the resolution, with reminders to the owner until it is published. An incident
 * extension, registered after the policy's own: it runs in the resolving transaction and reads the
 * verdict the policy stored there, so the draft, its timer and the resolution commit together.
 * A postmortem started before the incident resolved becomes the required one (owner kept). Someone
 * asking for a postmortem after the resolution makes it required then, due `dueDays` after the request.
 */
export class RequiredPostmortems {
  constructor(
    private readonly deps: {
      clock: Clock;
      audit: AuditLog;
      policy: PostmortemPolicyService;
      documents: PostmortemDocuments;
      reminders: PostmortemReminders;
    },
  ) {
    // Asked for after the incident resolved: required from then, due `dueDays` after the request.
    deps.policy.onRequiredAfterResolution((tx, acting, incident) => this.required(tx, acting, incident.id));
  }

  readonly extension: IncidentExtension = {
    statusChanged: async (tx, acting, incident, change) => {
      if (change.to !== 'resolved' || change.from === 'resolved') return;
      await this.required(tx, acting, incident.id);
    },
  };

  private async required(tx: Tx, acting: Acting, incidentId: string): Promise<void> {
    const db = tx.db;
    // Re-read: the policy stored its verdict in this transaction, after the caller read the incident.
    const incident = (await db.selectFrom('incidents').selectAll().where('id', '=', incidentId).executeTakeFirstOrThrow()) as IncidentRow;
    if (incident.postmortem_required !== 1 || incident.resolved_at === null) return;
    const reasons = JSON.parse(incident.postmortem_reasons_json ?? '[]') as string[];
    const { policy } = await this.deps.policy.policyIn(db);
    // From the resolution, or from now when someone asks later (the clock is the transaction's now).
    const due = dueAt(Math.max(Number(incident.resolved_at), this.deps.clock.now()), postmortemDueDays(policy));
    const commander = await db.selectFrom('incident_roles').select('user_id').where('incident_id', '=', incident.id).where('role', '=', INCIDENT_COMMANDER).executeTakeFirst();
    // A postmortem started before the resolution is returned, marked required (its owner and a due
    // date someone set are kept); otherwise a draft owned by the commander.
    const row = await this.deps.documents.createDraft(tx, acting, { incidentId: incident.id, owner: commander?.user_id ?? null, required: true, reasons, dueAt: due });
    await this.deps.reminders.schedule(tx, row);
    const postmortemId = row.id;
    const finalDue = row.due_at === null ? due : Number(row.due_at);
    // No timeline entry of its own: the policy's milestone already says a postmortem is required.
    await this.deps.audit.record(db, acting.actor, { action: 'postmortem.required', targetType: 'postmortem', targetId: postmortemId, after: { reference: postmortemReference(row.number), incident: incidentReference(Number(incident.number)), reasons, dueAt: new Date(finalDue).toISOString() } });
  }
}
