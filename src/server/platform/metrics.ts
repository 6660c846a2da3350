import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Firebreak's own Prometheus metrics. One registry per process (not prom-client's global one) so
 * tests can build several apps side by side.
 */
export interface Metrics {
  registry: Registry;
  /** `early`: answered ahead of the router (ADR 0042, 0045), also counted in `firebreak_http_early_answers_total`. */
  observeRequest(method: string, route: string, status: number, seconds: number, early?: boolean): void;
  jobsCompleted: Counter<'task' | 'outcome'>;
  jobDuration: Histogram<'task'>;
  /** Set by the job runner before each scrape. */
  setJobQueue(depth: number, lagSeconds: number, failed: number): void;
  /** The paging module's series (docs/paging.md, "Metrics"). */
  paging: PagingMetrics;
}

/** What paging counts. The service and the auditor take this narrow port, not the registry. */
export interface PagingMetrics {
  /** Escalation steps applied, by outcome: started, escalated, exhausted, stopped, stale. */
  escalationSteps: Counter<'outcome'>;
  /** Page delivery attempts, by channel and outcome: sent, retry, failed, cancelled. */
  pageDeliveries: Counter<'channel' | 'outcome'>;
  /** From when a page was due (its outbox row's creation, or its rule's delay later) to the channel accepting it. */
  pageDeliverySeconds: Histogram<'channel'>;
  /** Escalations the auditor found stuck (a lost or stale timer, or none started) and repaired. */
  auditorRepairs: Counter;
  /** Where `firebreak_escalations_active` is read from on each scrape (the composition root sets it). */
  countActiveEscalations(source: () => Promise<number>): void;
}

export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'firebreak_' });

  const requests = new Counter({
    name: 'firebreak_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'firebreak_http_request_errors_total',
    help: 'HTTP requests answered with a 5xx status, by route template',
    labelNames: ['method', 'route'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'firebreak_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method and route template',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const earlyAnswers = new Counter({
    name: 'firebreak_http_early_answers_total',
    help: 'HTTP requests answered ahead of the router (public status pages, Events API v2 posts), also counted in firebreak_http_requests_total',
    registers: [registry],
  });
  const jobsCompleted = new Counter({
    name: 'firebreak_jobs_completed_total',
    help: 'Jobs finished, by task and outcome (success, retry, failed)',
    labelNames: ['task', 'outcome'] as const,
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'firebreak_job_duration_seconds',
    help: 'Time spent running one job, by task',
    labelNames: ['task'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [registry],
  });
  const queueDepth = new Gauge({ name: 'firebreak_job_queue_depth', help: 'Jobs waiting to run (due now or later), excluding failed ones', registers: [registry] });
  const queueLag = new Gauge({ name: 'firebreak_job_queue_lag_seconds', help: 'How long the oldest due job has been waiting past its run_at', registers: [registry] });
  const failedJobs = new Gauge({ name: 'firebreak_jobs_failed', help: 'Jobs that used up their attempts and will not run again', registers: [registry] });

  let activeEscalations: (() => Promise<number>) | null = null;
  const paging: PagingMetrics = {
    escalationSteps: new Counter({ name: 'firebreak_escalation_steps_total', help: 'Escalation steps applied, by outcome (started, escalated, exhausted, stopped, stale)', labelNames: ['outcome'] as const, registers: [registry] }),
    pageDeliveries: new Counter({ name: 'firebreak_page_deliveries_total', help: 'Page delivery attempts, by channel and outcome (sent, retry, failed, cancelled)', labelNames: ['channel', 'outcome'] as const, registers: [registry] }),
    pageDeliverySeconds: new Histogram({
      name: 'firebreak_page_delivery_seconds',
      help: 'From when a page was due (its outbox row was written, or its rule delay later) to its channel accepting it, by channel',
      labelNames: ['channel'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
      registers: [registry],
    }),
    auditorRepairs: new Counter({ name: 'firebreak_escalation_auditor_repairs_total', help: 'Escalations the auditor found stuck and repaired (each also logged at WARN and written on the alert timeline)', registers: [registry] }),
    countActiveEscalations(source) {
      activeEscalations = source;
    },
  };
  new Gauge({
    name: 'firebreak_escalations_active',
    help: 'Escalations currently running (alerts paging and not yet acknowledged, resolved or exhausted)',
    registers: [registry],
    async collect() {
      if (!activeEscalations) return;
      try {
        this.set(await activeEscalations());
      } catch {
        // The scrape still answers when the database is down; /readyz says why.
      }
    },
  });

  const requestSeries = new Map<string, { count: { inc(): void }; duration: { observe(v: number): void } }>();

  return {
    registry,
    observeRequest(method, route, status, seconds, early = false) {
      // Labelled children are cached: resolving labels on every request costs more than answering /healthz.
      const key = `${method} ${route} ${status}`;
      let series = requestSeries.get(key);
      if (!series) {
        series = { count: requests.labels(method, route, String(status)), duration: duration.labels(method, route) };
        requestSeries.set(key, series);
      }
      series.count.inc();
      series.duration.observe(seconds);
      if (status >= 500) errors.inc({ method, route });
      if (early) earlyAnswers.inc();
    },
    jobsCompleted,
    jobDuration,
    setJobQueue(depth, lagSeconds, failed) {
      queueDepth.set(depth);
      queueLag.set(lagSeconds);
      failedJobs.set(failed);
    },
    paging,
  };
}
