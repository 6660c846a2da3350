import { channelContract } from './channel.contract.js';
import { FakeChannel, recipientOf } from './fake.channel.js';

channelContract('in-memory fake', async () => {
  const channel = new FakeChannel('email');
  channel.refused.add('nobody@example.com');
  return {
    channel,
    deliverable: { type: 'email', email: 'ana@example.com' },
    refused: { type: 'email', email: 'nobody@example.com' },
    delivered: async () => channel.sent.map((m) => ({ recipient: recipientOf(m), subject: m.subject, text: m.text })),
    close: async () => {},
  };
});
