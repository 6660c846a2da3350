import type { z } from 'zod';
import { serviceInputSchema } from '../../../contracts/alerts.js';
import { AppError } from '../../../contracts/errors.js';
import type { testPageResultSchema } from '../../../contracts/paging.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { JobScheduler } from '../../platform/jobs/job-queue.js';
import type { JobRunner } from '../../platform/jobs/job-runner.js';
import type { Logger } from '../../platform/logger.js';
import type { AlertService } from '../alerts/alert.service.js';
import { AuditLog, systemActor } from '../audit/audit.repo.js';
import type { Acting, CatalogService } from '../catalog/catalog.service.js';
import type { ServiceCatalog } from '../services/service.service.js';
import { TEST_PAGE_END_TASK, testPageEndJobKey, type PagingService } from './paging.service.js';

/** The internal service self-test alerts are opened on; made on first use, paging nobody by itself. */
export const SELF_TEST_SERVICE = 'firebreak-self-test';
/** A test alert nobody acknowledges resolves itself after this long. */
export const TEST_PAGE_LIFETIME_MS = 30 * 60_000;

export type TestPageResult = z.infer<typeof testPageResultSchema>;

export interface TestPageEndPayload {
  alertId: string;
}

export interface TestPagesDeps {
  database: FirebreakDatabase;
  clock: Clock;
  ids: IdGenerator;
  jobs: JobScheduler;
  alerts: AlertService;
  services: ServiceCatalog;
  catalog: CatalogService;
  paging: PagingService;
}

const FIREBREAK = { actor: systemActor('Firebreak self-test'), principal: null } satisfies Acting;

/**
 * "Send me a test page" (docs/paging.md, "Test pages"): walks the real pipeline rather than calling a
 * channel directly, so what a person hears is what a real page would do, down to the one-click
 * acknowledge link. Each test opens an alert on the internal service `firebreak-self-test` (titled
 * "Test page for @ana", clearly a test), queues one page marked `test` to each of the person's
 * high-urgency contact methods at once through the page outbox, and lets the delivery jobs send them
 * (`PageContext.test`, subject starting with `[TEST]`). Acknowledging the test alert — from the page's
 * link, a reply, the UI — resolves it; otherwise it resolves itself after 30 minutes. The self-test
 * service has no escalation policy, so nobody else is ever paged.
 */
export class TestPages {
  private readonly audit: AuditLog;

  constructor(private readonly deps: TestPagesDeps) {
    this.audit = new AuditLog(deps.ids, () => deps.clock.now());
  }

  /** Sends `userRef` a test page; `acting` must be them or an admin (the routes check the role). */
  async send(acting: Acting, userRef: string): Promise<TestPageResult> {
    const { database, catalog, alerts, paging, jobs, clock } = this.deps;
    const user = await catalog.requireUser(database.db, userRef);
    if (user.deactivated_at !== null) throw new AppError('RULE_VIOLATION', `User \`${user.handle}\` is deactivated: Firebreak pages nobody who is deactivated`);
    await this.ensureService();
    const { alert } = await alerts.trigger(FIREBREAK, {
      service: SELF_TEST_SERVICE,
      title: `Test page for @${user.handle}`,
      severity: 'info',
      description: `A test page requested by ${acting.actor.label}, sent to each of @${user.handle}'s high-urgency contact methods. Not an incident: acknowledge it to check the acknowledge path; it resolves itself then, or after 30 minutes.`,
      labels: { 'firebreak.test': 'true' },
    });
    if (!alert) throw new AppError('RULE_VIOLATION', `The test alert for @${user.handle} was dropped by a routing rule of service \`${SELF_TEST_SERVICE}\``);
    const pages = await database.transaction(async (tx) => {
      const queued = await paging.queueTestPages(tx, alert.id, user.id);
      await this.audit.record(tx.db, acting.actor, { action: 'user.test-page', targetType: 'user', targetId: user.id, after: { alertId: alert.id, pages: queued } });
      await jobs.addJob<TestPageEndPayload>(tx, { task: TEST_PAGE_END_TASK, key: testPageEndJobKey(alert.id), runAt: clock.now() + TEST_PAGE_LIFETIME_MS, payload: { alertId: alert.id } });
      return queued;
    });
    if (pages.length === 0) throw new AppError('RULE_VIOLATION', `@${user.handle} has no verified contact method in their high-urgency notification rules, so a page cannot reach them; alert #${alert.number} says so`);
    return { alertId: alert.id, alertNumber: alert.number, pages };
  }

  /** The end job: resolves the test alert if it is still open (a no-op otherwise). */
  async end(payload: TestPageEndPayload): Promise<'resolved' | 'closed'> {
    const alert = await this.deps.alerts.get(payload.alertId).catch(() => null);
    if (!alert || alert.status === 'resolved') return 'closed';
    await this.deps.alerts.act(FIREBREAK, alert.id, 'resolve', alert.status === 'acknowledged' ? 'Test acknowledged' : 'Test not acknowledged in time');
    return 'resolved';
  }

  private ensureService(): Promise<void> {
    return ensureSelfTestService(this.deps);
  }
}

/** Makes the internal self-test service on first use (test pages and drills open their alerts there). */
export async function ensureSelfTestService(deps: Pick<TestPagesDeps, 'services' | 'database'>): Promise<void> {
  const { services, database } = deps;
  if (await services.find(database.db, SELF_TEST_SERVICE)) return;
  try {
    await services.create(FIREBREAK, serviceInputSchema.parse({ handle: SELF_TEST_SERVICE, name: 'Firebreak self-test', description: 'Internal: test pages (“Send me a test page”) and escalation policy drills open their alerts here. It pages nobody by itself.' }));
  } catch (error) {
    // Another request made it first.
    if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error;
  }
}

/** Registers the test alert's end job. */
export function registerTestPageJobs(runner: JobRunner, testPages: TestPages, logger: Logger): void {
  runner.register<TestPageEndPayload>(TEST_PAGE_END_TASK, async ({ payload }) => {
    const outcome = await testPages.end(payload);
    logger.info({ alertId: payload.alertId, outcome }, `test alert ${outcome}`);
  });
}
