import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, json, type TestApp } from '../../../test/support/app.js';
import { captureOutput as capture, cliClientFor as clientFor } from '../../../test/support/cli.js';
import { serviceInputSchema } from '../../contracts/alerts.js';
import { systemActor } from '../../server/modules/audit/audit.repo.js';
import type { ApiClient } from '../api-client.js';
import { listChanges, setMapping } from './service.js';

describe('firebreak service', () => {
  let t: TestApp;
  let api: ApiClient;
  let dir: string;
  const acting = { actor: systemActor('test'), principal: null };

  beforeEach(async () => {
    t = await buildTestApp();
    api = clientFor(t, (await t.userWithToken('admin', 'ana')).token);
    await t.firebreak.services.serviceCatalog.create(acting, serviceInputSchema.parse({ handle: 'checkout', name: 'Checkout' }));
    dir = mkdtempSync(join(tmpdir(), 'firebreak-cli-'));
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  it('changes lists the change events sent to /v2/change/enqueue', async () => {
    const { key } = await t.firebreak.services.serviceCatalog.createIntegration(acting, 'checkout', { type: 'events-v2', name: 'CI' });
    const sent = await t.app.inject({ method: 'POST', url: '/v2/change/enqueue', payload: { routing_key: key, payload: { summary: 'Deployed v1.4.2', source: 'ci', timestamp: '2026-11-02T09:58:00Z' }, links: [{ href: 'https://ci.example/1' }] } });
    expect(sent.statusCode).toBe(202);
    const out = capture();
    const items = await listChanges(api, 'checkout', {}, out.out);
    expect(items).toHaveLength(1);
    expect(out.text()).toContain('2026-11-02T09:58Z');
    expect(out.text()).toContain('Deployed v1.4.2');
    expect(out.text()).toContain('https://ci.example/1');
    await expect(listChanges(api, 'nope', {}, capture().out)).rejects.toThrow(/does not exist/);
  });

  it('mapping sets a webhook integration’s mapping from a file, and clears it', async () => {
    const { id, key } = await t.firebreak.services.serviceCatalog.createIntegration(acting, 'checkout', { type: 'webhook', name: 'Datadog' });
    const file = join(dir, 'mapping.json');
    writeFileSync(file, JSON.stringify({ title: '$.alert.name', status: '$.alert.state', dedupKey: '$.alert.id', statusMap: { OK: 'resolved' } }));
    const set = capture();
    await setMapping(api, 'checkout', id, { file }, set.out);
    expect(set.text()).toBe('Integration Datadog now reads posts through the mapping (title from $.alert.name)\n');
    const posted = await t.app.inject({ method: 'POST', url: `/integrations/webhook/${key}`, payload: { alert: { id: 'm1', name: 'Latency high', state: 'ALERT!' } } });
    expect(posted.statusCode).toBe(400);
    expect(json<{ details: { issues: Array<{ path: string }> } }>(posted).details.issues[0]?.path).toBe('body.alert.state');

    writeFileSync(file, JSON.stringify({ title: '$.alert[' }));
    await expect(setMapping(api, 'checkout', id, { file }, capture().out)).rejects.toThrow(/body.mapping.title/);
    const cleared = capture();
    await setMapping(api, 'checkout', id, { clear: true }, cleared.out);
    expect(cleared.text()).toBe('Integration Datadog reads the documented webhook fields\n');
    await expect(setMapping(api, 'checkout', id, {}, capture().out)).rejects.toThrow(/exactly one of --file and --clear/);
    await expect(setMapping(api, 'checkout', id, { file: join(dir, 'missing.json') }, capture().out)).rejects.toThrow(/cannot read a JSON mapping/);
  });
});
