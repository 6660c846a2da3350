import type { z } from 'zod';
import { serviceInputSchema, type integrationTypeSchema, type severitySchema } from '../../../contracts/alerts.js';
import type { DemoContext, DemoSection } from './demo.service.js';

type IntegrationType = z.infer<typeof integrationTypeSchema>;
type Severity = z.infer<typeof severitySchema>;

interface DemoService {
  handle: string;
  name: string;
  description: string;
  /** A demo team handle (catalog.demo.ts); its escalation policy has the same handle (oncall.demo.ts). */
  team: string;
  runbookUrl: string;
  dashboardUrl: string;
  integrations: Array<{ name: string; type: IntegrationType }>;
}

/** Services with the integrations a real team would have. Handles are exported for later sections. */
export const demoServices: readonly DemoService[] = Object.freeze<DemoService[]>([
  {
    handle: 'checkout-api',
    name: 'Checkout API',
    description: 'Takes payments for the web shop and the apps: carts, payment intents, order confirmation.',
    team: 'payments',
    runbookUrl: 'https://runbooks.example.com/payments/checkout-api',
    dashboardUrl: 'https://grafana.example.com/d/checkout-api',
    integrations: [
      { name: 'Prometheus', type: 'alertmanager' },
      { name: 'Datadog', type: 'events-v2' },
    ],
  },
  {
    handle: 'api-gateway',
    name: 'API gateway',
    description: 'The edge every request passes: TLS, routing, rate limits and authentication.',
    team: 'platform',
    runbookUrl: 'https://runbooks.example.com/platform/api-gateway',
    dashboardUrl: 'https://grafana.example.com/d/api-gateway',
    integrations: [
      { name: 'Prometheus', type: 'alertmanager' },
      { name: 'Grafana', type: 'grafana' },
    ],
  },
  {
    handle: 'warehouse-pipeline',
    name: 'Warehouse pipeline',
    description: 'Nightly loads from the product databases into the warehouse behind the morning dashboards.',
    team: 'data',
    runbookUrl: 'https://runbooks.example.com/data/warehouse-pipeline',
    dashboardUrl: 'https://grafana.example.com/d/warehouse',
    integrations: [{ name: 'Airflow', type: 'webhook' }],
  },
]);

interface DemoAlert {
  service: string;
  dedupKey: string;
  title: string;
  description: string;
  severity: Severity;
  labels: Record<string, string>;
  /** What a responder already did: nothing (triggered), acknowledged (with a note), or resolved. */
  then: 'nothing' | 'acknowledge' | 'resolve';
  note?: string;
}

/** A handful of alerts in every state, so the alerts page has something to show on first login. */
export const demoAlerts: readonly DemoAlert[] = Object.freeze<DemoAlert[]>([
  {
    service: 'checkout-api',
    dedupKey: 'checkout-latency-p99',
    title: 'Checkout p99 latency above 2 s',
    description: 'p99 of POST /v1/checkout has been above 2 s for 10 minutes (2.4 s now).',
    severity: 'critical',
    labels: { alertname: 'CheckoutLatencyHigh', region: 'eu-west-1' },
    then: 'nothing',
  },
  {
    service: 'checkout-api',
    dedupKey: 'payment-provider-errors',
    title: 'Payment provider error rate at 4%',
    description: 'Card authorisations failing with provider timeouts.',
    severity: 'error',
    labels: { alertname: 'PaymentProviderErrors', provider: 'acme-pay' },
    then: 'acknowledge',
    note: 'Provider status page confirms degraded performance in EU; failing over to the secondary acquirer.',
  },
  {
    service: 'api-gateway',
    dedupKey: 'gateway-5xx-rate',
    title: '5xx rate above 1% on api-gateway',
    description: 'Mostly 503 from the search backend.',
    severity: 'warning',
    labels: { alertname: 'Gateway5xxRate', route: '/v1/search' },
    then: 'nothing',
  },
  {
    service: 'api-gateway',
    dedupKey: 'cert-expiry-api-example-com',
    title: 'Certificate for api.example.com expires in 7 days',
    description: 'cert-manager has not renewed it yet.',
    severity: 'info',
    labels: { alertname: 'CertificateExpiringSoon', host: 'api.example.com' },
    then: 'nothing',
  },
  {
    service: 'warehouse-pipeline',
    dedupKey: 'nightly-load-failed',
    title: 'Nightly warehouse load failed',
    description: 'Task load_orders failed after 3 retries: relation "orders_2026_11" does not exist.',
    severity: 'error',
    labels: { dag: 'nightly_load', task: 'load_orders' },
    then: 'resolve',
    note: 'Partition created by hand and the task re-run; follow-up to create partitions ahead of time.',
  },
]);

/**
 * Services with integrations (in the demo's transaction), then a handful of alerts in different states
 * (after it commits: each alert change commits on its own, as intake does).
 */
export const alertsDemo: DemoSection = {
  name: 'services and alerts',
  async existing({ db }) {
    const rows = await db
      .selectFrom('services')
      .select('handle')
      .where('deleted_at', 'is', null)
      .where('handle', 'in', demoServices.map((s) => s.handle))
      .orderBy('handle')
      .execute();
    return rows.length > 0 ? [`services (${rows.map((r) => r.handle).join(', ')})`] : [];
  },
  async add({ db, tx, services, acting }: DemoContext) {
    const catalog = services.serviceCatalog;
    let created = 0;
    let integrations = 0;
    for (const s of demoServices) {
      if (await catalog.find(db, s.handle)) continue;
      const team = await db.selectFrom('teams').select('id').where('handle', '=', s.team).where('deactivated_at', 'is', null).executeTakeFirst();
      const policy = await db.selectFrom('escalation_policies').select('id').where('handle', '=', s.team).where('deleted_at', 'is', null).executeTakeFirst();
      const input = serviceInputSchema.parse({
        handle: s.handle,
        name: s.name,
        description: s.description,
        runbookUrl: s.runbookUrl,
        dashboardUrl: s.dashboardUrl,
        ...(team ? { team: s.team } : {}),
        ...(policy ? { escalationPolicy: s.team } : {}),
      });
      const service = await catalog.createIn(db, acting, input);
      created++;
      for (const i of s.integrations) {
        await catalog.createIntegrationIn(tx, acting, service.id, i);
        integrations++;
      }
    }
    return `${created} services, ${integrations} integrations`;
  },
  async afterCommit({ services, acting }) {
    let count = 0;
    // Only services without alerts of their own get demo alerts (a --force run adds nothing twice).
    const db = services.database.db;
    const quiet = new Set<string>();
    for (const s of demoServices) {
      const service = await services.serviceCatalog.find(db, s.handle);
      if (service && !(await db.selectFrom('alerts').select('id').where('service_id', '=', service.id).limit(1).executeTakeFirst())) quiet.add(s.handle);
    }
    for (const a of demoAlerts) {
      if (!quiet.has(a.service)) continue;
      const result = await services.alerts.trigger(acting, { service: a.service, title: a.title, description: a.description, severity: a.severity, dedupKey: a.dedupKey, labels: a.labels });
      if (result.outcome !== 'created' || !result.alert) continue;
      count++;
      if (a.then !== 'nothing') await services.alerts.act(acting, result.alert.id, a.then, a.note);
    }
    return `${count} alerts (triggered, acknowledged and resolved)`;
  },
};
