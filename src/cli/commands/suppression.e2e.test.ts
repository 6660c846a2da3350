import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/app.js';
import { captureOutput as capture, cliClientFor as clientFor } from '../../../test/support/cli.js';
import { ManualClock } from '../../server/platform/clock.js';
import { systemActor } from '../../server/modules/audit/audit.repo.js';
import type { ApiClient } from '../api-client.js';
import { createMaintenance, endMaintenance, listMaintenance } from './maintenance.js';
import { createSilence, expireSilences, listSilences, parseMatcher } from './silence.js';

describe('firebreak maintenance and firebreak silence', () => {
  let t: TestApp;
  let admin: ApiClient;
  let responder: ApiClient;

  beforeEach(async () => {
    t = await buildTestApp({ clock: new ManualClock('2027-03-27T12:00:00Z') });
    admin = clientFor(t, (await t.userWithToken('admin', 'ada')).token);
    responder = clientFor(t, (await t.userWithToken('responder', 'rita')).token);
    await t.firebreak.services.serviceCatalog.create({ actor: systemActor('test'), principal: null }, { handle: 'checkout', name: 'Checkout', description: '', urgency: { critical: 'high', error: 'high', warning: 'low', info: 'low' } });
  });
  afterEach(async () => t.close());

  it('creates a one-off window for a number of minutes, lists it as active and ends it', async () => {
    const out = capture();
    const window = await createMaintenance(admin, { name: 'DB upgrade', service: ['checkout'], minutes: '90' }, out.out);
    expect(out.text()).toBe(`Maintenance window ${window.id} ‘DB upgrade’ created: active until 2027-03-27 13:30Z\n`);
    const list = capture();
    await listMaintenance(admin, { active: true }, list.out);
    expect(list.text()).toMatch(/^ID\s+NAME\s+SERVICES\s+SCHEDULE\s+STATE\n/);
    expect(list.text()).toContain('active until 2027-03-27 13:30Z');
    const ended = capture();
    await endMaintenance(admin, [window.id], ended.out);
    expect(ended.text()).toBe(`Maintenance window ${window.id} ‘DB upgrade’ ended\n`);
    const after = capture();
    await listMaintenance(admin, { active: true }, after.out);
    expect(after.text()).toBe('(none)\n');
  });

  it('creates a recurring window and reports when it next starts; refuses incomplete flags before calling', async () => {
    const out = capture();
    await createMaintenance(admin, { name: 'Patching', service: ['checkout'], rrule: 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0', minutes: '120', timeZone: 'Europe/Berlin' }, out.out);
    // Sunday 28 March 2027 02:00 does not exist in Berlin: it starts at 03:00 CEST.
    expect(out.text()).toMatch(/created: starts 2027-03-28 01:00Z\n$/);
    await expect(createMaintenance(admin, { name: 'x', service: ['checkout'], rrule: 'FREQ=DAILY' }, capture().out)).rejects.toThrow(/needs --minutes/);
    await expect(createMaintenance(admin, { name: 'x', service: ['checkout'] }, capture().out)).rejects.toThrow(/give --end or --minutes/);
    await expect(createMaintenance(responder, { name: 'x', service: ['checkout'], minutes: '5' }, capture().out)).rejects.toThrow(/admin/);
  });

  it('creates, lists and expires a silence with amtool-style matchers; an invalid regex names the field', async () => {
    expect(parseMatcher('alertname=~"Disk.*"')).toEqual({ name: 'alertname', op: '=~', value: 'Disk.*' });
    expect(parseMatcher('env != prod')).toEqual({ name: 'env', op: '!=', value: 'prod' });
    expect(parseMatcher('instance=~"db-\\d+"')).toEqual({ name: 'instance', op: '=~', value: 'db-\\d+' });
    expect(() => parseMatcher('nonsense')).toThrow(/must look like/);
    const out = capture();
    const silence = await createSilence(responder, { matcher: ['alertname=~Disk.*', 'env=prod'], comment: 'disk swap', service: 'checkout', minutes: '60' }, out.out);
    expect(out.text()).toBe(`Silence ${silence.id} active until 2027-03-27 13:00Z: alertname=~"Disk.*" env="prod"\n`);
    const list = capture();
    await listSilences(responder, {}, list.out);
    expect(list.text()).toContain('disk swap');
    expect(list.text()).toContain('checkout');
    const expired = capture();
    await expireSilences(responder, [silence.id], expired.out);
    expect(expired.text()).toBe(`Silence ${silence.id} expired\n`);
    const none = capture();
    await listSilences(responder, {}, none.out);
    expect(none.text()).toBe('(none)\n');
    const old = capture();
    await listSilences(responder, { state: 'expired' }, old.out);
    expect(old.text()).toContain(silence.id);
    await expect(createSilence(responder, { matcher: ['host=~db-(1'], comment: 'x', minutes: '5' }, capture().out)).rejects.toThrow(/body\.matchers\.0\.value/);
    await expect(createSilence(responder, { matcher: ['env=prod'], comment: 'x' }, capture().out)).rejects.toThrow(/a silence always expires/);
  });
});
