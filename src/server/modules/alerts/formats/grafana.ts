import { createHmac, timingSafeEqual } from 'node:crypto';
import { isWebUrl, type Image, type Link, type Member } from '../../../../core/alerts/alert.js';
import type { FieldIssue } from '../../../../contracts/errors.js';
import { isObject, readAlertGroup, stringMap, type AlertmanagerResult } from './alertmanager.js';

/**
 * Grafana alerting webhook (`version: "1"`), as WIRE-FORMATS.md describes it: Alertmanager's shape
 * plus `orgId`, `title`, `state`, `message` on the body and `silenceURL`, `dashboardURL`, `panelURL`,
 * `imageURL`, `values`, `valueString` on each alert. Grouping is Alertmanager's (readAlertGroup): one
 * alert per `groupKey`, members by `fingerprint`. Each member keeps its dashboard, panel and silence
 * links, its screenshot and its values; the alert gets the links and screenshots of the first post's
 * members (deduplicated) and the body's `title`, `message`, `state` and `orgId` in its details.
 */

/** Members' links and images copied onto the alert, at most. */
const ALERT_LINKS_MAX = 20;
const MESSAGE_MAX = 20_000;

function url(a: Record<string, unknown>, field: string, path: string, issues: FieldIssue[]): string | null {
  const value = a[field];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') {
    issues.push({ path: `${path}.${field}`, message: 'must be a string' });
    return null;
  }
  return isWebUrl(value) ? value : null;
}

function member(a: Record<string, unknown>, path: string, issues: FieldIssue[]): Pick<Member, 'links' | 'images' | 'details'> {
  const links: Link[] = [];
  const dashboard = url(a, 'dashboardURL', path, issues);
  const panel = url(a, 'panelURL', path, issues);
  const silence = url(a, 'silenceURL', path, issues);
  const image = url(a, 'imageURL', path, issues);
  if (dashboard) links.push({ href: dashboard, text: 'Dashboard' });
  if (panel) links.push({ href: panel, text: 'Panel' });
  if (silence) links.push({ href: silence, text: 'Silence' });
  const labels = isObject(a.labels) ? a.labels : {};
  const images: Image[] = image ? [{ src: image, href: panel ?? dashboard, alt: typeof labels.alertname === 'string' ? labels.alertname : null }] : [];
  const details: Record<string, unknown> = {};
  if (a.values !== undefined && a.values !== null) {
    if (!isObject(a.values)) issues.push({ path: `${path}.values`, message: 'must be an object of numbers' });
    else {
      const values: Record<string, number | null> = {};
      for (const [k, v] of Object.entries(a.values)) {
        // Grafana writes NaN and infinities as null; anything else not a number is refused.
        if (typeof v === 'number' || v === null) values[k] = v;
        else issues.push({ path: `${path}.values.${k}`, message: 'must be a number' });
      }
      details.values = values;
    }
  }
  if (a.valueString !== undefined && a.valueString !== null) {
    if (typeof a.valueString !== 'string') issues.push({ path: `${path}.valueString`, message: 'must be a string' });
    else if (a.valueString !== '') details.valueString = a.valueString.slice(0, MESSAGE_MAX);
  }
  return { links, images, details };
}

function dedupe<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  }).slice(0, ALERT_LINKS_MAX);
}

export function readGrafana(body: unknown): AlertmanagerResult {
  return readAlertGroup(body, {
    version: '1',
    describe: 'a Grafana alerting webhook notification',
    externalUrlText: 'Grafana',
    member,
    event: (event, raw, issues) => {
      for (const field of ['title', 'state', 'message'] as const) {
        if (raw[field] !== undefined && raw[field] !== null && typeof raw[field] !== 'string') issues.push({ path: `body.${field}`, message: 'must be a string' });
      }
      if (raw.orgId !== undefined && raw.orgId !== null && typeof raw.orgId !== 'number') issues.push({ path: 'body.orgId', message: 'must be a number' });
      const commonAnnotations = stringMap(raw.commonAnnotations, 'body.commonAnnotations', []);
      const commonLabels = stringMap(raw.commonLabels, 'body.commonLabels', []);
      const title = typeof raw.title === 'string' && raw.title.trim() !== '' ? raw.title : null;
      const message = typeof raw.message === 'string' ? raw.message.slice(0, MESSAGE_MAX) : null;
      const memberLinks = event.members.flatMap((m) => m.links ?? []);
      const memberImages = event.members.flatMap((m) => m.images ?? []);
      return {
        ...event,
        // Grafana's own `title` ("[FIRING:2] HighLatency (checkout)") when no summary or alertname says it better.
        title: (commonAnnotations.summary ?? commonLabels.alertname ?? title ?? event.title).slice(0, 1024),
        description: commonAnnotations.description ?? message ?? '',
        links: dedupe([...event.links, ...memberLinks], (l) => l.href),
        images: dedupe(memberImages, (i) => i.src),
        details: {
          ...(event.details as Record<string, unknown>),
          orgId: typeof raw.orgId === 'number' ? raw.orgId : null,
          title,
          state: typeof raw.state === 'string' ? raw.state : null,
          message,
        },
      };
    },
  });
}

/** The header Grafana's webhook contact point writes the signature to, unless told otherwise. */
export const GRAFANA_SIGNATURE_HEADER = 'x-grafana-alerting-signature';
/** The timestamp header Firebreak's snippet configures (Grafana sends none unless one is named). */
export const GRAFANA_TIMESTAMP_HEADER = 'x-grafana-alerting-timestamp';

/**
 * Checks a Grafana HMAC signature: hex HMAC-SHA256, keyed with the shared secret, over the raw body —
 * or over `<timestamp>:<body>` when the timestamp header is present (Grafana's "timestamp header"
 * option). Compared in constant time; a missing or malformed signature fails.
 */
export function verifyGrafanaSignature(secret: string, raw: Buffer, signature: string | undefined, timestamp: string | undefined): boolean {
  if (!signature || !/^[0-9a-fA-F]{64}$/.test(signature.trim())) return false;
  const mac = createHmac('sha256', secret);
  if (timestamp !== undefined && timestamp !== '') mac.update(`${timestamp}:`);
  mac.update(raw);
  return timingSafeEqual(mac.digest(), Buffer.from(signature.trim(), 'hex'));
}

/** Signs a body the way Grafana does (tests, docs). */
export function grafanaSignature(secret: string, raw: string | Buffer, timestamp?: string): string {
  const mac = createHmac('sha256', secret);
  if (timestamp !== undefined) mac.update(`${timestamp}:`);
  return mac.update(raw).digest('hex');
}
