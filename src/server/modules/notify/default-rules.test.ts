import { describe, expect, it } from 'vitest';
import { defaultRules } from './default-rules.js';

describe('default notification rules', () => {
  it('uses the account email at once for both urgencies when that is the only method', () => {
    expect(defaultRules([{ id: 'mail', type: 'email' }])).toEqual({
      high: [{ delayMinutes: 0, contactMethodId: 'mail' }],
      low: [{ delayMinutes: 0, contactMethodId: 'mail' }],
    });
  });

  it('sends push and email at once, SMS after 1 minute and a call after 3 for high urgency; no phone for low', () => {
    const rules = defaultRules([
      { id: 'call', type: 'voice' },
      { id: 'text', type: 'sms' },
      { id: 'mail', type: 'email' },
      { id: 'app', type: 'push' },
    ]);
    expect(rules.high).toEqual([
      { delayMinutes: 0, contactMethodId: 'mail' },
      { delayMinutes: 0, contactMethodId: 'app' },
      { delayMinutes: 1, contactMethodId: 'text' },
      { delayMinutes: 3, contactMethodId: 'call' },
    ]);
    expect(rules.low).toEqual([
      { delayMinutes: 0, contactMethodId: 'mail' },
      { delayMinutes: 0, contactMethodId: 'app' },
    ]);
  });

  it('gives no rules to someone without contact methods', () => {
    expect(defaultRules([])).toEqual({ high: [], low: [] });
  });
});
