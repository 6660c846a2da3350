import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bearer, buildTestApp, json, type TestApp } from '../../../test/support/app.js';
import { captureOutput, cliClientFor } from '../../../test/support/cli.js';
import { serviceInputSchema } from '../../contracts/alerts.js';
import type { Change } from '../../contracts/changes.js';
import { systemActor } from '../../server/modules/audit/audit.repo.js';
import { ManualClock } from '../../server/platform/clock.js';
import { detailsOf, recordChange, registerChangeCommands } from './change.js';

describe('firebreak change record', () => {
  let t: TestApp;
  let token: string;

  beforeEach(async () => {
    t = await buildTestApp({ clock: new ManualClock('2026-11-21T09:00:00Z') });
    token = (await t.userWithToken('responder', 'ci')).token;
    await t.firebreak.services.serviceCatalog.create({ actor: systemActor('test'), principal: null }, serviceInputSchema.parse({ handle: 'checkout', name: 'Checkout' }));
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await t.close();
  });

  const stored = async () => json<{ items: Change[] }>(await t.app.inject({ url: '/api/v1/services/checkout/changes', headers: bearer(token) })).items;

  it('records a change and prints what was recorded', async () => {
    const out = captureOutput();
    const change = await recordChange(cliClientFor(t, token), { service: 'checkout', summary: 'Deploy checkout v1.42.0', version: 'v1.42.0', detail: ['pipeline=812', 'url=a=b'] }, out.out);
    expect(out.text()).toBe(`Recorded change ${change.id} on checkout at 2026-11-21T09:00:00.000Z: Deploy checkout v1.42.0 (v1.42.0)\n`);
    expect((await stored())[0]).toMatchObject({ summary: 'Deploy checkout v1.42.0', version: 'v1.42.0', details: { pipeline: '812', url: 'a=b' }, commit: null });
    await expect(recordChange(cliClientFor(t, token), { service: 'nope', summary: 'x' }, captureOutput().out)).rejects.toThrow(/body\.service/);
    expect(() => detailsOf(['novalue'])).toThrow('--detail takes key=value, got `novalue`');
  });

  it('maps every option of the command line to the API (a real port, FIREBREAK_URL and FIREBREAK_TOKEN)', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    vi.stubEnv('FIREBREAK_URL', address);
    vi.stubEnv('FIREBREAK_TOKEN', token);
    const program = new Command('firebreak').exitOverride();
    registerChangeCommands(program);
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await program.parseAsync(
        ['change', 'record', '--service', 'checkout', '--summary', 'Deploy checkout v1.42.0', '--version', 'v1.42.0', '--commit', '9fceb02', '--author', 'ana',
          '--link', 'https://ci.example.test/runs/812', '--rollback-link', 'https://ci.example.test/rollback?to=v1.41.0', '--timestamp', '2026-11-21T08:45:00Z', '--source', 'github-actions', '--detail', 'runner=linux'],
        { from: 'user' },
      );
    } finally {
      write.mockRestore();
    }
    expect((await stored())[0]).toMatchObject({
      summary: 'Deploy checkout v1.42.0', version: 'v1.42.0', commit: '9fceb02', author: 'ana', link: 'https://ci.example.test/runs/812',
      rollbackLink: 'https://ci.example.test/rollback?to=v1.41.0', timestamp: '2026-11-21T08:45:00.000Z', source: 'github-actions', details: { runner: 'linux' }, recordedBy: 'ci (API token)',
    });
  });
});
