import type { Command } from 'commander';
import { generateVapidKeys } from './vapid-keys.js';

/**
 * `firebreak webpush generate-keys [--json]`: a VAPID key pair for a web push provider, so operators
 * need no other tool. Touches no database and no network. The CLI's composition root registers it
 * (`registerWebPushCommands(program)` in src/cli/main.ts).
 */
export function registerWebPushCommands(program: Command, out: NodeJS.WritableStream = process.stdout): void {
  const webpush = program.command('webpush').description('Web push (VAPID) helpers');
  webpush
    .command('generate-keys')
    .description('Print a new VAPID key pair for a web push notification provider (generate once: changing keys means everyone re-enables push)')
    .option('--json', 'print {"publicKey","privateKey"} as JSON')
    .action((options: { json?: boolean }) => {
      const keys = generateVapidKeys();
      if (options.json) {
        out.write(`${JSON.stringify(keys)}\n`);
        return;
      }
      out.write(
        [
          `publicKey:  ${keys.publicKey}`,
          `privateKey: ${keys.privateKey}`,
          '',
          'Give both as the secrets of a web push provider (Settings → Notification providers → Web push, or',
          'POST /api/v1/notification-providers with kind "webpush"), with a mailto: or https: contact as its subject.',
          'Keep the private key secret; keep both for good: subscriptions are bound to the public key.',
          '',
        ].join('\n'),
      );
    });
}
