/**
 * Heartbeat deadlines must not depend on the time zone of the process computing them (cron-parser
 * and Temporal take the heartbeat's own zone). Core code cannot read the environment, so this runs
 * the rules in child processes under different TZ settings and compares their output.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./heartbeat-tz.fixture.ts', import.meta.url));
const run = async (tz: string) => (await promisify(execFile)(process.execPath, ['--import', 'tsx', fixture], { env: { ...process.env, TZ: tz }, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' })).stdout;

describe('heartbeat deadlines and the process time zone', () => {
  it('are identical under TZ=UTC, America/New_York and Pacific/Chatham', async () => {
    const outputs = await Promise.all(['UTC', 'America/New_York', 'Pacific/Chatham'].map(async (tz) => ({ tz, out: await run(tz) })));
    const digest = (s: string) => createHash('sha256').update(s).digest('hex');
    expect((outputs[0]?.out ?? '').split('\n').length).toBeGreaterThan(5_000);
    expect(outputs[0]?.out).not.toContain('null');
    for (const { tz, out } of outputs) expect({ tz, digest: digest(out) }).toEqual({ tz, digest: digest(outputs[0]?.out ?? '') });
  }, 120_000);
});
