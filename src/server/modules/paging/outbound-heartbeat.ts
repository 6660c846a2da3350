import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../../platform/clock.js';
import type { JobScheduler, JobTarget } from '../../platform/jobs/job-queue.js';
import type { JobRunner } from '../../platform/jobs/job-runner.js';
import type { Logger } from '../../platform/logger.js';
import { outboundRequest, OutboundRefused } from '../../platform/http/outbound.js';

/**
 * The outbound heartbeat (docs/paging.md, "Outbound heartbeat"): a dead man's switch for Firebreak
 * itself. Every interval Firebreak GETs `FIREBREAK_HEARTBEAT_URL` — a check at an outside monitor such as
 * healthchecks.io, Cronitor or an uptime service — and that monitor alerts someone when the requests
 * stop: the one failure Firebreak cannot page about is its own (database down, job runner stuck,
 * process gone).
 *
 * It runs as one durable, keyed job that re-adds itself (like the escalation auditor), so exactly one is
 * pending across nodes and it keeps going across restarts; a heartbeat only goes out when the job
 * runner and the database work, which is the point. Requests go through `outboundRequest` (the SSRF
 * guard applies: a private or loopback URL needs FIREBREAK_ALLOW_PRIVATE_WEBHOOKS=true). A failed beat
 * is logged at WARN and counted, never retried early: the next one is one interval later anyway.
 */

export const OUTBOUND_HEARTBEAT_TASK = 'firebreak.outbound-heartbeat';
/** A beat is never allowed longer than this, nor longer than the interval. */
const MAX_REQUEST_MS = 10_000;

export type HeartbeatOutcome = 'ok' | 'failed' | 'refused';

export interface OutboundHeartbeatDeps {
  url: string;
  intervalSeconds: number;
  allowPrivate: boolean;
  clock: Clock;
  jobs: JobScheduler;
  /** Where to add the next beat: the database (outside any transaction). */
  target: JobTarget;
  logger: Logger;
  /** The process's metrics registry: `firebreak_outbound_heartbeat_total{outcome}` is registered there. */
  registry: Registry;
}

export interface OutboundHeartbeat {
  /** One beat now (the job), then the next one interval later. */
  beat(): Promise<HeartbeatOutcome>;
}

export function createOutboundHeartbeat(deps: OutboundHeartbeatDeps): OutboundHeartbeat {
  const counter = new Counter({ name: 'firebreak_outbound_heartbeat_total', help: 'Outbound heartbeat requests to FIREBREAK_HEARTBEAT_URL, by outcome (ok, failed, refused by the SSRF guard)', labelNames: ['outcome'] as const, registers: [deps.registry] });
  const intervalMs = deps.intervalSeconds * 1000;
  // The URL may carry a token in its path or query (healthchecks.io's UUID): log only the origin.
  const shown = safeOrigin(deps.url);

  async function send(): Promise<HeartbeatOutcome> {
    try {
      const response = await outboundRequest(deps.url, { method: 'GET' }, { allowPrivate: deps.allowPrivate, timeoutMs: Math.min(MAX_REQUEST_MS, intervalMs) });
      if (response.status >= 200 && response.status < 300) return 'ok';
      deps.logger.warn({ target: shown, status: response.status }, `outbound heartbeat to ${shown} failed: HTTP ${response.status}`);
      return 'failed';
    } catch (error) {
      const refused = error instanceof OutboundRefused;
      deps.logger.warn({ target: shown, err: error }, `outbound heartbeat to ${shown} ${refused ? 'refused' : 'failed'}: ${error instanceof Error ? error.message : String(error)}`);
      return refused ? 'refused' : 'failed';
    }
  }

  return {
    async beat() {
      const outcome = await send();
      counter.inc({ outcome });
      await scheduleOutboundHeartbeat(deps.jobs, deps.target, deps.clock.now() + intervalMs);
      return outcome;
    },
  };
}

/** Makes sure the beat job exists, due at `runAt` (keyed: replaces the pending one). Called on start and by each beat. */
export async function scheduleOutboundHeartbeat(jobs: JobScheduler, target: JobTarget, runAt: number): Promise<void> {
  await jobs.addJob(target, { task: OUTBOUND_HEARTBEAT_TASK, key: OUTBOUND_HEARTBEAT_TASK, runAt, maxAttempts: 3 });
}

/** Registers the beat on this process's runner. */
export function registerOutboundHeartbeat(runner: JobRunner, heartbeat: OutboundHeartbeat): void {
  runner.register(OUTBOUND_HEARTBEAT_TASK, async () => {
    await heartbeat.beat();
  });
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
