import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readAlertmanager } from './alertmanager.js';
import { grafanaSignature, readGrafana, verifyGrafanaSignature } from './grafana.js';

const amFiring = JSON.parse(readFileSync(new URL('../../../../../test/fixtures/reference/alertmanager_webhook_sample.json', import.meta.url), 'utf8')) as Record<string, unknown>;

describe('Alertmanager-shaped formats', () => {
  it('Alertmanager: severity from commonLabels.severity, else error', () => {
    const read = readAlertmanager(amFiring);
    expect(read.ok && read.event.severity).toBe('critical');
    const warning = readAlertmanager({ ...amFiring, commonLabels: { alertname: 'X', severity: 'warning' } });
    expect(warning.ok && warning.event.severity).toBe('warning');
    const none = readAlertmanager({ ...amFiring, commonLabels: { alertname: 'X' } });
    expect(none.ok && none.event.severity).toBe('error');
    const unknown = readAlertmanager({ ...amFiring, commonLabels: { alertname: 'X', severity: 'sev-7' } });
    expect(unknown.ok && unknown.event.severity).toBe('error');
  });

  it('Grafana: version "1", the Alertmanager grouping plus links, images and values', () => {
    const body = { ...amFiring, version: '1', orgId: 1, title: '[FIRING:1] AlwaysFiring', state: 'alerting', message: 'Firing', alerts: [{ ...(amFiring.alerts as object[])[0], dashboardURL: 'https://g.example/d/x', panelURL: 'https://g.example/d/x?viewPanel=2', silenceURL: 'javascript:alert(1)', imageURL: 'https://g.example/i.png', values: { A: 1, B: null }, valueString: "[ var='A' value=1 ]" }] };
    const read = readGrafana(body);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.event).toMatchObject({ action: 'group', dedupKey: amFiring.groupKey, severity: 'critical', details: { orgId: 1, state: 'alerting', title: '[FIRING:1] AlwaysFiring', message: 'Firing' } });
    // Non-web URLs are dropped, as everywhere else.
    expect(read.event.members[0]?.links).toEqual([{ href: 'https://g.example/d/x', text: 'Dashboard' }, { href: 'https://g.example/d/x?viewPanel=2', text: 'Panel' }]);
    expect(read.event.members[0]?.details).toEqual({ values: { A: 1, B: null }, valueString: "[ var='A' value=1 ]" });
    expect(read.event.images).toEqual([{ src: 'https://g.example/i.png', href: 'https://g.example/d/x?viewPanel=2', alt: 'AlwaysFiring' }]);
    expect(readGrafana(amFiring).ok).toBe(false);
    expect(readAlertmanager(body).ok).toBe(false);
  });

  it('Grafana signatures: hex HMAC-SHA256 over the body, or over "<timestamp>:<body>"', () => {
    const raw = Buffer.from('{"a":1}');
    expect(verifyGrafanaSignature('s3cret', raw, grafanaSignature('s3cret', raw), undefined)).toBe(true);
    expect(verifyGrafanaSignature('s3cret', raw, grafanaSignature('s3cret', raw).toUpperCase(), undefined)).toBe(true);
    expect(verifyGrafanaSignature('s3cret', raw, grafanaSignature('other', raw), undefined)).toBe(false);
    expect(verifyGrafanaSignature('s3cret', raw, undefined, undefined)).toBe(false);
    expect(verifyGrafanaSignature('s3cret', raw, grafanaSignature('s3cret', raw, '17'), '17')).toBe(true);
    expect(verifyGrafanaSignature('s3cret', raw, grafanaSignature('s3cret', raw), '17')).toBe(false);
  });
});
