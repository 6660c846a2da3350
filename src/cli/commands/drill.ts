import type { Command } from 'commander';
import type { PolicyDrill } from '../../contracts/paging.js';
import { apiClientFromEnv, type ApiClient } from '../api-client.js';
import { printTable } from '../output.js';

const policyPath = (policy: string) => `/api/v1/escalation-policies/${encodeURIComponent(policy)}/drills`;

/** Prints a drill's summary line and its steps. */
function printDrill(drill: PolicyDrill, out: NodeJS.WritableStream): void {
  const answered = drill.acknowledgedAt ? `; acknowledged by ${drill.acknowledgedBy ?? '?'} after ${drill.timeToAcknowledgeSeconds ?? '?'} s` : drill.status === 'running' ? `; ends itself ${drill.endsAt} if nobody answers` : '';
  out.write(`Drill #${drill.alertNumber} of ${drill.policy.handle}: ${drill.status}${answered}\n`);
  if (drill.steps.length === 0) return;
  printTable(
    drill.steps.map((s) => ({
      STEP: s.level === null ? 'fallback' : `level ${s.level}${s.round > 0 ? ` (repeat ${s.round})` : ''}`,
      FIRED: s.firedAt,
      PAGED: s.pages.length > 0 ? s.pages.map((p) => `@${p.userHandle} ${p.channel} ${p.status}`).join(', ') : s.people.map((p) => `@${p.handle}`).join(', ') || 'nobody',
      OUTCOME: s.outcome,
      SECONDS: String(s.outcome === 'acknowledged' ? s.acknowledgedAfterSeconds : s.waitedSeconds),
    })),
    out,
  );
}

/** `firebreak drill start <policy>`: pages the policy for real, every page marked as a test. */
export async function startDrill(api: ApiClient, policy: string, out: NodeJS.WritableStream = process.stdout): Promise<PolicyDrill> {
  const drill = await api.request<PolicyDrill>('POST', policyPath(policy), {});
  out.write(`Drill #${drill.alertNumber} started: acknowledge it as you would an alert; \`firebreak drill show ${drill.policy.handle} ${drill.alertNumber}\` reports each step\n`);
  return drill;
}

/** `firebreak drill show <policy> [drill]`: one drill's report, or the latest drills'. */
export async function showDrills(api: ApiClient, policy: string, drill: string | undefined, out: NodeJS.WritableStream = process.stdout): Promise<PolicyDrill[]> {
  const drills = drill === undefined ? (await api.request<{ items: PolicyDrill[] }>('GET', policyPath(policy))).items : [await api.request<PolicyDrill>('GET', `${policyPath(policy)}/${encodeURIComponent(drill)}`)];
  if (drills.length === 0) out.write(`No drills of ${policy} yet\n`);
  for (const d of drills) printDrill(d, out);
  return drills;
}

/** `firebreak drill …`: escalation policy drills through the API (FIREBREAK_URL, FIREBREAK_TOKEN). */
export function registerDrillCommands(program: Command): void {
  const drill = program.command('drill').description('Drill an escalation policy: a real, test-marked page walk, and how long each step took to be acknowledged (talks to the server)');
  drill
    .command('start <policy>')
    .description('Start a drill of an escalation policy (admins, or admins of the team owning it)')
    .action(async (policy: string) => {
      await startDrill(apiClientFromEnv(), policy);
    });
  drill
    .command('show <policy> [drill]')
    .description('Report a drill (by its alert number), or the latest drills of the policy')
    .action(async (policy: string, ref: string | undefined) => {
      await showDrills(apiClientFromEnv(), policy, ref);
    });
}
