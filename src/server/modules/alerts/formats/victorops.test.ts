import { describe, expect, it } from 'vitest';
import { readVictorOps } from './victorops.js';

const id = () => 'generated';

describe('readVictorOps', () => {
  it.each([
    ['CRITICAL', 'critical'],
    ['warning', 'warning'],
    [' Info ', 'info'],
  ])('message_type %s triggers with severity %s', (type, severity) => {
    const read = readVictorOps({ message_type: type, entity_id: 'e' }, null, id);
    expect(read.ok && read.event.action === 'trigger' && read.event.severity).toBe(severity);
  });

  it('ACKNOWLEDGEMENT and RECOVERY act on entity_id, which they require', () => {
    expect(readVictorOps({ message_type: 'ACKNOWLEDGEMENT', entity_id: 'e' }, null, id)).toEqual({ ok: true, entityId: 'e', entityIdGenerated: false, event: { action: 'acknowledge', dedupKey: 'e' } });
    expect(readVictorOps({ message_type: 'RECOVERY', entity_id: 7 }, null, id)).toEqual({ ok: true, entityId: '7', entityIdGenerated: false, event: { action: 'resolve', dedupKey: '7' } });
    expect(readVictorOps({ message_type: 'RECOVERY' }, null, id)).toEqual({ ok: false, message: 'entity_id: is required for message_type RECOVERY' });
  });

  it('keeps the other fields: title, description, source, links, details, labels and the routing key', () => {
    const read = readVictorOps({ message_type: 'CRITICAL', state_message: 'First line\nsecond', monitoring_tool: 'zabbix', alert_url: 'https://z.example/1', graph_url: 'javascript:x', host: 'db-1', value: 97 }, 'ops', id);
    expect(read).toEqual({
      ok: true, entityId: 'generated', entityIdGenerated: true,
      event: {
        action: 'trigger', dedupKey: 'generated', title: 'First line', description: 'First line\nsecond', source: 'zabbix', severity: 'critical',
        labels: { graph_url: 'javascript:x', host: 'db-1', routing_key: 'ops' }, details: { message_type: 'CRITICAL', graph_url: 'javascript:x', host: 'db-1', value: 97 },
        links: [{ href: 'https://z.example/1', text: 'Alert' }], images: [],
      },
    });
  });

  it('names the field of every problem', () => {
    expect(readVictorOps(null, null, id)).toEqual({ ok: false, message: 'body: must be a JSON object with message_type and entity_id' });
    expect(readVictorOps({ message_type: 1 }, null, id)).toEqual({ ok: false, message: 'message_type: must be CRITICAL, WARNING, INFO, ACKNOWLEDGEMENT or RECOVERY, got 1' });
    expect(readVictorOps({ message_type: 'CRITICAL', entity_id: 'x'.repeat(513) }, null, id)).toEqual({ ok: false, message: 'entity_id: must be at most 512 characters' });
    expect(readVictorOps({ message_type: 'CRITICAL', entity_display_name: [] }, null, id)).toEqual({ ok: false, message: 'entity_display_name: must be a string' });
  });
});
