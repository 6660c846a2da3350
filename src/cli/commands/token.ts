import type { Command } from 'commander';
import { roleSchema } from '../../contracts/common.js';
import type { ApiToken } from '../../contracts/tokens.js';
import { apiClientFromEnv } from '../api-client.js';
import { CliError, printTable } from '../output.js';

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '-');

function status(token: ApiToken, now: number): string {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return 'expired';
  return 'active';
}

/** `firebreak token create|list|revoke`: API tokens, through the API (FIREBREAK_URL, FIREBREAK_TOKEN). */
export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('API tokens (talks to the server: FIREBREAK_URL, FIREBREAK_TOKEN)');

  token
    .command('create')
    .description('Create an API token and print its secret once (on stdout; the details go to stderr)')
    .requiredOption('--name <name>', 'what the token is for, e.g. "ci deploy"')
    .requiredOption('--role <role>', 'viewer, responder, admin or owner (at most your own role)')
    .option('--team <team>', 'team id or handle: the token may then act only on that team')
    .option('--expires-in-days <days>', 'days until the token stops working (default: never)')
    .action(async (opts: { name: string; role: string; team?: string; expiresInDays?: string }) => {
      const role = roleSchema.safeParse(opts.role);
      if (!role.success) throw new CliError(`--role: must be one of ${roleSchema.options.join(', ')}, got "${opts.role}"`, 2);
      let expiresInDays: number | undefined;
      if (opts.expiresInDays !== undefined) {
        expiresInDays = Number(opts.expiresInDays);
        if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 3650) throw new CliError(`--expires-in-days: must be a whole number from 1 to 3650, got "${opts.expiresInDays}"`, 2);
      }
      const created = await apiClientFromEnv().createToken({
        name: opts.name,
        role: role.data,
        ...(opts.team !== undefined ? { team: opts.team } : {}),
        ...(expiresInDays !== undefined ? { expiresInDays } : {}),
      });
      const t = created.token;
      const scope = t.teamId ? `, team ${opts.team ?? t.teamId}` : '';
      process.stderr.write(`Created API token "${t.name}" (${t.id}): role ${t.role}${scope}, ${t.expiresAt ? `expires ${t.expiresAt}` : 'never expires'}.\nThe secret below is shown once; Firebreak keeps only its hash.\n`);
      process.stdout.write(`${created.secret}\n`);
    });

  token
    .command('list')
    .description('List your API tokens (admins: --all for everyone’s)')
    .option('--all', 'every user’s tokens (admins only)')
    .action(async (opts: { all?: boolean }) => {
      const { items } = await apiClientFromEnv().listTokens(opts.all ?? false);
      const now = Date.now();
      printTable(
        items.map((t) => ({
          id: t.id,
          name: t.name,
          prefix: t.prefix,
          user: t.userHandle,
          role: t.role,
          team: t.teamId ?? '-',
          created: day(t.createdAt),
          expires: day(t.expiresAt),
          'last used': day(t.lastUsedAt),
          status: status(t, now),
        })),
      );
    });

  token
    .command('revoke')
    .description('Revoke an API token by id (see `token list`)')
    .argument('<id>', 'token id')
    .action(async (id: string) => {
      await apiClientFromEnv().revokeToken(id);
      process.stdout.write(`Revoked API token ${id}.\n`);
    });
}
