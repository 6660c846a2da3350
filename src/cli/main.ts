import { Command, CommanderError } from 'commander';
import { registerAlertCommands } from './commands/alert.js';
import { registerBackupCommands } from './commands/backup.js';
import { registerConfigCommands } from './commands/config.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDrillCommands } from './commands/drill.js';
import { registerHeartbeatCommands } from './commands/heartbeat.js';
import { registerMaintenanceCommands } from './commands/maintenance.js';
import { registerSilenceCommands } from './commands/silence.js';
import { registerWebPushCommands } from '../server/modules/providers/webpush/vapid-keys.command.js';
import { registerOncallCommand } from './commands/oncall.js';
import { registerProviderCommands } from './commands/provider.js';
import { registerIncidentCommands } from './commands/incident.js';
import { registerChangeCommands } from './commands/change.js';
import { registerServeCommands } from './commands/serve.js';
import { registerServiceCommands } from './commands/service.js';
import { registerStatusPageCommands } from './commands/statuspage.js';
import { registerPostmortemCommands } from './commands/postmortem.js';
import { registerRoutingCommands } from './commands/service-routing.js';
import { registerTokenCommands } from './commands/token.js';
import { registerUserCommands } from './commands/user.js';
import { CliError } from './output.js';

/**
 * The `firebreak` command. Database commands (serve, migrate, user create, backup, restore, demo) act
 * on the database named by the environment; operational commands (token, config plan/apply/export, oncall)
 * talk to a running server through its API with FIREBREAK_URL and FIREBREAK_TOKEN (ADR 0006).
 */
export function buildCli(): Command {
  const program = new Command('firebreak')
    .description('Firebreak: self-hosted incident response. Docs: docs/README.md')
    .showHelpAfterError()
    .exitOverride();
  registerServeCommands(program);
  registerUserCommands(program);
  registerBackupCommands(program);
  registerDemoCommand(program);
  registerTokenCommands(program);
  registerConfigCommands(program);
  registerOncallCommand(program);
  registerAlertCommands(program);
  registerDrillCommands(program);
  registerServiceCommands(program);
  registerRoutingCommands(program);
  registerHeartbeatCommands(program);
  registerMaintenanceCommands(program);
  registerSilenceCommands(program);
registerWebPushCommands(program);
  registerProviderCommands(program);
  registerIncidentCommands(program);
  registerChangeCommands(program);
  registerStatusPageCommands(program);
  registerPostmortemCommands(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliError) {
      process.stderr.write(`firebreak: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`firebreak: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

const code = await runCli(process.argv);
if (code !== 0) process.exitCode = code;
