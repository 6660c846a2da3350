import { describe, expect, it } from 'vitest';
import { configDocumentSchema, type ConfigDocument, type MaintenanceWindowDocument, type ServiceDocument, type SilenceDocument } from '../../contracts/config.js';
import { checkDocuments } from './check.js';
import { canonicalDocument, configKindOrder } from './kinds.js';
import { managedPart, plan } from './plan.js';

/** The kinds MaintenanceWindow and Silence, and a Service's heartbeat and email settings (docs/config-as-code.md). */

const doc = (kind: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'firebreak/v1', kind, metadata: { name }, spec });
const parse = <D extends ConfigDocument>(value: unknown) => configDocumentSchema.parse(value) as D;

const window = (spec: Record<string, unknown> = {}) => doc('MaintenanceWindow', 'db-upgrade', { name: 'DB upgrade', services: ['checkout'], startsAt: '2027-03-28T03:00:00+02:00', endsAt: '2027-03-28T05:00:00+02:00', ...spec });
const silence = (spec: Record<string, unknown> = {}) =>
  doc('Silence', 'noisy-disk', { matchers: [{ name: 'alertname', op: '=', value: 'DiskFull' }], comment: 'Known, ticket OPS-1', startsAt: '2027-01-01T00:00:00Z', endsAt: '2027-01-02T00:00:00Z', ...spec });

/** Issues of documents, each given its own name (so none is a duplicate of another). */
const issuesOf = (values: Array<{ metadata: { name: string } }>) =>
  checkDocuments(values.map((v, i) => ({ ...v, metadata: { name: `${v.metadata.name}-${i}` } })), { mode: 'skip' }).issues.map((i) => `${i.index} ${i.path.join('.')}: ${i.message}`);

describe('the MaintenanceWindow kind', () => {
  it('comes after Service, and Silence last (they name services)', () => {
    const at = configKindOrder.indexOf('Service');
    expect(configKindOrder.slice(at, at + 3)).toEqual(['Service', 'MaintenanceWindow', 'Silence']);
  });

  it('has a canonical form: instants in UTC, a one-off duration as its end, services sorted, empty description left out', () => {
    const canonical = canonicalDocument(parse(window({ services: ['search', 'checkout', 'search'], endsAt: undefined, durationMinutes: 90, description: '' }))) as MaintenanceWindowDocument;
    expect(canonical.spec).toEqual({ name: 'DB upgrade', services: ['checkout', 'search'], startsAt: '2027-03-28T01:00:00Z', endsAt: '2027-03-28T02:30:00Z' });
    expect(canonicalDocument(parse(canonical))).toEqual(canonical);
    const recurring = canonicalDocument(
      parse(window({ endsAt: undefined, recurrence: { rrule: 'RRULE:FREQ=WEEKLY;BYDAY=SU;BYHOUR=2', durationMinutes: 120, timeZone: 'Europe/Berlin' } })),
    ) as MaintenanceWindowDocument;
    expect(recurring.spec).toEqual({
      name: 'DB upgrade',
      services: ['checkout'],
      startsAt: '2027-03-28T01:00:00Z',
      recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=2', durationMinutes: 120, timeZone: 'Europe/Berlin' },
    });
  });

  it('refuses what the API refuses, at the field: a bad RRULE or time zone, a one-off without an end, an end before the start', () => {
    expect(
      issuesOf([
        window({ endsAt: undefined, recurrence: { rrule: 'FREQ=SECONDLY', durationMinutes: 60, timeZone: 'Europe/Berlin' } }),
        window({ endsAt: undefined, recurrence: { rrule: 'FREQ=DAILY', durationMinutes: 60, timeZone: 'Mars/Olympus' } }),
        window({ endsAt: undefined }),
        window({ endsAt: '2027-03-28T00:00:00Z' }),
        window({ durationMinutes: 30 }),
        window({ startsAt: undefined }),
        window({ services: ['Not A Handle'] }),
        window({ startsAt: '+275760-09-13T00:00:00Z', endsAt: undefined, durationMinutes: 60 }),
      ]),
    ).toEqual([
      '0 spec.recurrence.rrule: must have FREQ=HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY',
      '1 spec.recurrence.timeZone: must be an IANA time zone such as Europe/Lisbon or America/New_York',
      '2 spec.endsAt: is required for a one-off window (or give durationMinutes, or a recurrence)',
      '3 spec.endsAt: must be after startsAt',
      '4 spec.durationMinutes: is for one-off windows without endsAt (a recurrence has its own durationMinutes)',
      '5 spec.startsAt: is required',
      '6 spec.services.0: must be 1–63 lowercase letters, digits or hyphens, starting and ending with a letter or digit',
      '7 spec.startsAt: must be between the years 1900 and 2200',
    ]);
  });

  it('names its services as references', () => {
    const { issues } = checkDocuments([window({ services: ['checkout', 'ghost'] }), doc('Service', 'checkout', { name: 'Checkout' })], { mode: 'documents' });
    expect(issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'spec.services.1: Service `ghost` is not defined in these files (if it exists only on the server, check with `config plan`, or pass --skip-references)',
    ]);
  });
});

describe('the Silence kind', () => {
  it('has a canonical form: instants in UTC, a duration as its end, matchers in their order', () => {
    const canonical = canonicalDocument(parse(silence({ endsAt: undefined, durationMinutes: 120, startsAt: '2027-01-01T01:00:00+01:00', service: 'checkout' }))) as SilenceDocument;
    expect(canonical.spec).toEqual({
      matchers: [{ name: 'alertname', op: '=', value: 'DiskFull' }],
      comment: 'Known, ticket OPS-1',
      service: 'checkout',
      startsAt: '2027-01-01T00:00:00Z',
      endsAt: '2027-01-01T02:00:00Z',
    });
    expect(canonicalDocument(parse(canonical))).toEqual(canonical);
  });

  it('refuses a bad regex, a label name, matchers that match everything, and times that do not make a silence', () => {
    expect(
      issuesOf([
        silence({ matchers: [{ name: 'instance', op: '=~', value: 'db-(1' }] }),
        silence({ matchers: [{ name: '1bad', op: '=', value: 'x' }] }),
        silence({ matchers: [{ name: 'env', op: '=~', value: '.*' }] }),
        silence({ endsAt: undefined }),
        silence({ durationMinutes: 60 }),
        silence({ endsAt: '2026-12-31T00:00:00Z' }),
        silence({ endsAt: 'tomorrow' }),
        silence({ endsAt: undefined, startsAt: '2199-12-31T00:00:00Z', durationMinutes: 2880 }),
      ]).map((line) => line.replace(/: .*/s, '')),
    ).toEqual(['0 spec.matchers.0.value', '1 spec.matchers.0.name', '2 spec.matchers', '3 spec.endsAt', '4 spec.durationMinutes', '5 spec.endsAt', '6 spec.endsAt', '7 spec.durationMinutes']);
  });

  it('names its service as a reference', () => {
    const { issues } = checkDocuments([silence({ service: 'ghost' })], { mode: 'server', active: [], deactivated: [], prune: false });
    expect(issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['spec.service: Service `ghost` is not defined in these files and does not exist on the server']);
  });

  it('plans a change of matcher by position, and nothing when only the way an instant is written differs', () => {
    const current = [canonicalDocument(parse(silence()))];
    expect(plan([parse(silence({ startsAt: '2027-01-01T01:00:00+01:00' }))], current, { prune: false }).summary).toMatchObject({ update: 0, unchanged: 1 });
    const changed = plan([parse(silence({ matchers: [{ name: 'alertname', op: '=~', value: 'Disk.*' }] }))], current, { prune: false });
    expect(changed.changes[0]?.diff).toEqual([
      { field: 'spec.matchers.0.op', before: '=', after: '=~' },
      { field: 'spec.matchers.0.value', before: 'DiskFull', after: 'Disk.*' },
    ]);
    expect(plan([], current, { prune: true }).changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual(['delete Silence noisy-disk']);
  });
});

describe('heartbeat and email settings of a Service’s integrations', () => {
  const service = (integrations: unknown[]) => parse<ServiceDocument>(doc('Service', 'jobs', { name: 'Jobs', integrations }));

  it('are checked as the API checks them, and only for their own type', () => {
    expect(
      issuesOf([
        doc('Service', 'a', {
          name: 'A',
          integrations: [
            { name: 'nightly', type: 'heartbeat', heartbeat: { cron: '0 3 * *', timeZone: 'Europe/Berlin' } },
            { name: 'both', type: 'heartbeat', heartbeat: { cron: '0 3 * * *', periodSeconds: 3600 } },
            { name: 'zone', type: 'heartbeat', heartbeat: { cron: '0 3 * * *', timeZone: 'Nowhere/Else' } },
            { name: 'mail', type: 'email', email: { dedupKeyPattern: 'disk (full' } },
            { name: 'hook', type: 'webhook', heartbeat: { periodSeconds: 3600 }, email: { defaultSeverity: 'info' } },
          ],
        }),
      ]).map((line) => line.replace(/: .*/s, '')),
    ).toEqual([
      '0 spec.integrations.0.heartbeat.cron',
      '0 spec.integrations.1.heartbeat.cron',
      '0 spec.integrations.2.heartbeat.timeZone',
      '0 spec.integrations.3.email.dedupKeyPattern',
      '0 spec.integrations.4.heartbeat',
      '0 spec.integrations.4.email',
    ]);
  });

  it('compare only the fields a document states: left-out fields keep their value, as on the API', () => {
    const current = canonicalDocument(
      service([
        { name: 'nightly', type: 'heartbeat', heartbeat: { cron: '0 3 * * *', timeZone: 'Europe/Berlin', graceSeconds: 3600, severity: 'error' } },
        { name: 'mail', type: 'email', email: { resolve: { subject: ['RESOLVED'], body: [] }, acknowledge: { subject: [], body: [] }, defaultSeverity: 'error' } },
      ]),
    ) as ServiceDocument;
    const desired = service([
      { name: 'nightly', type: 'heartbeat', heartbeat: { graceSeconds: 600 } },
      { name: 'mail', type: 'email', email: { resolve: { subject: ['RESOLVED'] } } },
    ]);
    const part = managedPart(current, desired) as ServiceDocument;
    expect(part.spec.integrations?.map((i) => [i.heartbeat, i.email])).toEqual([
      [undefined, { resolve: { subject: ['RESOLVED'] } }],
      [{ graceSeconds: 3600 }, undefined],
    ]);
    expect(plan([desired], [current], { prune: false }).changes[0]?.diff).toEqual([{ field: 'spec.integrations[nightly].heartbeat.graceSeconds', before: 3600, after: 600 }]);
    // Leaving the settings out leaves them alone.
    expect(plan([service([{ name: 'nightly', type: 'heartbeat' }, { name: 'mail', type: 'email' }])], [current], { prune: false }).summary).toMatchObject({ unchanged: 1 });
  });

  it('have a canonical form with fields in a fixed order; an empty pattern is none', () => {
    const canonical = canonicalDocument(
      service([
        { name: 'mail', type: 'email', email: { defaultSeverity: 'info', severity: { warning: ['WARN'], critical: ['CRIT'] }, dedupKeyPattern: '' } },
        { name: 'cron', type: 'heartbeat', heartbeat: { severity: 'critical', graceSeconds: 60, maxRunSeconds: null, periodSeconds: 300 } },
      ]),
    ) as ServiceDocument;
    expect(canonical.spec.integrations).toEqual([
      { name: 'cron', type: 'heartbeat', disabled: false, heartbeat: { periodSeconds: 300, graceSeconds: 60, maxRunSeconds: null, severity: 'critical' } },
      { name: 'mail', type: 'email', disabled: false, email: { dedupKeyPattern: null, severity: { critical: ['CRIT'], warning: ['WARN'] }, defaultSeverity: 'info' } },
    ]);
    expect(Object.keys(canonical.spec.integrations?.[0]?.heartbeat ?? {})).toEqual(['periodSeconds', 'graceSeconds', 'maxRunSeconds', 'severity']);
    expect(canonicalDocument(parse(canonical))).toEqual(canonical);
  });
});
