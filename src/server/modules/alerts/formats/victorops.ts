import type { AlertEvent, Severity } from '../../../../core/alerts/alert.js';
import { isObject } from './alertmanager.js';

/**
 * Splunk On-Call (VictorOps) REST endpoint integration
 * (`POST /integrations/victorops/{key}[/{routingKey}]`): VictorOps URLs end in
 * `…/alert/<api key>/<routing key>`, so the Firebreak URL takes the same two trailing segments; the
 * routing key is kept as the label `routing_key` (Firebreak routes by service and rules instead).
 *
 * - `message_type` (required, case-insensitive): `CRITICAL` and `WARNING` trigger (severity critical /
 *   warning), `INFO` triggers an info alert (low urgency by default: recorded, nobody paged —
 *   VictorOps' INFO also opens no incident), `ACKNOWLEDGEMENT` acknowledges, `RECOVERY` resolves.
 * - `entity_id`: the identity across the lifecycle (dedup key); generated and returned when a trigger
 *   has none, required for `ACKNOWLEDGEMENT` and `RECOVERY`.
 * - `entity_display_name` → title (else `state_message`, else the entity id), `state_message` →
 *   description, `monitoring_tool` → source, `alert_url` / `*_url` fields → links; every other field
 *   is kept in details, and string fields become labels (for routing rules).
 *
 * Answers are VictorOps': `{"result":"success","entity_id":"…"}` and
 * `{"result":"failure","message":"…"}` (the message starts with the field's name).
 */

export const VICTOROPS_ENTITY_ID_MAX = 512;
export const VICTOROPS_TITLE_MAX = 1024;
export const VICTOROPS_DESCRIPTION_MAX = 20_000;

const triggers: Record<string, Severity> = { CRITICAL: 'critical', WARNING: 'warning', INFO: 'info' };
const known = new Set(['message_type', 'entity_id', 'entity_display_name', 'state_message', 'monitoring_tool', 'alert_url']);

export type VictorOpsResult = { ok: true; event: AlertEvent; entityId: string; entityIdGenerated: boolean } | { ok: false; message: string };

export function readVictorOps(body: unknown, routingKey: string | null, newEntityId: () => string): VictorOpsResult {
  if (!isObject(body)) return { ok: false, message: 'body: must be a JSON object with message_type and entity_id' };
  const rawType = body.message_type;
  if (rawType === undefined || rawType === null || rawType === '') return { ok: false, message: 'message_type: is required (CRITICAL, WARNING, INFO, ACKNOWLEDGEMENT or RECOVERY)' };
  const type = typeof rawType === 'string' ? rawType.trim().toUpperCase() : '';
  if (!(type in triggers) && type !== 'ACKNOWLEDGEMENT' && type !== 'RECOVERY') return { ok: false, message: `message_type: must be CRITICAL, WARNING, INFO, ACKNOWLEDGEMENT or RECOVERY, got ${JSON.stringify(rawType).slice(0, 40)}` };
  let entityId: string | null = null;
  const rawId = body.entity_id;
  if (rawId !== undefined && rawId !== null && rawId !== '') {
    if (typeof rawId !== 'string' && typeof rawId !== 'number') return { ok: false, message: 'entity_id: must be a string' };
    entityId = String(rawId);
    if (entityId.length > VICTOROPS_ENTITY_ID_MAX) return { ok: false, message: `entity_id: must be at most ${VICTOROPS_ENTITY_ID_MAX} characters` };
  }
  for (const field of ['entity_display_name', 'state_message', 'monitoring_tool', 'alert_url'] as const) {
    const v = body[field];
    if (v !== undefined && v !== null && typeof v !== 'string') return { ok: false, message: `${field}: must be a string` };
  }
  if (type === 'ACKNOWLEDGEMENT' || type === 'RECOVERY') {
    if (!entityId) return { ok: false, message: `entity_id: is required for message_type ${type}` };
    return { ok: true, entityId, entityIdGenerated: false, event: { action: type === 'RECOVERY' ? 'resolve' : 'acknowledge', dedupKey: entityId } };
  }
  const id = entityId ?? newEntityId();
  const display = typeof body.entity_display_name === 'string' && body.entity_display_name.trim() !== '' ? body.entity_display_name.trim() : null;
  const stateMessage = typeof body.state_message === 'string' ? body.state_message : '';
  const firstLine = stateMessage.split('\n')[0]?.trim() ?? '';
  const title = display ?? (firstLine !== '' ? firstLine : id);
  const labels: Record<string, string> = {};
  const details: Record<string, unknown> = { message_type: type };
  const links: Array<{ href: string; text: string | null }> = [];
  for (const [k, v] of Object.entries(body)) {
    if (k.endsWith('_url') && typeof v === 'string' && /^https?:\/\/\S+$/i.test(v) && v.length <= 2048 && links.length < 20) links.push({ href: v, text: k === 'alert_url' ? 'Alert' : k });
    if (known.has(k)) continue;
    details[k] = v;
    if (typeof v === 'string' && k.length <= 100 && Object.keys(labels).length < 50) labels[k] = v.slice(0, 1000);
  }
  if (routingKey) labels.routing_key = routingKey;
  return {
    ok: true,
    entityId: id,
    entityIdGenerated: entityId === null,
    event: {
      action: 'trigger',
      dedupKey: id,
      title: title.length > VICTOROPS_TITLE_MAX ? `${title.slice(0, VICTOROPS_TITLE_MAX - 1)}…` : title,
      description: stateMessage.length > VICTOROPS_DESCRIPTION_MAX ? `${stateMessage.slice(0, VICTOROPS_DESCRIPTION_MAX - 1)}…` : stateMessage,
      source: typeof body.monitoring_tool === 'string' && body.monitoring_tool !== '' ? body.monitoring_tool.slice(0, 200) : 'victorops',
      severity: triggers[type] as Severity,
      labels,
      details,
      links,
      images: [],
    },
  };
}

/** VictorOps' answers. */
export const victorOpsAnswers = {
  success: (entityId: string) => ({ status: 200, body: { result: 'success', entity_id: entityId } }),
  failure: (status: number, message: string, headers?: Record<string, string>) => ({ status, body: { result: 'failure', message }, ...(headers ? { headers } : {}) }),
};
