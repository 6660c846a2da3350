import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/app.js';
import { captureOutput as capture, cliClientFor as clientFor } from '../../../test/support/cli.js';
import { serviceInputSchema } from '../../contracts/alerts.js';
import { systemActor } from '../../server/modules/audit/audit.repo.js';
import type { ApiClient } from '../api-client.js';
import { Command } from 'commander';
import { assignIncidentRole, declareIncident, listIncidents, registerIncidentCommands, releaseIncidentRole, resolveIncident, roleKey, setIncidentStatus, updateIncident } from './incident.js';

describe('firebreak incident', () => {
  let t: TestApp;
  let rita: ApiClient;
  let alice: ApiClient;

  beforeEach(async () => {
    t = await buildTestApp();
    rita = clientFor(t, (await t.userWithToken('responder', 'rita')).token);
    alice = clientFor(t, (await t.userWithToken('responder', 'alice')).token);
    await t.firebreak.services.serviceCatalog.create({ actor: systemActor('test'), principal: null }, serviceInputSchema.parse({ handle: 'checkout', name: 'Checkout' }));
  });
  afterEach(async () => t.close());

  it('declares, updates, moves status, hands over command, resolves and lists', async () => {
    const declared = capture();
    await declareIncident(rita, { title: 'Checkout errors', severity: 'SEV2', service: ['checkout'] }, declared.out);
    expect(declared.text()).toBe('Declared INC-1 [SEV2] investigating: Checkout errors; commander @rita\n');

    const updated = capture();
    await updateIncident(rita, 'INC-1', { severity: 'SEV1', impact: 'Card payments fail' }, updated.out);
    expect(updated.text()).toBe('Updated INC-1 [SEV1] investigating: Checkout errors; commander @rita\n');
    await expect(updateIncident(rita, 'INC-1', {}, capture().out)).rejects.toThrow(/at least one of --title/);
    const message = capture();
    const withUpdate = await updateIncident(rita, 'INC-1', { message: 'Card payments fail for some customers; next update in 30 minutes' }, message.out);
    expect(message.text()).toBe('Posted a stakeholder update to INC-1\n');
    expect(withUpdate.lastUpdateAt).toBe('2026-11-02T10:00:00.000Z');

    const status = capture();
    await setIncidentStatus(rita, '1', 'monitoring', { mitigated: true, note: 'Rolled back' }, status.out);
    expect(status.text()).toBe('INC-1 [SEV1] monitoring (mitigated): Checkout errors; commander @rita\n');
    await expect(setIncidentStatus(rita, '1', 'done', {}, capture().out)).rejects.toThrow(/status must be one of/);

    // Taking command without naming the holder is refused by the server, naming them.
    await expect(assignIncidentRole(alice, 'INC-1', 'commander', 'alice', {}, capture().out)).rejects.toThrow(/@rita is the incident commander; handing over a role is explicit/);
    const role = capture();
    await assignIncidentRole(alice, 'INC-1', 'ic', 'alice', { from: 'rita' }, role.out);
    expect(role.text()).toBe('INC-1: @alice is the incident commander\n');
    const comms = capture();
    await assignIncidentRole(alice, 'INC-1', 'comms', 'rita', { from: 'nobody' }, comms.out);
    expect(comms.text()).toBe('INC-1: @rita is the communications lead\n');
    const released = capture();
    await releaseIncidentRole(alice, 'INC-1', 'comms', 'rita', released.out);
    expect(released.text()).toBe('INC-1: the communications lead role is vacant\n');
    await expect(releaseIncidentRole(alice, 'INC-1', 'commander', 'alice', capture().out)).rejects.toThrow(/never released/);

    const resolved = capture();
    await resolveIncident(alice, 'INC-1', { summary: 'Bad deploy of v1.42, rolled back' }, resolved.out);
    expect(resolved.text()).toBe('INC-1 [SEV1] resolved: Checkout errors; commander @alice\n');
    await expect(updateIncident(alice, 'INC-1', { title: 'Renamed' }, capture().out)).rejects.toThrow(/only `summary` and timeline annotations may change/);

    await declareIncident(alice, { title: 'Slow search', severity: 'SEV4' }, capture().out);
    const open = capture();
    await listIncidents(rita, { status: 'open' }, open.out);
    expect(open.text()).toMatch(/^ID\s+SEVERITY\s+STATUS\s+MITIGATED\s+COMMANDER/);
    expect(open.text()).toContain('INC-2');
    expect(open.text()).not.toContain('INC-1 ');
    const all = capture();
    await listIncidents(rita, { service: 'checkout' }, all.out);
    expect(all.text().trim().split('\n')).toHaveLength(2);
    expect(all.text()).toContain('Checkout errors');
  });

  it('names roles by short aliases and custom names', () => {
    expect(roleKey('commander')).toBe('incident_commander');
    expect(roleKey('scribe')).toBe('scribe');
    expect(roleKey('db-liaison')).toBe('custom:db-liaison');
  });

  it('registers every subcommand', () => {
    const program = new Command('firebreak');
    registerIncidentCommands(program);
    const incident = program.commands.find((c) => c.name() === 'incident');
    expect(incident?.commands.map((c) => c.name()).sort()).toEqual(['declare', 'list', 'resolve', 'role', 'status', 'task', 'tasks', 'thread', 'threads', 'update']);
  });
});
