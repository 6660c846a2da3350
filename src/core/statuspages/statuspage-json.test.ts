import { describe, expect, it } from 'vitest';
import type { PageSnapshot, SnapshotIncident } from './snapshot.js';
import { statuspageDocuments } from './statuspage-json.js';

const t0 = Date.parse('2026-11-21T09:00:00Z');
const incident = (over: Partial<SnapshotIncident>): SnapshotIncident => ({
  id: 'i1', kind: 'incident', name: 'API errors', status: 'investigating', impact: 'major', createdAt: t0, updatedAt: t0, startedAt: t0,
  monitoringAt: null, resolvedAt: null, scheduledFor: null, scheduledUntil: null, postmortemUrl: null, componentIds: ['c1'],
  updates: [{ id: 'u1', status: 'investigating', body: 'Looking', createdAt: t0, updatedAt: t0, displayAt: t0, affectedComponents: [{ code: 'c1', name: 'API', oldStatus: 'operational', newStatus: 'major_outage' }] }],
  ...over,
});
const snapshot: PageSnapshot = {
  page: { id: 'p1', slug: 'acme', name: 'Acme', url: 'https://status.acme.example', timeZone: 'Europe/Lisbon', brandColor: '#000000', logoUrl: null, footerLinks: [], updatedAt: t0 },
  components: [
    { id: 'g1', name: 'Platform', description: null, status: 'major_outage', position: 1, groupId: null, group: true, showcase: false, onlyShowIfDegraded: false, startDate: null, createdAt: t0, updatedAt: t0, components: ['c1'] },
    { id: 'c1', name: 'API', description: 'REST', status: 'major_outage', position: 2, groupId: 'g1', group: false, showcase: true, onlyShowIfDegraded: false, startDate: '2026-01-01', createdAt: t0, updatedAt: t0, components: [] },
  ],
  incidents: [
    incident({}),
    incident({ id: 'm1', kind: 'maintenance', name: 'Upgrade', status: 'scheduled', impact: 'none', scheduledFor: t0 + 3_600_000, scheduledUntil: t0 + 7_200_000, updates: [] }),
  ],
};

describe('Statuspage v2 documents', () => {
  const docs = statuspageDocuments(snapshot, t0) as Record<string, Record<string, unknown>>;

  it('shapes summary.json field for field', () => {
    expect(Object.keys(docs['summary.json'] ?? {})).toEqual(['page', 'components', 'incidents', 'scheduled_maintenances', 'status']);
    expect(docs['summary.json']?.page).toEqual({ id: 'p1', name: 'Acme', url: 'https://status.acme.example', time_zone: 'Europe/Lisbon', updated_at: '2026-11-21T09:00:00.000Z' });
    expect(docs['summary.json']?.status).toEqual({ indicator: 'critical', description: 'Major System Outage' });
    const [group, api] = docs['components.json']?.components as Record<string, unknown>[];
    expect(group).toEqual({ id: 'g1', name: 'Platform', status: 'major_outage', created_at: '2026-11-21T09:00:00.000Z', updated_at: '2026-11-21T09:00:00.000Z', position: 1, description: null, showcase: false, start_date: null, group_id: null, page_id: 'p1', group: true, only_show_if_degraded: false, components: ['c1'] });
    expect(Object.keys(api ?? {})).toEqual(['id', 'name', 'status', 'created_at', 'updated_at', 'position', 'description', 'showcase', 'start_date', 'group_id', 'page_id', 'group', 'only_show_if_degraded']);
  });

  it('shapes incidents with their updates and affected components', () => {
    const [i] = docs['incidents.json']?.incidents as Record<string, unknown>[];
    expect(Object.keys(i ?? {})).toEqual(['id', 'name', 'status', 'created_at', 'updated_at', 'monitoring_at', 'resolved_at', 'impact', 'shortlink', 'started_at', 'page_id', 'incident_updates', 'components']);
    expect(i?.shortlink).toBe('https://status.acme.example/incidents/i1');
    expect((i?.incident_updates as unknown[])[0]).toEqual({ id: 'u1', status: 'investigating', body: 'Looking', incident_id: 'i1', created_at: '2026-11-21T09:00:00.000Z', updated_at: '2026-11-21T09:00:00.000Z', display_at: '2026-11-21T09:00:00.000Z', affected_components: [{ code: 'c1', name: 'API', old_status: 'operational', new_status: 'major_outage' }], deliver_notifications: true });
  });

  it('lists maintenances as upcoming or active by status, with their window', () => {
    const upcoming = docs['scheduled-maintenances/upcoming.json']?.scheduled_maintenances as Record<string, unknown>[];
    expect(upcoming.map((m) => [m.id, m.scheduled_for, m.scheduled_until])).toEqual([['m1', '2026-11-21T10:00:00.000Z', '2026-11-21T11:00:00.000Z']]);
    expect(docs['scheduled-maintenances/active.json']?.scheduled_maintenances).toEqual([]);
    expect((docs['incidents/unresolved.json']?.incidents as unknown[]).length).toBe(1);
  });
});
