import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../contracts/alerts.js';
import type { IncidentTimelineEntry } from '../../../contracts/incidents.js';
import { buildTestApp, json, type TestApp } from '../../../../test/support/app.js';
import { dialectCases } from '../../../../test/support/databases.js';
import { requestsAs, type Person } from '../../../../test/support/people.js';
import { ManualClock } from '../../platform/clock.js';

// Linked alerts on the incident timeline: acknowledgements, resolutions and re-triggers of an alert
// linked to an open incident are written there, in the alert change's own transaction.
describe.each(dialectCases())('linked alerts on the incident timeline ($name)', ({ open }) => {
  let t: TestApp;
  let ana: Person;
  const { ok } = requestsAs(() => t);
  const alertEntries = async () => json<{ items: IncidentTimelineEntry[] }>(await ok('GET', '/api/v1/incidents/INC-1/timeline', ana)).items.filter((e) => e.kind === 'alert').map((e) => e.summary);

  beforeEach(async () => {
    t = await buildTestApp({ database: await open(), clock: new ManualClock('2026-11-21T09:00:00Z') });
    const admin = await t.userWithToken('admin', 'root');
    ana = await t.userWithToken('responder', 'ana');
    await ok('POST', '/api/v1/services', admin, { handle: 'checkout', name: 'Checkout API' });
  });
  afterEach(async () => t.close());

  it('writes acknowledgements, re-triggers and resolutions of linked alerts, and stops once the incident is resolved', async () => {
    const trigger = async (dedupKey: string, title: string) => json<{ alert: Alert }>(await ok('POST', '/api/v1/alerts', ana, { service: 'checkout', title, severity: 'critical', dedupKey })).alert;
    const alert = await trigger('5xx', 'Checkout 5xx above 2%');
    await ok('POST', '/api/v1/incidents', ana, { title: 'Checkout errors', severity: 'SEV2', alertIds: [`#${alert.number}`] });
    const unlinked = await trigger('latency', 'Checkout p99 above 2 s');

    await ok('POST', `/api/v1/alerts/${alert.id}/acknowledge`, ana, {});
    await ok('POST', `/api/v1/alerts/${unlinked.id}/acknowledge`, ana, {});
    await ok('POST', `/api/v1/alerts/${alert.id}/resolve`, ana, {});
    await trigger('5xx', 'Checkout 5xx above 2%');
    expect((await alertEntries()).slice(1)).toEqual([
      `Alert #${alert.number} acknowledged by ana (API token): Checkout 5xx above 2%`,
      `Alert #${alert.number} resolved by ana (API token): Checkout 5xx above 2%`,
    ]);

    await ok('POST', '/api/v1/incidents/INC-1/status', ana, { status: 'resolved', summary: 'Rolled back' });
    const before = await alertEntries();
    const again = await trigger('5xx-2', 'Checkout 5xx again');
    await ok('POST', '/api/v1/incidents', ana, { title: 'Second', severity: 'SEV3' });
    await ok('POST', `/api/v1/alerts/${again.id}/acknowledge`, ana, {});
    expect(await alertEntries()).toEqual(before);
  });
});
