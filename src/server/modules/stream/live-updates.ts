import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { AppError } from '../../../contracts/errors.js';
import { LIVE_HEARTBEAT_MS, LIVE_RETRY_MS, type LiveAlertEvent, type LiveIncidentEvent } from '../../../contracts/live.js';
import type { Principal } from '../../../core/auth/roles.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { EventBus, LiveEvent } from '../../platform/events.js';
import type { Logger } from '../../platform/logger.js';
import type { AlertChange, AlertHooks } from '../alerts/alert.service.js';
import type { IncidentChange } from '../incidents/incident.service.js';

/**
 * Alert hooks that publish each change once its transaction has committed (never for a rollback, and
 * never before the sender's 2xx could be answered). `next` keeps any other hooks (escalation) running.
 */
export function liveAlertHooks(bus: EventBus, next?: AlertHooks): AlertHooks {
  return {
    async afterChange(tx, change: AlertChange) {
      if (next) await next.afterChange(tx, change);
      const alert: LiveAlertEvent = { id: change.alertId, number: change.number, serviceId: change.serviceId, status: change.status, urgency: change.urgency, outcome: change.outcome };
      tx.afterCommit(() => bus.publish({ type: 'alert', alert }));
    },
  };
}

/**
 * The `onChange` hook of `IncidentService`: it already runs after commit (never for a rollback), so
 * this only shapes the event and publishes it. Every stream hears it (incidents are organization-wide
 * reads); a war-room page filters by `incidentId`.
 */
export function liveIncidentChanges(bus: EventBus): (change: IncidentChange) => void {
  return (change) => {
    const incident: LiveIncidentEvent = { incidentId: change.incidentId, reference: change.reference, status: change.status, action: change.action };
    bus.publish({ type: 'incident', incident });
  };
}

export interface LiveUpdatesOptions {
  bus: EventBus;
  database: FirebreakDatabase;
  clock: Clock;
  logger: Logger;
  /** Comment lines this often keep idle streams open through proxies. Default 15 s. */
  heartbeatMs?: number;
  /**
   * A stream ends after this long and the client reconnects (after `retry:`), which authenticates it
   * again: a revoked token or an expired session stops receiving events within this time. Default 10 min.
   */
  maxStreamMs?: number;
  /** A client that has not read this many bytes is too slow: it is disconnected and reconnects fresh. */
  maxBufferedBytes?: number;
}

interface Connection {
  res: ServerResponse;
  /** Set for team-scoped tokens: only alerts of this team's services are sent. */
  teamScope: string | null;
  timers: NodeJS.Timeout[];
  /** Events for scoped connections wait on a lookup; chaining keeps them in order. */
  queue: Promise<void>;
}

/** How long a service's owning team is remembered for filtering scoped streams. */
const TEAM_CACHE_MS = 30_000;

/** One SSE frame. Data is one line of JSON, so it never needs splitting over several `data:` lines. */
export function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The open server-sent-event streams of this process. It subscribes to the event bus once and writes
 * each event to every stream allowed to see it. `close()` ends every stream (graceful shutdown runs it
 * before the HTTP server closes, which would otherwise wait for streams that never end).
 */
export class LiveUpdates {
  private readonly connections = new Set<Connection>();
  private readonly teams = new Map<string, { teamId: string | null; at: number }>();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(private readonly options: LiveUpdatesOptions) {
    this.unsubscribe = options.bus.subscribe((event) => this.dispatch(event));
  }

  get size(): number {
    return this.connections.size;
  }

  /** Takes over the response and keeps it open as an event stream until the client leaves or the server stops. */
  open(request: FastifyRequest, reply: FastifyReply, principal: Principal): void {
    const accept = String(request.headers.accept ?? '');
    if (!accept.includes('text/event-stream')) {
      throw new AppError('VALIDATION_FAILED', 'Invalid request. headers.accept: must include text/event-stream (this is a server-sent event stream; use EventSource or curl -N -H "Accept: text/event-stream")', {
        issues: [{ path: 'headers.accept', message: 'must include text/event-stream' }],
      });
    }
    if (this.closed) throw new AppError('UNAVAILABLE', 'The server is shutting down; reconnect to another node or in a moment');
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx buffers responses by default, which would hold events back.
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    const conn: Connection = { res, teamScope: principal.teamScope, timers: [], queue: Promise.resolve() };
    this.connections.add(conn);
    const heartbeat = setInterval(() => this.write(conn, ': heartbeat\n\n'), this.options.heartbeatMs ?? LIVE_HEARTBEAT_MS);
    const lifetime = setTimeout(() => this.end(conn), this.options.maxStreamMs ?? 10 * 60_000);
    heartbeat.unref();
    lifetime.unref();
    conn.timers.push(heartbeat, lifetime);
    res.on('close', () => this.forget(conn));
    this.write(conn, `retry: ${LIVE_RETRY_MS}\n\n${frame('ready', { retryMs: LIVE_RETRY_MS, heartbeatMs: this.options.heartbeatMs ?? LIVE_HEARTBEAT_MS })}`);
  }

  /** Ends every stream and refuses new ones. Clients reconnect (to another node, or after restart). */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const conn of [...this.connections]) this.end(conn);
  }

  private dispatch(event: LiveEvent): void {
    if (event.type === 'resync') {
      for (const conn of this.connections) this.write(conn, frame('resync', {}));
      return;
    }
    if (event.type === 'incident') {
      // Organization-wide: viewers and team-scoped tokens read every incident, so every stream hears it.
      const data = frame('incident', event.incident);
      for (const conn of this.connections) this.write(conn, data);
      return;
    }
    // Intake publishes every alert change: with no stream open there is nothing to write.
    if (this.connections.size === 0) return;
    const data = frame('alert', event.alert);
    for (const conn of this.connections) {
      if (conn.teamScope === null) {
        this.write(conn, data);
        continue;
      }
      const scope = conn.teamScope;
      conn.queue = conn.queue
        .then(async () => {
          if ((await this.teamOf(event.alert.serviceId)) === scope) this.write(conn, data);
        })
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'live updates: could not look up the team of a service'));
    }
  }

  private async teamOf(serviceId: string): Promise<string | null> {
    const now = this.options.clock.now();
    const cached = this.teams.get(serviceId);
    if (cached && now - cached.at < TEAM_CACHE_MS) return cached.teamId;
    const row = await this.options.database.db.selectFrom('services').select('team_id').where('id', '=', serviceId).executeTakeFirst();
    const teamId = row?.team_id ?? null;
    if (this.teams.size > 10_000) this.teams.clear();
    this.teams.set(serviceId, { teamId, at: now });
    return teamId;
  }

  private write(conn: Connection, text: string): void {
    if (conn.res.writableEnded || conn.res.destroyed) return;
    // A reader that fell this far behind gets disconnected rather than buffered without bound; it
    // reconnects and re-reads what it shows.
    if (conn.res.writableLength > (this.options.maxBufferedBytes ?? 1024 * 1024)) {
      conn.res.destroy();
      return;
    }
    conn.res.write(text);
  }

  private end(conn: Connection): void {
    this.forget(conn);
    if (conn.res.writableEnded) return;
    // The connection would stay open as an idle keep-alive one; close it so shutdown need not wait.
    const socket = conn.res.socket;
    conn.res.end(() => socket?.end());
  }

  private forget(conn: Connection): void {
    for (const timer of conn.timers) clearTimeout(timer);
    this.connections.delete(conn);
  }
}
