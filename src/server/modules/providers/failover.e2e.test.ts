import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type FirebreakDatabase } from '../../platform/db/database.js';
import { ManualClock } from '../../platform/clock.js';
import { ChannelError, type Channel, type ChannelMessage } from '../notify/channels/channel.js';
import { FailoverChannel, type RoutedChannel } from './failover.js';
import { HealthBook } from './health.js';

const message: ChannelMessage = { to: { type: 'sms', phone: '+15550100' }, subject: 'Alert #1', text: 'x', kind: 'test' } as ChannelMessage;

/** A provider's channel that always fails the way it is told. */
function failing(error: ChannelError): Channel {
  return { type: 'sms', send: () => Promise.reject(error) };
}

describe('FailoverChannel and Retry-After', () => {
  let database: FirebreakDatabase;
  let health: HealthBook;

  beforeEach(async () => {
    database = openDatabase({ sqlitePath: ':memory:' });
    await database.migrate();
    health = new HealthBook({ database, clock: new ManualClock(Date.parse('2026-11-21T10:00:00Z')) });
  });
  afterEach(() => database.close());

  const route = (name: string, position: number, channel: Channel): RoutedChannel => ({ providerId: `prv_${name}`, provider: name, position, createdAt: 0, channel });

  it('asks to wait the shortest Retry-After when every provider that may still succeed gave one', async () => {
    const channel = new FailoverChannel('sms', [route('a', 1, failing(new ChannelError('busy', false, { retryAfterMs: 30_000 }))), route('b', 2, failing(new ChannelError('busy', false, { retryAfterMs: 5_000 })))], health);
    const failure = (await channel.send(message).catch((e: unknown) => e)) as ChannelError;
    expect(failure.permanent).toBe(false);
    expect(failure.retryAfterMs).toBe(5_000);
  });

  it('asks for no wait when one provider failed without a Retry-After, and ignores permanent refusals', async () => {
    const mixed = new FailoverChannel('sms', [route('a', 1, failing(new ChannelError('busy', false, { retryAfterMs: 30_000 }))), route('b', 2, failing(new ChannelError('down', false)))], health);
    expect(((await mixed.send(message).catch((e: unknown) => e)) as ChannelError).retryAfterMs).toBeUndefined();
    const refused = new FailoverChannel('sms', [route('a', 1, failing(new ChannelError('no such number', true))), route('b', 2, failing(new ChannelError('busy', false, { retryAfterMs: 9_000 })))], health);
    expect(((await refused.send(message).catch((e: unknown) => e)) as ChannelError).retryAfterMs).toBe(9_000);
  });
});
