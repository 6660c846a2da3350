import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { LiveAlertEvent, LiveIncidentEvent } from '../../contracts/live.js';
import type { EventBus, LiveEvent } from './events.js';
import type { Logger } from './logger.js';

/** The PostgreSQL channel every node LISTENs on. */
export const EVENTS_CHANNEL = 'firebreak_events';

/** NOTIFY payloads must stay under 8000 bytes; batches are split well below that. */
const MAX_PAYLOAD_BYTES = 7000;

interface Envelope {
  /** The node that sent it: a node ignores its own notifications (it already published them locally). */
  node: string;
  alerts: LiveAlertEvent[];
  /**
   * Incident events (issue 6). Optional and beside `alerts` so that, during a rolling upgrade, an
   * older node reading a newer node's payload still finds its alerts and ignores the rest.
   */
  incidents?: LiveIncidentEvent[];
}

/** What is forwarded to other nodes: alert and incident events (a `resync` is a node's own business). */
type Forwarded = Extract<LiveEvent, { type: 'alert' } | { type: 'incident' }>;

export interface PgFanout {
  /** Connects and LISTENs. Resolves after the first attempt, connected or not (it keeps retrying). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True while the listener connection is up (for tests and readiness detail). */
  readonly listening: boolean;
  readonly nodeId: string;
}

/**
 * Fans live updates out between Firebreak nodes sharing one PostgreSQL (ARCHITECTURE.md, multi-node).
 *
 * One dedicated connection per node (not from the pool: a pooled client would lose its LISTEN when
 * returned) LISTENs on `firebreak_events`. Local alert and incident events, published after their transaction
 * committed, are batched per tick and sent with `pg_notify` on that same connection; other nodes
 * publish them on their own bus as `remote`. A notification is only a hint, so sending after commit
 * (not inside the transaction) is enough, and intake never waits for it.
 *
 * If the connection drops it reconnects with backoff; once listening again it publishes `resync`
 * locally, because events from other nodes may have been missed meanwhile and clients must re-read.
 */
export function createPgFanout(options: { url: string; bus: EventBus; logger: Logger; channel?: string; reconnectMs?: number }): PgFanout {
  const { bus, logger } = options;
  const channel = options.channel ?? EVENTS_CHANNEL;
  const nodeId = randomBytes(6).toString('hex');
  let client: pg.Client | null = null;
  let listening = false;
  let stopped = false;
  let everConnected = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let failures = 0;
  let pending: Forwarded[] = [];
  let flushScheduled = false;

  const unsubscribe = bus.subscribe((event: LiveEvent, origin) => {
    if (origin !== 'local' || event.type === 'resync') return;
    if (!listening) return; // other nodes miss it; they resync when this connection is back
    pending.push(event);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  });

  function flush(): void {
    flushScheduled = false;
    const batch = pending;
    pending = [];
    const c = client;
    if (!c || !listening) return;
    for (const payload of chunks(batch)) {
      c.query('select pg_notify($1, $2)', [channel, payload]).catch((error: unknown) => logger.warn({ err: error }, 'live updates: NOTIFY failed'));
    }
  }

  function envelope(events: Forwarded[]): string {
    const alerts: LiveAlertEvent[] = [];
    const incidents: LiveIncidentEvent[] = [];
    for (const event of events) {
      if (event.type === 'alert') alerts.push(event.alert);
      else incidents.push(event.incident);
    }
    return JSON.stringify({ node: nodeId, alerts, ...(incidents.length > 0 ? { incidents } : {}) } satisfies Envelope);
  }

  function chunks(events: Forwarded[]): string[] {
    const out: string[] = [];
    let current: Forwarded[] = [];
    let size = 0;
    for (const event of events) {
      const bytes = Buffer.byteLength(JSON.stringify(event.type === 'alert' ? event.alert : event.incident)) + 1;
      if (current.length > 0 && size + bytes > MAX_PAYLOAD_BYTES) {
        out.push(envelope(current));
        current = [];
        size = 0;
      }
      current.push(event);
      size += bytes;
    }
    if (current.length > 0) out.push(envelope(current));
    return out;
  }

  function onNotification(message: pg.Notification): void {
    if (message.channel !== channel || !message.payload) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message.payload) as Envelope;
    } catch {
      return;
    }
    if (envelope.node === nodeId || !Array.isArray(envelope.alerts)) return;
    for (const alert of envelope.alerts) bus.publish({ type: 'alert', alert }, 'remote');
    if (Array.isArray(envelope.incidents)) for (const incident of envelope.incidents) bus.publish({ type: 'incident', incident }, 'remote');
  }

  function scheduleReconnect(): void {
    if (stopped || retryTimer) return;
    failures++;
    const delay = Math.min(30_000, (options.reconnectMs ?? 1000) * 2 ** Math.min(failures - 1, 5));
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect();
    }, delay);
    retryTimer.unref();
  }

  async function connect(): Promise<void> {
    if (stopped) return;
    // Named, so operators can tell it apart in pg_stat_activity (it stays idle, listening, by design).
    const c = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: 10_000, application_name: 'firebreak-live-updates' });
    // A dropped connection is reported here; without a listener it would crash the process.
    c.on('error', (error) => {
      logger.warn({ err: error }, 'live updates: lost the PostgreSQL listener connection; reconnecting');
      drop(c);
    });
    c.on('end', () => drop(c));
    c.on('notification', onNotification);
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch (error) {
      logger.warn({ err: error }, 'live updates: could not LISTEN on PostgreSQL; events from other nodes are not shown until it works');
      c.end().catch(() => {});
      scheduleReconnect();
      return;
    }
    if (stopped) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    listening = true;
    failures = 0;
    if (everConnected) bus.publish({ type: 'resync' }, 'local');
    everConnected = true;
  }

  function drop(c: pg.Client): void {
    if (client !== c) return;
    client = null;
    listening = false;
    c.end().catch(() => {});
    scheduleReconnect();
  }

  return {
    nodeId,
    get listening() {
      return listening;
    },
    async start() {
      await connect();
    },
    async stop() {
      stopped = true;
      unsubscribe();
      if (retryTimer) clearTimeout(retryTimer);
      const c = client;
      client = null;
      listening = false;
      if (c) await c.end().catch(() => {});
    },
  };
}
