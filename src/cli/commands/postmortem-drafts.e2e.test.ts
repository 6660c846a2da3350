import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, serverWithToken, type CliServer } from '../../../test/support/config-cli.js';

/**
 * `firebreak postmortem delete|withdraw-public` as a user runs them: the real CLI as a child process
 * against a real server. (The list/show/export commands are tested in src/cli/commands.)
 */
describe('firebreak postmortem delete and withdraw-public (real CLI against a real server)', () => {
  let s: CliServer;
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
    s = await serverWithToken();
  }, 60_000);
  afterAll(async () => s.server.stop());

  it('deletes a draft, and names the reason when the server refuses', async () => {
    await api('POST', '/api/v1/postmortems', { title: 'Started by mistake' });
    await api('POST', '/api/v1/postmortems', { title: 'With an item' });
    await api('POST', '/api/v1/postmortems/PM-2/action-items', { title: 'Rehearse the rollback' });
    const deleted = await run(['delete', 'PM-1']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe('Deleted PM-1.\n');
    const refused = await run(['delete', 'PM-2']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('PM-2 has action items (AI-1); delete them first');
    const missing = await run(['withdraw-public', 'PM-2']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('PM-2 has no public version');
  });
});
