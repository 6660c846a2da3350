import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/app.js';
import { captureOutput as capture, cliClientFor as clientFor } from '../../../test/support/cli.js';
import { serviceInputSchema } from '../../contracts/alerts.js';
import { ManualClock } from '../../server/platform/clock.js';
import { systemActor } from '../../server/modules/audit/audit.repo.js';
import type { ApiClient } from '../api-client.js';
import { buildCli } from '../main.js';
import { previewRules, serviceRules, setSupportHours } from './service-routing.js';

describe('firebreak service rules, rules-preview and support-hours', () => {
  let t: TestApp;
  let api: ApiClient;
  let dir: string;
  let key: string;
  const acting = { actor: systemActor('test'), principal: null };

  beforeEach(async () => {
    t = await buildTestApp({ clock: new ManualClock('2026-11-20T19:00:00Z') });
    api = clientFor(t, (await t.userWithToken('admin', 'ana')).token);
    for (const handle of ['checkout', 'databases']) await t.firebreak.services.serviceCatalog.create(acting, serviceInputSchema.parse({ handle, name: handle }));
    key = (await t.firebreak.services.serviceCatalog.createIntegration(acting, 'checkout', { type: 'events-v2', name: 'Nagios' })).key;
    dir = mkdtempSync(join(tmpdir(), 'firebreak-cli-'));
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  it('replaces rules from a file, previews them against the latest events and shows them', async () => {
    for (const [dedup_key, summary, component] of [['hb', 'Heartbeat OK', 'cron'], ['pg', 'Replication lag', 'postgres']]) {
      const sent = await t.app.inject({ method: 'POST', url: '/v2/enqueue', payload: { routing_key: key, event_action: 'trigger', dedup_key, payload: { summary, source: 'db-1', severity: 'warning', component } } });
      expect(sent.statusCode).toBe(202);
    }
    const file = join(dir, 'rules.json');
    writeFileSync(file, JSON.stringify([
      { name: 'drop heartbeats', conditions: [{ field: 'title', op: 'regex', value: '^Heartbeat' }], actions: { drop: true } },
      { name: 'databases', conditions: [{ field: 'labels.component', op: 'in', values: ['postgres'] }], actions: { routeTo: 'databases' } },
    ]));
    const preview = capture();
    const items = await previewRules(api, 'checkout', { file, limit: '10' }, preview.out);
    expect(items.map((i) => i.result)).toEqual(['route', 'drop']);
    expect(preview.text()).toContain('Routed to `databases`');

    const saved = capture();
    await serviceRules(api, 'checkout', { file }, saved.out);
    expect(saved.text()).toContain('Saved 2 rules on checkout');
    expect(saved.text()).toContain('labels.component in postgres');
    const shown = capture();
    const routing = await serviceRules(api, 'checkout', {}, shown.out);
    expect(routing.rules.map((r) => r.name)).toEqual(['drop heartbeats', 'databases']);
    expect(shown.text()).toContain('Support hours: none');

    writeFileSync(file, JSON.stringify([{ name: 'bad', conditions: [{ field: 'title', op: 'regex', value: '(?=x)' }], actions: { drop: true } }]));
    await expect(serviceRules(api, 'checkout', { file }, capture().out)).rejects.toThrow(/body\.rules\.0\.conditions\.0\.value/);
    await expect(previewRules(api, 'checkout', { limit: '0' }, capture().out)).rejects.toThrow(/--limit/);
    writeFileSync(file, '{"nope": 1}');
    await expect(serviceRules(api, 'checkout', { file }, capture().out)).rejects.toThrow(/JSON array of rules/);
  });

  it('sets and clears support hours from a file', async () => {
    const file = join(dir, 'hours.json');
    writeFileSync(file, JSON.stringify({ supportHours: { timeZone: 'Europe/Lisbon', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' }, raiseAtSupportStart: true }));
    const set = capture();
    await setSupportHours(api, 'checkout', { file }, set.out);
    expect(set.text()).toContain('Support hours: mon,tue,wed,thu,fri 09:00–18:00 Europe/Lisbon; next window 2026-11-23T09:00:00.000Z; low urgency raised at the start');
    const cleared = capture();
    await setSupportHours(api, 'checkout', { clear: true }, cleared.out);
    expect(cleared.text()).toContain('Support hours: none');
    await expect(setSupportHours(api, 'checkout', {}, capture().out)).rejects.toThrow(/exactly one of --file and --clear/);
  });

  it('hangs the commands under `firebreak service`', () => {
    const service = buildCli().commands.find((c) => c.name() === 'service');
    expect(service?.commands.map((c) => c.name())).toEqual(expect.arrayContaining(['rules', 'rules-preview', 'support-hours']));
  });
});
