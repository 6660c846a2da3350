import type { AlertChange, AlertHooks } from '../alerts/alert.service.js';
import type { Tx } from '../../platform/db/database.js';
import type { IncidentRow } from './incident.repo.js';
import type { IncidentService } from './incident.service.js';

/**
 * The incident timeline hears of its linked alerts (docs/incidents.md, "Timeline"): when an alert
 * linked to an open incident is acknowledged, resolved, or triggers again, an `alert` entry goes on
 * that incident's timeline in the alert change's own transaction, and open war rooms are told. Alerts
 * opened by a responder request write their own `responder` entries and are left out here.
 */
export function linkedAlertTimeline(incidents: IncidentService): AlertHooks {
  return {
    async afterChange(tx: Tx, change: AlertChange): Promise<void> {
      // Cheap on intake's hot path: only a change of state can be news to an incident.
      const moved = change.outcome === 'acknowledged' || change.outcome === 'resolved' || (change.outcome === 'updated' && change.status === 'triggered' && change.notify);
      if (!moved) return;
      const db = tx.db;
      const linked = (await db
        .selectFrom('incident_alerts')
        .innerJoin('incidents', 'incidents.id', 'incident_alerts.incident_id')
        .selectAll('incidents')
        .where('incident_alerts.alert_id', '=', change.alertId)
        .where('incidents.status', '!=', 'resolved')
        .execute()) as IncidentRow[];
      if (linked.length === 0) return;
      const request = await db.selectFrom('incident_responder_requests').select(['id']).where('alert_id', '=', change.alertId).executeTakeFirst();
      if (request) return;
      const alert = await db.selectFrom('alerts').select(['title', 'acknowledged_by', 'resolved_by']).where('id', '=', change.alertId).executeTakeFirstOrThrow();
      const by = change.outcome === 'acknowledged' ? alert.acknowledged_by : change.outcome === 'resolved' ? alert.resolved_by : null;
      const what = change.outcome === 'acknowledged' ? 'acknowledged' : change.outcome === 'resolved' ? 'resolved' : 'triggered again';
      for (const incident of linked) {
        await incidents.appendTimeline(tx, incident, [{ kind: 'alert', action: `alert-${change.outcome === 'updated' ? 'retriggered' : change.outcome}`, actor: by, summary: `Alert #${change.number} ${what}${by ? ` by ${by}` : ''}: ${alert.title}`, data: { alertId: change.alertId, alertNumber: change.number } }], 'linked-alert');
      }
    },
  };
}
