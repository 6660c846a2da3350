/**
 * The real Firebreak server (the same composition root `firebreak serve` uses, configured from the
 * environment) as a child process whose clock can be moved forward by the test that started it:
 * escalation delays are minutes, and a reliability test that kills the process with SIGKILL cannot
 * hand it a ManualClock. The clock is the wall clock plus an offset, so time still flows (leases,
 * backoff and polling behave as in production) and jumps only when told to:
 *
 *   node --import tsx test/support/offset-clock-server.ts      (env as for `firebreak serve`, plus
 *                                                                FIREBREAK_TEST_CLOCK_OFFSET_MS)
 *
 * stdin lines `advance <ms>` move the clock forward (and wake the job runner); each is answered on
 * stdout with `offset <ms>`. `ready <url>` is printed once listening. Started by
 * test/reliability/paging-kill.test.ts through `spawnTs`; the offset survives a restart because the
 * test passes the last one back in the environment.
 */
import { createInterface } from 'node:readline';
import { createFirebreak } from '../../src/server/main.js';
import type { Clock } from '../../src/server/platform/clock.js';
import { loadConfig } from '../../src/server/platform/config.js';
import { createLogger } from '../../src/server/platform/logger.js';

let offset = Number(process.env.FIREBREAK_TEST_CLOCK_OFFSET_MS ?? '0');
if (!Number.isFinite(offset)) throw new Error(`FIREBREAK_TEST_CLOCK_OFFSET_MS must be a number of milliseconds, got ${process.env.FIREBREAK_TEST_CLOCK_OFFSET_MS}`);
const clock: Clock = { now: () => Date.now() + offset };

const config = loadConfig(process.env);
const firebreak = await createFirebreak({ config, clock, logger: createLogger(config.logLevel) });
const started = await firebreak.start();

createInterface({ input: process.stdin }).on('line', (line) => {
  const match = /^advance (\d+)$/.exec(line.trim());
  if (!match) {
    process.stderr.write(`offset-clock-server: unknown command ${JSON.stringify(line)}\n`);
    return;
  }
  offset += Number(match[1]);
  firebreak.runner.wake();
  process.stdout.write(`offset ${offset}\n`);
});

process.stdout.write(`ready ${started.url}\n`);
