import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Firebreak's own Prometheus metrics. One registry per process (not prom-client's global one) so
 * tests can build several apps side by side.
 */
export interface Metrics {
  registry: Registry;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  jobsCompleted: Counter<'task' | 'outcome'>;
  jobDuration: Histogram<'task'>;
  /** Set by the job runner before each scrape. */
  setJobQueue(depth: number, lagSeconds: number, failed: number): void;
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

  const requestSeries = new Map<string, { count: { inc(): void }; duration: { observe(v: number): void } }>();

  return {
    registry,
    observeRequest(method, route, status, seconds) {
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
    },
    jobsCompleted,
    jobDuration,
    setJobQueue(depth, lagSeconds, failed) {
      queueDepth.set(depth);
      queueLag.set(lagSeconds);
      failedJobs.set(failed);
    },
  };
}
