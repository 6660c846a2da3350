import { Agent, request } from 'node:http';
import type { Child } from './processes.js';

/** One intake request a load client sent, and what (if anything) came back. */
export interface Sent {
  format: 'events-v2' | 'alertmanager';
  /** The alert's dedup key: the Events v2 `dedup_key` or the Alertmanager `groupKey`. */
  dedupKey: string;
  path: string;
  body: string;
  /** The HTTP status, or null when the connection failed before an answer (the server died). */
  status: number | null;
  answer: string;
  error: string | null;
}

export interface LoadOptions {
  baseUrl: string;
  eventsKey: string;
  amKey: string;
  /** Concurrent Events v2 clients, each posting triggers with a new dedup key one after another. */
  eventsClients: number;
  /** Concurrent Alertmanager clients, each posting a new two-member group one after another. */
  amClients: number;
  /** Concurrent Events v2 clients that all post triggers to the same few dedup keys (`<prefix>-hot-<n>`), updating open alerts. */
  hotClients?: number;
  /** How many shared keys the hot clients spread over. */
  hotKeys?: number;
  /** Keeps dedup keys unique across runs against one database. */
  prefix: string;
  /** Called after every 2xx answer with the number of 2xx answers so far. */
  onAcknowledged?: (count: number) => void;
  /** No client starts a new request after this many milliseconds (bounds a run whose server never dies). */
  maxDurationMs: number;
}

export interface LoadRun {
  /** Every request sent, in the order answers (or failures) came back. */
  sent: Sent[];
  /** Resolves once every client has stopped: after its first failed connection, or at `maxDurationMs`. */
  done: Promise<void>;
  /** Resolves when `count` requests have been answered 2xx; rejects when the run ends before that. */
  acknowledged(count: number): Promise<void>;
  /** Asks every client to stop after its current request. */
  stop(): void;
}

/** One POST with a JSON body over `agent`; resolves with the status and body, rejects on a connection failure. */
export function post(url: string, body: string, agent: Agent | false = false, timeoutMs = 30_000, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers }, timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('response aborted')));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** An Events API v2 trigger, as a monitoring tool would send it. */
export function eventsTrigger(routingKey: string, dedupKey: string): string {
  return JSON.stringify({
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: { summary: `Load test event ${dedupKey}`, source: 'load-client', severity: 'error', custom_details: { dedupKey } },
  });
}

/** An Alertmanager v4 notification for one group holding two firing members. */
export function alertmanagerGroup(groupKey: string): string {
  const member = (instance: string, fingerprint: string) => ({
    status: 'firing',
    labels: { alertname: 'LoadTest', instance, severity: 'warning' },
    annotations: { summary: `Load test group ${groupKey}` },
    startsAt: '2026-11-21T05:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.test/graph',
    fingerprint,
  });
  return JSON.stringify({
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'firebreak',
    groupLabels: { alertname: 'LoadTest' },
    commonLabels: { alertname: 'LoadTest' },
    commonAnnotations: { summary: `Load test group ${groupKey}` },
    externalURL: 'http://alertmanager.test',
    alerts: [member('a', 'aaaa000000000001'), member('b', 'bbbb000000000002')],
  });
}

/**
 * Drives a sustained intake load: each client posts its next event as soon as the previous one is
 * answered, over its own keep-alive connection (as senders do), with a dedup key never used before
 * (or, for hot clients, one of a few shared keys, so events also update open alerts concurrently).
 * A client stops at its first connection failure (the server was killed) and does not retry: the test
 * decides what to resend. Nothing here reads the answers beyond recording them.
 */
export function startIntakeLoad(options: LoadOptions): LoadRun {
  const sent: Sent[] = [];
  let stopped = false;
  let acknowledged = 0;
  const waiters = new Set<{ count: number; resolve: () => void }>();
  const startedAt = performance.now();

  const client = async (format: Sent['format'], index: number, hot = false): Promise<void> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let seq = 0; !stopped && performance.now() - startedAt < options.maxDurationMs; seq++) {
        const dedupKey = hot
          ? `${options.prefix}-hot-${(index + seq) % (options.hotKeys ?? 1)}`
          : format === 'events-v2'
            ? `${options.prefix}-ev-${index}-${seq}`
            : `{}:{batch="${options.prefix}-am-${index}-${seq}"}`;
        const path = format === 'events-v2' ? '/v2/enqueue' : `/integrations/alertmanager/${options.amKey}`;
        const body = format === 'events-v2' ? eventsTrigger(options.eventsKey, dedupKey) : alertmanagerGroup(dedupKey);
        const record: Sent = { format, dedupKey, path, body, status: null, answer: '', error: null };
        try {
          const answer = await post(`${options.baseUrl}${path}`, body, agent);
          record.status = answer.status;
          record.answer = answer.body;
        } catch (error) {
          record.error = (error as Error).message;
        }
        sent.push(record);
        if (record.status === null) return;
        if (record.status >= 200 && record.status < 300) {
          acknowledged++;
          options.onAcknowledged?.(acknowledged);
          for (const waiter of waiters) {
            if (acknowledged >= waiter.count) {
              waiters.delete(waiter);
              waiter.resolve();
            }
          }
        }
      }
    } finally {
      agent.destroy();
    }
  };

  const clients = [
    ...Array.from({ length: options.eventsClients }, (_, i) => client('events-v2', i)),
    ...Array.from({ length: options.amClients }, (_, i) => client('alertmanager', i)),
    ...Array.from({ length: options.hotClients ?? 0 }, (_, i) => client('events-v2', i, true)),
  ];
  const done = Promise.all(clients).then(() => undefined);

  return {
    sent,
    done,
    stop: () => {
      stopped = true;
    },
    acknowledged(count) {
      if (acknowledged >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        waiters.add({ count, resolve });
        void done.then(() => {
          if (acknowledged < count) reject(new Error(`the load ended with ${acknowledged} of ${count} events acknowledged; answers: ${JSON.stringify(sent.filter((s) => s.status !== 202 && s.status !== 200).slice(0, 5))}`));
        });
      });
    },
  };
}

/** One GET; resolves with the status and body. */
export function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Polls `/readyz` until it answers 200; connection refused while the server starts is expected. */
export async function waitUntilReady(url: string, child: Child, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const status = await get(`${url}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (child.process.exitCode !== null || child.process.signalCode !== null) throw new Error(`firebreak serve exited early (${child.process.exitCode ?? child.process.signalCode}):\n${child.stdout()}\n${child.stderr()}`);
    if (performance.now() > deadline) throw new Error(`/readyz never answered 200 within ${timeoutMs} ms (last status ${status}):\n${child.stdout()}\n${child.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
