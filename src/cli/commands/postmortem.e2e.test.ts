import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, scratchDir, serverWithToken, type CliServer } from '../../../test/support/config-cli.js';
import type { Postmortem, PostmortemSummary } from '../../contracts/postmortems.js';
import { ManualClock } from '../../server/platform/clock.js';

/**
 * `firebreak postmortem list|show|export` as a user runs it: the real CLI as a child process against
 * a real server holding one drafted and one standalone postmortem.
 */

const MINUTE = 60_000;

describe('firebreak postmortem (real CLI against a real server)', () => {
  let s: CliServer;
  const clock = new ManualClock('2027-03-01T14:00:00Z');

  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${s.server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${s.env.FIREBREAK_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const run = (args: string[]) => cli(['postmortem', ...args], s.env);

  beforeAll(async () => {
    s = await serverWithToken(clock);
    await api('POST', '/api/v1/services', { handle: 'checkout', name: 'Checkout API' });
    await api('POST', '/api/v1/incidents', { title: 'Card payments failing', severity: 'SEV2', impactedServices: ['checkout'], customerImpact: 'Card payments fail' });
    clock.advance(47 * MINUTE);
    await api('POST', '/api/v1/incidents/INC-1/status', { status: 'resolved', summary: 'Rolled back v1.42' });
    // A SEV2 requires a postmortem: resolving drafts it (owner: the commander, with a due date).
    const drafted = await api<Postmortem>('GET', '/api/v1/postmortems/PM-1');
    expect(drafted.incident?.reference).toBe('INC-1');
    const sections = drafted.sections.map((x) =>
      x.key === 'root-cause' ? { key: x.key, title: x.title, body: 'A connection pool limit of 10 exhausted under the Monday peak; human error in the rollout checklist.' } : { key: x.key, title: x.title, body: x.body, internal: x.internal },
    );
    await api('PATCH', `/api/v1/postmortems/${drafted.reference}`, { baseVersion: drafted.version, sections, tags: ['payments'] });
    clock.advance(MINUTE);
    await api('POST', '/api/v1/postmortems', { title: 'Launch of the new search', tags: ['launch'] });
  }, 60_000);
  afterAll(async () => s.server.stop());

  it('lists postmortems as a table, newest change first, and as JSON', async () => {
    const listed = await run(['list']);
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+SEVERITY\s+INCIDENT\s+OCCURRED \(UTC\)\s+OWNER\s+DUE\s+TITLE$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/)[0])).toEqual(['PM-2', 'PM-1']);
    expect(lines[2]).toMatch(/^PM-1\s+draft\s+SEV2\s+INC-1\s+2027-03-01 14:00Z\s+root\s+2027-03-06\s+Card payments failing$/);

    const json = await run(['list', '--json', '--status', 'draft', '--tag', 'payments']);
    expect(json.code, json.stderr).toBe(0);
    const items = JSON.parse(json.stdout) as PostmortemSummary[];
    expect(items.map((p) => [p.reference, p.incidentReference, p.tags])).toEqual([['PM-1', 'INC-1', ['payments']]]);
  });

  it('searches full text, showing where each match is, and says when nothing matches', async () => {
    const found = await run(['list', '--search', 'connection pool']);
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout).toMatch(/^PM-1\s+draft/m);
    expect(found.stdout).not.toMatch(/^PM-2/m);
    expect(found.stdout).toMatch(/^PM-1: .*«connection».*«pool»/m);
    const prefix = await run(['list', '-s', 'launc*']);
    expect(prefix.stdout).toMatch(/^PM-2\s+draft/m);
    expect(prefix.stdout).not.toMatch(/^PM-1\s/m);
    const none = await run(['list', '--search', 'kubernetes']);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe('No postmortem matches `kubernetes`.\n');
  });

  it('shows a postmortem: header, blameless findings and every section', async () => {
    const shown = await run(['show', 'PM-1']);
    expect(shown.code, shown.stderr).toBe(0);
    const out = shown.stdout;
    expect(out.split('\n')[0]).toBe('PM-1: Card payments failing');
    expect(out).toMatch(/^Incident: +INC-1 Card payments failing$/m);
    expect(out).toMatch(/^When: +2027-03-01 14:00Z → 2027-03-01 14:47Z \(47 min\)$/m);
    expect(out).toMatch(/^Services: +checkout$/m);
    expect(out).toMatch(/^Tags: +payments$/m);
    expect(out).toMatch(/^Required: +yes \(.*SEV2.*\), due 2027-03-06 14:47Z$/m);
    expect(out).toMatch(/^Blameless review: \d+ findings?$/m);
    expect(out).toMatch(/\[root-cause\] “human error”/i);
    expect(out).toContain('## Root cause\n\nA connection pool limit of 10 exhausted under the Monday peak');
    // `12`, `#12` and the id name the same postmortem.
    const byNumber = await run(['show', '1', '--json']);
    expect((JSON.parse(byNumber.stdout) as Postmortem).reference).toBe('PM-1');
  });

  it('exports the server’s Markdown and print page, to standard output or a file', async () => {
    const md = await run(['export', 'PM-1']);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toMatch(/^# /);
    expect(md.stdout).toContain('Card payments failing');
    expect(md.stdout).toContain('A connection pool limit of 10 exhausted');

    const dir = scratchDir('firebreak-postmortem-export-');
    try {
      const file = join(dir.path, 'pm-1.html');
      const html = await run(['export', 'PM-1', '--format', 'html', '-o', file]);
      expect(html.code, html.stderr).toBe(0);
      expect(html.stdout).toBe('');
      expect(html.stderr).toMatch(/^Wrote PM-1 \(HTML, \d+ bytes\) to /);
      const page = readFileSync(file, 'utf8');
      expect(page).toMatch(/<html/i);
      expect(page).toContain('A connection pool limit of 10 exhausted');
      expect(page).not.toMatch(/<script/i);
    } finally {
      dir.remove();
    }
  });

  it('fails with a clear message and a non-zero code: unknown postmortem, bad options, no token', async () => {
    const missing = await run(['show', 'PM-99']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^firebreak: .*PM-99.*/);
    const format = await run(['export', 'PM-1', '--format', 'pdf']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format must be markdown or html, got `pdf`');
    const limit = await run(['list', '--limit', 'ten']);
    expect(limit.code).toBe(2);
    const noToken = await cli(['postmortem', 'list'], { FIREBREAK_URL: s.server.url });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('FIREBREAK_TOKEN is not set');
  });
});
