import type { JobRunner } from '../../platform/jobs/job-runner.js';
import { HEARTBEAT_DEADLINE_TASK, type HeartbeatDeadlinePayload, type HeartbeatService } from './heartbeat.service.js';

/**
 * Registers the heartbeat deadline timer. Idempotent: the payload's revision fences it (a timer for a
 * heartbeat that has since been pinged does nothing), and a repeated run after a crash finds the
 * heartbeat already down and its alert already open, so it changes nothing.
 */
export function registerHeartbeatJobs(runner: JobRunner, heartbeats: HeartbeatService): void {
  runner.register<HeartbeatDeadlinePayload>(HEARTBEAT_DEADLINE_TASK, async ({ payload }) => heartbeats.wake(payload));
}
