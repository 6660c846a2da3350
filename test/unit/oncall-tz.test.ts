/**
 * The schedule engine's results must not depend on the time zone of the process running it (the
 * on-call issue's fifth property). Core code cannot read the environment, so this runs the engine in
 * child processes under different TZ settings and compares their output byte for byte.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./oncall-tz.fixture.ts', import.meta.url));
const run = (tz: string) =>
  execFileSync(process.execPath, ['--import', 'tsx', fixture], { env: { ...process.env, TZ: tz }, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' });

describe('schedule engine and the process time zone', () => {
  it('gives byte-identical results under TZ=UTC, America/New_York and Pacific/Chatham', () => {
    const outputs = ['UTC', 'America/New_York', 'Pacific/Chatham'].map((tz) => ({ tz, out: run(tz) }));
    const digest = (s: string) => createHash('sha256').update(s).digest('hex');
    expect((outputs[0]?.out ?? '').length).toBeGreaterThan(100_000); // it really computed something
    for (const { tz, out } of outputs) expect({ tz, digest: digest(out) }).toEqual({ tz, digest: digest(outputs[0]?.out ?? '') });
  }, 60_000);
});
