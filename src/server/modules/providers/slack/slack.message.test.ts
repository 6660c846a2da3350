import { describe, expect, it } from 'vitest';
import type { ChannelMessage } from '../../notify/channels/channel.js';
import { slackEscape, slackMessage } from './slack.message.js';

const message = (text: string, extra: Partial<ChannelMessage> = {}): ChannelMessage => ({ to: { type: 'slack', handle: 'U012AB3CDEF' }, subject: 'Firebreak test notification', text, kind: 'test', ...extra });
const sections = (text: string) => slackMessage('D1', message(text)).blocks.filter((b) => String(b.block_id).startsWith('text-')).map((b) => (b.text as { text: string }).text);

describe('Slack message layout', () => {
  it('escapes only &, < and > as Slack asks', () => {
    expect(slackEscape('a & b <c> "d" \'e\' *f*')).toBe('a &amp; b &lt;c&gt; "d" \'e\' *f*');
  });

  it('never cuts an escape in two when a text needs several sections of at most 3,000 characters', () => {
    const text = `${'x'.repeat(2998)}&&${'y'.repeat(10)}`;
    const parts = sections(text);
    expect(parts.map((p) => p.length)).toEqual([2998, 20]);
    expect(parts[1]!.startsWith('&amp;&amp;')).toBe(true);
    expect(parts.every((p) => p.length <= 3000)).toBe(true);
  });

  it('keeps an empty text as one section and cuts a header to Slack’s 150 characters', () => {
    const built = slackMessage('D1', message('', { subject: '#1 ' + 'é'.repeat(200) }));
    expect(sections('')).toEqual(['']);
    expect(((built.blocks[0] as { text: { text: string } }).text.text as string).length).toBe(150);
    expect(built.text).toBe('#1 ' + 'é'.repeat(200));
  });
});
