import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/app.js';
import { captureOutput as capture, cliClientFor as clientFor } from '../../../test/support/cli.js';
import { startSmtpSink, type SmtpSink } from '../../../test/support/smtp-sink.js';
import { ManualClock } from '../../server/platform/clock.js';
import { cli, serverWithToken, type CliServer } from '../../../test/support/config-cli.js';
import { ApiClient } from '../api-client.js';
import { addProvider, getProvider, listProviderKinds, listProviders, testProvider, updateProvider, type ProviderAddOptions } from './provider.js';

// A real SMTP relay for `provider test`, and a port where nothing listens (a relay that is down).
let sink: SmtpSink;
let deadUrl: string;
beforeAll(async () => {
  sink = await startSmtpSink();
  const dead = await startSmtpSink();
  deadUrl = dead.url;
  await dead.close();
});
afterAll(async () => sink.close());

const noSecrets = { secret: [], secretEnv: [], secretLocalEnv: [] };
const addOptions = (opts: Partial<ProviderAddOptions>): ProviderAddOptions => ({ kind: 'smtp', name: 'relay-main', setting: [], settingJson: [], ...noSecrets, ...opts });
const updateOptions = { setting: [], settingJson: [], unsetSetting: [], clearSecret: [], ...noSecrets };

describe('firebreak provider', () => {
  let t: TestApp;
  let admin: ApiClient;
  let viewer: ApiClient;

  beforeEach(async () => {
    sink.clear();
    t = await buildTestApp({ clock: new ManualClock('2026-11-21T12:00:00Z'), env: { FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: 'true', RELAY_PASSWORD: 'password-from-server-env' } });
    admin = clientFor(t, (await t.userWithToken('admin', 'ada')).token);
    viewer = clientFor(t, (await t.userWithToken('viewer', 'vic')).token);
  });
  afterEach(async () => t.close());

  it('adds an SMTP provider, lists it, sends a test message through the relay, and reports a failed test as an error', async () => {
    const out = capture();
    const created = await addProvider(admin, addOptions({ setting: [`url=${sink.url}`, 'from=Firebreak <fb@example.com>', 'username=firebreak'], secretEnv: ['password=RELAY_PASSWORD'] }), { out: out.out });
    expect(created).toMatchObject({ name: 'relay-main', kind: 'smtp', managedBy: 'api', secrets: { password: { set: true, fromEnv: 'RELAY_PASSWORD' } } });
    expect(out.text()).toBe(
      [
        'Provider relay-main added.',
        'relay-main (smtp, email): enabled, position 0, managed by api, health unknown',
        `  setting url: ${sink.url}`,
        '  setting from: Firebreak <fb@example.com>',
        '  setting username: firebreak',
        '  secret password: from env RELAY_PASSWORD',
        '',
      ].join('\n'),
    );
    expect(out.text()).not.toContain('password-from-server-env');

    const list = capture();
    await listProviders(viewer, list.out);
    expect(list.text()).toBe(['NAME        KIND  CHANNELS  ENABLED  POSITION  MANAGED  HEALTH', 'relay-main  smtp  email     yes      0         api      unknown', ''].join('\n'));

    const sent = capture();
    await testProvider(admin, 'relay-main', { to: 'ops@example.com' }, sent.out);
    expect(sent.text()).toMatch(/^Test message sent through relay-main to ops@example\.com in \d+ ms/);
    const mail = await sink.waitFor((m) => m.envelope.to.includes('ops@example.com'));
    expect(mail.subject).toBe('Firebreak test notification');
    expect(mail.from).toContain('fb@example.com');

    const after = capture();
    await listProviders(viewer, after.out);
    expect(after.text()).toContain('relay-main  smtp  email     yes      0         api      healthy');

    // A relay that is down: the command fails with the provider's answer.
    await addProvider(admin, addOptions({ name: 'relay-down', setting: [`url=${deadUrl}`, 'from=fb@example.com'] }), { out: capture().out });
    await expect(testProvider(admin, 'relay-down', { to: 'ops@example.com' }, capture().out)).rejects.toThrow(/^Test through relay-down failed after \d+ ms: /);
    await expect(testProvider(admin, 'relay-main', { to: 'not-an-address' }, capture().out)).rejects.toThrow(/body\.to/);
    await expect(testProvider(viewer, 'relay-main', { to: 'ops@example.com' }, capture().out)).rejects.toThrow(/admin/);
  });

  it('takes secrets from standard input or this shell’s environment without printing them, and refuses a secret given twice', async () => {
    const out = capture();
    const stdin = async () => 'piped-password\n';
    await addProvider(admin, addOptions({ setting: [`url=${sink.url}`, 'from=fb@example.com', 'username=firebreak'], secretStdin: 'password' }), { out: out.out, stdin });
    expect(out.text()).toContain('  secret password: set (encrypted)\n');
    expect(out.text()).not.toContain('piped-password');

    const local = capture();
    await updateProvider(admin, 'relay-main', { ...updateOptions, secretLocalEnv: ['password=MY_RELAY_PASSWORD'] }, { out: local.out, env: { MY_RELAY_PASSWORD: 'local-env-password' } });
    expect(local.text()).not.toContain('local-env-password');
    await expect(updateProvider(admin, 'relay-main', { ...updateOptions, secretLocalEnv: ['password=UNSET_HERE'] }, { out: capture().out, env: {} })).rejects.toThrow('--secret-local-env password: environment variable UNSET_HERE is not set here');
    await expect(addProvider(admin, addOptions({ name: 'x', secret: ['password=a'], secretEnv: ['password=B'] }), { out: capture().out })).rejects.toThrow('secret `password` is given twice');
    await expect(addProvider(admin, addOptions({ name: 'x', secret: ['no-equals-sign-secret'] }), { out: capture().out })).rejects.toThrow(/must look like name=value/);
    await expect(addProvider(admin, addOptions({ name: 'x', secret: ['no-equals-sign-secret'] }), { out: capture().out })).rejects.not.toThrow(/no-equals-sign-secret/);

    // The sealed password is the one SMTP AUTH uses now: the relay accepts any, so check it is set and the provider works.
    const got = capture();
    const provider = await getProvider(viewer, 'relay-main', got.out);
    expect(provider.secrets).toEqual({ password: { set: true, fromEnv: null } });
    await testProvider(admin, 'relay-main', { to: 'again@example.com' }, capture().out);
    await sink.waitFor((m) => m.envelope.to.includes('again@example.com'));
  });

  it('lists the kinds with their settings and secrets', async () => {
    const out = capture();
    const kinds = await listProviderKinds(viewer, out.out);
    expect(kinds.map((k) => k.kind)).toContain('twilio');
    expect(out.text()).toContain('twilio: Twilio (SMS and voice) (sms, voice)\n');
    expect(out.text()).toContain('  secret  authToken (required): ');
    expect(out.text()).toContain('  setting from (required): ');
  });
});

// Against a real server on a port (DELETE answers 204 with no body, which the in-process client cannot carry),
// and through the `firebreak` executable itself.
describe('firebreak provider against a running server', () => {
  let running: CliServer;
  let api: ApiClient;
  beforeAll(async () => {
    running = await serverWithToken();
    api = new ApiClient({ baseUrl: running.env.FIREBREAK_URL as string, token: running.env.FIREBREAK_TOKEN as string });
  });
  afterAll(async () => running?.server.stop());

  it('updates one setting keeping the others, renames, disables and removes; the API names a bad setting', async () => {
    await addProvider(api, addOptions({ setting: [`url=${sink.url}`, 'from=fb@example.com', 'username=firebreak'] }), { out: capture().out });
    const listed = await cli(['provider', 'list'], running.env);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout).toContain('relay-main  smtp  email     yes      0         api      unknown\n');

    const out = capture();
    const updated = await updateProvider(api, 'relay-main', { ...updateOptions, setting: ['from=Pager <pager@example.com>'], unsetSetting: ['username'], rename: 'relay-b', position: '3', disable: true }, { out: out.out });
    expect(updated).toMatchObject({ name: 'relay-b', enabled: false, position: 3, settings: { url: sink.url, from: 'Pager <pager@example.com>' } });
    expect(out.text().split('\n')[1]).toBe('relay-b (smtp, email): disabled, position 3, managed by api, health unknown');
    await expect(updateProvider(api, 'relay-b', { ...updateOptions, setting: ['url=http://relay.example.com'] }, { out: capture().out })).rejects.toThrow(/body\.settings\.url: must be smtp:\/\/host:port/);
    await expect(updateProvider(api, 'relay-b', updateOptions, { out: capture().out })).rejects.toThrow(/nothing to change/);
    await expect(addProvider(api, addOptions({ name: 'relay-c', setting: ['from=fb@example.com'], settingJson: ['url=not json'] }), { out: capture().out })).rejects.toThrow(/--setting-json url: `not json` is not JSON/);

    const removed = await cli(['provider', 'remove', 'relay-b'], running.env);
    expect(removed).toMatchObject({ code: 0, stdout: 'Provider relay-b removed\n', stderr: '' });
    const list = capture();
    await listProviders(api, list.out);
    expect(list.text()).toBe('(none)\n');
    await expect(getProvider(api, 'relay-b', capture().out)).rejects.toThrow(/does not exist/);
    const missing = await cli(['provider', 'remove', 'relay-b'], running.env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('does not exist');
  });
});
