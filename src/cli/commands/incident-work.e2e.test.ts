import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/app.js';
import { captureOutput as capture, cliClientFor as clientFor } from '../../../test/support/cli.js';
import type { ApiClient } from '../api-client.js';
import { declareIncident } from './incident.js';
import { changeTask, changeThread, listTasks, listThreads, registerIncidentWorkCommands } from './incident-work.js';

describe('firebreak incident tasks|task|threads|thread', () => {
  let t: TestApp;
  let rita: ApiClient;

  beforeEach(async () => {
    t = await buildTestApp();
    rita = clientFor(t, (await t.userWithToken('responder', 'rita')).token);
    await t.userWithToken('responder', 'sam');
    await declareIncident(rita, { title: 'Checkout errors', severity: 'SEV2' }, capture().out);
  });
  afterEach(async () => t.close());

  it('lists the checklist, adds a task, checks it off and undoes it, changes owners', async () => {
    const listed = capture();
    const tasks = await listTasks(rita, 'INC-1', listed.out);
    expect(tasks).toHaveLength(4);
    expect(listed.text().split('\n')[0]).toMatch(/^#\s+DONE\s+TASK\s+OWNER\s+PLAYBOOK$/);
    expect(listed.text()).toContain('Review status: what is broken, for whom, since when?  incident_commander (@rita)  first-five-minutes');

    const added = capture();
    await changeTask(rita, 'INC-1', undefined, { add: 'Check replica lag', role: 'ops' }, added.out);
    expect(added.text()).toBe('Added task #5 to INC-1: Check replica lag (owner operations_lead (vacant))\n');
    const done = capture();
    await changeTask(rita, 'INC-1', '5', { done: true, owner: 'sam' }, done.out);
    expect(done.text()).toBe('INC-1 task #5 done: Check replica lag (owner @sam)\n');
    const undone = capture();
    await changeTask(rita, 'INC-1', '#5', { undo: true, unowned: true }, undone.out);
    expect(undone.text()).toBe('INC-1 task #5 not done: Check replica lag (owner -)\n');

    await expect(changeTask(rita, 'INC-1', '9', { done: true }, capture().out)).rejects.toThrow('INC-1 has no task 9');
    await expect(changeTask(rita, 'INC-1', '5', {}, capture().out)).rejects.toThrow(/give --done, --undo/);
    await expect(changeTask(rita, 'INC-1', '5', { done: true, undo: true }, capture().out)).rejects.toThrow(/at most one/);
    await expect(changeTask(rita, 'INC-1', undefined, { add: 'x', owner: 'nobody-here' }, capture().out)).rejects.toThrow(/body.owner: no active user/);
    const timeline = await rita.request<{ items: Array<{ summary: string }> }>('GET', '/api/v1/incidents/INC-1/timeline');
    expect(timeline.items.map((e) => e.summary)).toContain('rita (API token) checked off “Check replica lag”');
  });

  it('opens a thread, hands it over and concludes it', async () => {
    const opened = capture();
    await changeThread(rita, 'INC-1', undefined, { open: 'Is it the DB?' }, opened.out);
    expect(opened.text()).toBe('Opened thread on INC-1: Is it the DB? (owner @rita)\n');
    const handed = capture();
    await changeThread(rita, 'INC-1', '1', { owner: 'sam' }, handed.out);
    expect(handed.text()).toBe('INC-1 thread “Is it the DB?”: open, owner @sam\n');
    const concluded = capture();
    await changeThread(rita, 'INC-1', '1', { conclude: 'Replica lag is normal' }, concluded.out);
    expect(concluded.text()).toBe('INC-1 thread “Is it the DB?”: concluded (Replica lag is normal), owner @sam\n');
    const listed = capture();
    await listThreads(rita, 'INC-1', listed.out);
    expect(listed.text()).toContain('1  concluded  Is it the DB?  @sam   Replica lag is normal');
    await expect(changeThread(rita, 'INC-1', '2', { abandon: true }, capture().out)).rejects.toThrow('INC-1 has no thread 2');
    await expect(changeThread(rita, 'INC-1', '1', { abandon: true, reopen: true }, capture().out)).rejects.toThrow(/at most one/);
  });

  it('registers its subcommands under `incident`', () => {
    const incident = new Command('incident');
    registerIncidentWorkCommands(incident);
    expect(incident.commands.map((c) => c.name())).toEqual(['tasks', 'task', 'threads', 'thread']);
  });
});
