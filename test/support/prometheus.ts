import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './postgres.js';

/** The Debian packages' binaries (`apt-get install -y prometheus prometheus-alertmanager`). */
export const prometheusBin = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const alertmanagerBin = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';
export const promtoolBin = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

/**
 * Whether the real Prometheus and Alertmanager are here. Missing binaries fail under CI=true and
 * skip (with one line) otherwise, like PostgreSQL and Chromium.
 */
export function prometheusAvailable(): boolean {
  if ([prometheusBin, alertmanagerBin, promtoolBin].every((bin) => existsSync(bin))) return true;
  if (process.env.CI === 'true') throw new Error(`CI=true but Prometheus/Alertmanager are not installed (${prometheusBin}, ${alertmanagerBin}): apt-get install -y prometheus prometheus-alertmanager`);
  console.warn('[firebreak] Prometheus/Alertmanager not found: their test is skipped. Install them: apt-get install -y prometheus prometheus-alertmanager');
  return false;
}

export interface PrometheusStack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** The generated rule file (for `promtool check rules`). */
  ruleFile: string;
  /** Rewrites the rule so it never holds (same alert name and labels) and reloads Prometheus (SIGHUP). */
  stopFiring(): Promise<void>;
  /** Both processes' output so far, for failure messages. */
  logs(): string;
  /** Stops both processes by PID and removes the temporary directory. Safe to call twice. */
  stop(): Promise<void>;
}

const ALERT_NAME = 'FirebreakE2E';
const FIRING_EXPR = 'vector(1)';
const NEVER_EXPR = 'vector(0) > 1';

function ruleFileText(expr: string): string {
  return [
    'groups:',
    '  - name: firebreak-e2e',
    '    rules:',
    `      - alert: ${ALERT_NAME}`,
    `        expr: ${expr}`,
    '        labels:',
    '          severity: critical',
    '          service: checkout-api',
    '        annotations:',
    '          summary: Firebreak end-to-end test alert',
    '          description: A rule the test switches off to see the alert resolve',
    '',
  ].join('\n');
}

/** Checks a rule file with `promtool check rules`; throws with promtool's output when it is invalid. */
export function checkRules(file: string): string {
  return execFileSync(promtoolBin, ['check', 'rules', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

interface Proc {
  child: ChildProcess;
  output: string;
}

function start(bin: string, args: string[]): Proc {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const proc: Proc = { child, output: '' };
  const append = (chunk: Buffer) => {
    // Keep the tail only: both log every reload and notification.
    proc.output = (proc.output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  child.on('error', (error) => append(Buffer.from(`spawn error: ${error.message}\n`)));
  return proc;
}

async function stopProc(proc: Proc): Promise<void> {
  const { child } = proc;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function untilReady(name: string, url: string, proc: Proc, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`${name} exited (${proc.child.exitCode}) before it was ready:\n${proc.output}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${name} not ready at ${url} within ${timeoutMs} ms:\n${proc.output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts a real Alertmanager (webhook receiver → `webhookUrl`, `send_resolved: true`, 1 s grouping)
 * and a real Prometheus (1 s evaluation, one always-firing rule, `--rules.alert.resend-delay=1s`)
 * as child processes on free 127.0.0.1 ports, with configs and storage in a temporary directory.
 */
export async function startPrometheusStack(webhookUrl: string): Promise<PrometheusStack> {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-prometheus-'));
  const amPort = await freePort();
  let promPort = await freePort();
  while (promPort === amPort) promPort = await freePort();
  const alertmanagerUrl = `http://127.0.0.1:${amPort}`;
  const prometheusUrl = `http://127.0.0.1:${promPort}`;

  writeFileSync(join(dir, 'alertmanager.yml'), [
    'route:',
    '  receiver: firebreak',
    "  group_by: ['alertname']",
    '  group_wait: 1s',
    '  group_interval: 1s',
    '  repeat_interval: 1h',
    'receivers:',
    '  - name: firebreak',
    '    webhook_configs:',
    `      - url: '${webhookUrl}'`,
    '        send_resolved: true',
    '        max_alerts: 0',
    '',
  ].join('\n'));
  const ruleFile = join(dir, 'rules.yml');
  writeFileSync(ruleFile, ruleFileText(FIRING_EXPR));
  writeFileSync(join(dir, 'prometheus.yml'), [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'rule_files:',
    `  - '${ruleFile}'`,
    'alerting:',
    '  alertmanagers:',
    '    - static_configs:',
    `        - targets: ['127.0.0.1:${amPort}']`,
    'scrape_configs: []',
    '',
  ].join('\n'));

  const alertmanager = start(alertmanagerBin, [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'alertmanager-data')}`,
    `--web.listen-address=127.0.0.1:${amPort}`,
    '--cluster.listen-address=',
    '--log.level=debug',
  ]);
  let prometheus: Proc | null = null;
  const stack: PrometheusStack = {
    prometheusUrl,
    alertmanagerUrl,
    ruleFile,
    async stopFiring() {
      writeFileSync(ruleFile, ruleFileText(NEVER_EXPR));
      prometheus?.child.kill('SIGHUP');
      // Wait until Prometheus evaluates the new rule, so the caller knows the switch took effect.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const rules = (await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ query: string }> }> } };
        if (rules.data.groups.some((g) => g.rules.some((r) => r.query.includes('> 1')))) return;
        if (Date.now() > deadline) throw new Error(`Prometheus did not reload its rules within 10 s:\n${prometheus?.output ?? ''}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    logs: () => `--- alertmanager ---\n${alertmanager.output}\n--- prometheus ---\n${prometheus?.output ?? ''}`,
    async stop() {
      await Promise.all([prometheus ? stopProc(prometheus) : Promise.resolve(), stopProc(alertmanager)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await untilReady('Alertmanager', alertmanagerUrl, alertmanager, 20_000);
    prometheus = start(prometheusBin, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      // Mandatory: with the default (1 min) the first alert, sent before Prometheus has found its
      // Alertmanager, is only re-sent a minute later.
      '--rules.alert.resend-delay=1s',
    ]);
    await untilReady('Prometheus', prometheusUrl, prometheus, 30_000);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}
