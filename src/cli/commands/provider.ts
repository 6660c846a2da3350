import type { Command } from 'commander';
import type { Provider, ProviderKindInfo } from '../../contracts/providers.js';
import { useProviderSpecCheck } from '../../core/config/kinds.js';
import { apiClientFromEnv, type ApiClient } from '../api-client.js';
import { CliError, printTable } from '../output.js';

/**
 * How a secret reaches the server. A value typed on the command line stays in shell history and is
 * visible to other users in the process list, so the CLI offers three ways that avoid it:
 * `--secret-env` (the server reads the variable itself; nothing secret leaves this machine),
 * `--secret-stdin` (piped in) and `--secret-local-env` (read from this shell's environment and sent
 * to be stored encrypted). `--secret name=value` still works, for throwaway test accounts.
 */
export interface ProviderSecretOptions {
  /** `name=value`: the value itself. */
  secret: string[];
  /** `name=VAR`: the server reads VAR from its own environment whenever it needs the secret. */
  secretEnv: string[];
  /** `name=VAR`: the value of VAR in the CLI's environment, sent and stored encrypted. */
  secretLocalEnv: string[];
  /** The name of one secret whose value is read from standard input. */
  secretStdin?: string | undefined;
}

export interface ProviderAddOptions extends ProviderSecretOptions {
  kind: string;
  name: string;
  /** `key=value`: a text setting. */
  setting: string[];
  /** `key=<JSON>`: a setting that is a number, boolean, list or object. */
  settingJson: string[];
  position?: string | undefined;
  disabled?: boolean | undefined;
}

export interface ProviderUpdateOptions extends ProviderSecretOptions {
  setting: string[];
  settingJson: string[];
  /** Setting keys to remove. */
  unsetSetting: string[];
  /** Optional secrets to clear. */
  clearSecret: string[];
  rename?: string | undefined;
  position?: string | undefined;
  enable?: boolean | undefined;
  disable?: boolean | undefined;
}

export interface ProviderTestOptions {
  to: string;
  channel?: string | undefined;
}

/** Where a command reads piped input and the local environment; injectable for tests. */
export interface ProviderIo {
  out?: NodeJS.WritableStream;
  /** Standard input as text (read only for --secret-stdin). */
  stdin?: () => Promise<string>;
  env?: Readonly<Record<string, string | undefined>>;
}

type SecretValue = string | { fromEnv: string } | null;

const path = (ref: string) => `/api/v1/notification-providers/${encodeURIComponent(ref)}`;

/** Splits `key=value` at the first `=`; both sides must be present. */
function pair(text: string, flag: string, what: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new CliError(`${flag} \`${flag === '--secret' ? `${text.slice(0, Math.max(at, 0))}=…` : text}\` must look like ${what}`, 2);
  return [text.slice(0, at).trim(), text.slice(at + 1)];
}

function settingsFrom(opts: { setting: string[]; settingJson: string[] }): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const text of opts.setting) {
    const [key, value] = pair(text, '--setting', 'key=value, such as from=+14155550100');
    settings[key] = value;
  }
  for (const text of opts.settingJson) {
    const [key, value] = pair(text, '--setting-json', 'key=<JSON>, such as timeoutSeconds=10');
    try {
      settings[key] = JSON.parse(value) as unknown;
    } catch {
      throw new CliError(`--setting-json ${key}: \`${value}\` is not JSON (quote text as "…", or use --setting)`, 2);
    }
  }
  return settings;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('--secret-stdin reads the secret from standard input: pipe it in, for example `pass show twilio | firebreak provider add …`', 2);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The secrets the options give, by name, refusing a name given twice or an empty value. */
async function secretsFrom(opts: ProviderSecretOptions, io: ProviderIo): Promise<Record<string, SecretValue>> {
  const secrets: Record<string, SecretValue> = {};
  const put = (key: string, value: SecretValue) => {
    if (key in secrets) throw new CliError(`secret \`${key}\` is given twice`, 2);
    secrets[key] = value;
  };
  for (const text of opts.secret) {
    const [key, value] = pair(text, '--secret', 'name=value');
    if (value === '') throw new CliError(`--secret ${key}: the value is empty`, 2);
    put(key, value);
  }
  for (const text of opts.secretEnv) {
    const [key, variable] = pair(text, '--secret-env', 'name=VARIABLE, such as authToken=TWILIO_AUTH_TOKEN');
    put(key, { fromEnv: variable });
  }
  const env = io.env ?? process.env;
  for (const text of opts.secretLocalEnv) {
    const [key, variable] = pair(text, '--secret-local-env', 'name=VARIABLE, such as authToken=TWILIO_AUTH_TOKEN');
    const value = env[variable];
    if (value === undefined || value === '') throw new CliError(`--secret-local-env ${key}: environment variable ${variable} is not set here`, 2);
    put(key, value);
  }
  if (opts.secretStdin) {
    // One line or several (a PEM key); the newline a pipe adds at the end is not part of the secret.
    const value = (await (io.stdin ?? readStdin)()).replace(/\r?\n$/, '');
    if (value === '') throw new CliError(`--secret-stdin ${opts.secretStdin}: standard input was empty`, 2);
    put(opts.secretStdin, value);
  }
  return secrets;
}

function positionOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,4}$/.test(text)) throw new CliError('--position must be a whole number from 0', 2);
  return Number(text);
}

const secretText = (s: { set: boolean; fromEnv: string | null }) => (s.fromEnv ? `from env ${s.fromEnv}${s.set ? '' : ' (unset on the server)'}` : s.set ? 'set (encrypted)' : 'not set');

function providerRows(providers: readonly Provider[]): Array<Record<string, string>> {
  return providers.map((p) => ({
    name: p.name,
    kind: p.kind,
    channels: p.channels.join(','),
    enabled: p.enabled ? 'yes' : 'no',
    position: String(p.position),
    managed: p.managedBy,
    health: p.problems.length > 0 ? 'cannot deliver' : p.health.status,
  }));
}

/** One provider, as `provider add|update|get` print it: settings, which secrets are set, problems. */
function describeProvider(p: Provider, out: NodeJS.WritableStream): void {
  out.write(`${p.name} (${p.kind}, ${p.channels.join(', ')}): ${p.enabled ? 'enabled' : 'disabled'}, position ${p.position}, managed by ${p.managedBy}, health ${p.health.status}\n`);
  for (const [key, value] of Object.entries(p.settings)) out.write(`  setting ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
  for (const [key, value] of Object.entries(p.secrets)) out.write(`  secret ${key}: ${secretText(value)}\n`);
  for (const [key, url] of Object.entries(p.callbackUrls)) out.write(`  callback ${key}: ${url}\n`);
  if (p.health.lastError) out.write(`  last error: ${p.health.lastError}\n`);
  for (const problem of p.problems) out.write(`  problem: ${problem}\n`);
}

export async function listProviders(api: ApiClient, out: NodeJS.WritableStream = process.stdout): Promise<Provider[]> {
  const { items } = await api.request<{ items: Provider[] }>('GET', '/api/v1/notification-providers');
  printTable(providerRows(items), out);
  for (const p of items) for (const problem of p.problems) out.write(`${p.name}: ${problem}\n`);
  return items;
}

export async function getProvider(api: ApiClient, ref: string, out: NodeJS.WritableStream = process.stdout): Promise<Provider> {
  const provider = await api.request<Provider>('GET', path(ref));
  describeProvider(provider, out);
  return provider;
}

export async function addProvider(api: ApiClient, opts: ProviderAddOptions, io: ProviderIo = {}): Promise<Provider> {
  const out = io.out ?? process.stdout;
  const position = positionOf(opts.position);
  const body = {
    name: opts.name,
    kind: opts.kind,
    ...(opts.disabled ? { enabled: false } : {}),
    ...(position !== undefined ? { position } : {}),
    settings: settingsFrom(opts),
    secrets: await secretsFrom(opts, io),
  };
  const provider = await api.request<Provider>('POST', '/api/v1/notification-providers', body);
  out.write(`Provider ${provider.name} added.\n`);
  describeProvider(provider, out);
  return provider;
}

/** Changes what the options name; `--setting` changes one setting and keeps the others. */
export async function updateProvider(api: ApiClient, ref: string, opts: ProviderUpdateOptions, io: ProviderIo = {}): Promise<Provider> {
  const out = io.out ?? process.stdout;
  if (opts.enable && opts.disable) throw new CliError('give --enable or --disable, not both', 2);
  const changed = settingsFrom(opts);
  const secrets = await secretsFrom(opts, io);
  for (const key of opts.clearSecret) {
    if (key in secrets) throw new CliError(`secret \`${key}\` is both set and cleared`, 2);
    secrets[key] = null;
  }
  const body: Record<string, unknown> = {};
  if (Object.keys(changed).length > 0 || opts.unsetSetting.length > 0) {
    // The API replaces settings as a whole: start from the current ones.
    const current = await api.request<Provider>('GET', path(ref));
    const settings: Record<string, unknown> = { ...current.settings, ...changed };
    for (const key of opts.unsetSetting) {
      if (!(key in settings)) throw new CliError(`--unset-setting ${key}: provider ${current.name} has no such setting`, 2);
      delete settings[key];
    }
    body.settings = settings;
  }
  if (Object.keys(secrets).length > 0) body.secrets = secrets;
  if (opts.rename) body.name = opts.rename;
  const position = positionOf(opts.position);
  if (position !== undefined) body.position = position;
  if (opts.enable) body.enabled = true;
  if (opts.disable) body.enabled = false;
  if (Object.keys(body).length === 0) throw new CliError('nothing to change: give --setting, --secret…, --rename, --position, --enable or --disable', 2);
  const provider = await api.request<Provider>('PATCH', path(ref), body);
  out.write(`Provider ${provider.name} updated.\n`);
  describeProvider(provider, out);
  return provider;
}

export async function removeProviders(api: ApiClient, refs: readonly string[], out: NodeJS.WritableStream = process.stdout): Promise<void> {
  for (const ref of refs) {
    await api.request('DELETE', path(ref));
    out.write(`Provider ${ref} removed\n`);
  }
}

/** Sends one test message through the provider alone; a failed send is an error (exit 1) with the provider's answer. */
export async function testProvider(api: ApiClient, ref: string, opts: ProviderTestOptions, out: NodeJS.WritableStream = process.stdout): Promise<{ ok: boolean; latencyMs: number; providerMessageId: string | null; error: string | null }> {
  const result = await api.request<{ ok: boolean; latencyMs: number; providerMessageId: string | null; error: string | null }>('POST', `${path(ref)}/test`, {
    to: opts.to,
    ...(opts.channel ? { channel: opts.channel } : {}),
  });
  if (!result.ok) throw new CliError(`Test through ${ref} failed after ${result.latencyMs} ms: ${result.error ?? 'no reason given'}`);
  out.write(`Test message sent through ${ref} to ${opts.to} in ${result.latencyMs} ms${result.providerMessageId ? ` (provider message id ${result.providerMessageId})` : ''}\n`);
  return result;
}

export async function listProviderKinds(api: ApiClient, out: NodeJS.WritableStream = process.stdout): Promise<ProviderKindInfo[]> {
  const { items } = await api.request<{ items: ProviderKindInfo[] }>('GET', '/api/v1/notification-provider-kinds');
  for (const k of items) {
    out.write(`${k.kind}: ${k.name} (${k.channels.join(', ')})\n`);
    for (const f of k.fields) out.write(`  ${f.secret ? 'secret ' : 'setting'} ${f.key}${f.required ? ' (required)' : ''}: ${f.description}${f.example ? `, e.g. ${f.example}` : ''}\n`);
  }
  return items;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function secretFlags(command: Command): Command {
  return command
    .option('--secret-env <name=VAR>', 'the server reads this secret from its environment variable VAR (nothing secret is sent; repeat)', collect, [])
    .option('--secret-stdin <name>', 'read this secret’s value from standard input (stored encrypted)')
    .option('--secret-local-env <name=VAR>', 'send the value of VAR from this shell’s environment (stored encrypted; repeat)', collect, [])
    .option('--secret <name=value>', 'the value itself (stored encrypted). It stays in your shell history: prefer the options above (repeat)', collect, []);
}

/** `firebreak provider …`: notification providers through the API (FIREBREAK_URL, FIREBREAK_TOKEN). Docs: docs/providers.md. */
export function registerProviderCommands(program: Command): void {
  // `config validate` runs offline: it checks NotificationProvider settings with the adapters' own
  // schemas. Loaded only for config commands: every adapter is a lot to load for the others.
  program.hook('preAction', async (_program, action) => {
    if (action.parent?.name() !== 'config') return;
    const { providerSpecIssues } = await import('../../server/modules/providers/providers.service.js');
    useProviderSpecCheck(providerSpecIssues);
  });
  const provider = program.command('provider').description('Notification providers pages are delivered through: SMTP, Twilio, Slack… (talks to the server)');
  provider
    .command('list')
    .description('Providers in the order they are tried, with their health')
    .action(async () => void (await listProviders(apiClientFromEnv())));
  provider
    .command('get <provider>')
    .description('One provider: settings, which secrets are set, callback URLs, problems')
    .action(async (ref: string) => void (await getProvider(apiClientFromEnv(), ref)));
  provider
    .command('kinds')
    .description('The kinds of provider this server can deliver through, with their settings and secrets')
    .action(async () => void (await listProviderKinds(apiClientFromEnv())));
  secretFlags(
    provider
      .command('add')
      .description('Add a provider, e.g. --kind twilio --name twilio-main --setting from=+14155550100 --secret-env accountSid=TWILIO_ACCOUNT_SID --secret-env authToken=TWILIO_AUTH_TOKEN')
      .requiredOption('--kind <kind>', 'smtp, twilio, vonage, webpush, slack, teams, mattermost, discord, telegram, ntfy or webhook (`firebreak provider kinds`)')
      .requiredOption('--name <name>', 'unique name, such as twilio-main')
      .option('--setting <key=value>', 'a setting (repeat)', collect, [])
      .option('--setting-json <key=JSON>', 'a setting that is not text, such as timeoutSeconds=10 (repeat)', collect, [])
      .option('--position <n>', 'providers of one channel are tried lowest first (default 0)')
      .option('--disabled', 'add it disabled'),
  ).action(async (opts: ProviderAddOptions) => void (await addProvider(apiClientFromEnv(), opts)));
  secretFlags(
    provider
      .command('update <provider>')
      .description('Change a provider: only what the options name')
      .option('--setting <key=value>', 'set one setting, keeping the others (repeat)', collect, [])
      .option('--setting-json <key=JSON>', 'set one setting that is not text (repeat)', collect, [])
      .option('--unset-setting <key>', 'remove an optional setting (repeat)', collect, [])
      .option('--clear-secret <name>', 'remove an optional secret (repeat)', collect, [])
      .option('--rename <name>', 'a new name')
      .option('--position <n>', 'a new position')
      .option('--enable', 'enable it')
      .option('--disable', 'disable it: it delivers nothing'),
  ).action(async (ref: string, opts: ProviderUpdateOptions) => void (await updateProvider(apiClientFromEnv(), ref, opts)));
  provider
    .command('remove <providers...>')
    .description('Remove providers')
    .action(async (refs: string[]) => removeProviders(apiClientFromEnv(), refs));
  provider
    .command('test <provider>')
    .description('Send a test message through this provider alone, e.g. --to +14155550123 --channel sms')
    .requiredOption('--to <address>', 'an address of the channel: email address, phone number, channel id, topic or URL')
    .option('--channel <type>', 'which of the provider’s channels (default its first)')
    .action(async (ref: string, opts: ProviderTestOptions) => void (await testProvider(apiClientFromEnv(), ref, opts)));
}
