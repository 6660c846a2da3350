import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { useSession } from '../../app/session.js';
import { EmptyState, Loading, QueryError, Section } from '../../ui/page.js';
import { OnCallLayout } from '../oncall/oncall-layout.js';
import { canEditSchedules } from '../oncall/oncall-permissions.js';
import { teamsQuery } from '../teams/teams.api.js';
import { policiesApi, policiesQuery, usePolicyChange, type EscalationPolicy } from './escalation-policies.api.js';
import { draftFromPolicy, inputFromDraft, PolicyForm, type PolicyDraft } from './policy-form.js';

/** One line on what a policy does: "Primary → after 10 min Platform lead; repeats once". */
export function policySummary(policy: EscalationPolicy): string {
  const levels = policy.levels.map((level, i) => `${i === 0 ? '' : `after ${policy.levels[i - 1]?.delayMinutes ?? 0} min `}${level.targets.map((t) => t.name).join(', ')}`);
  const repeat = policy.repeat === 0 ? '' : policy.repeat === 1 ? '; repeats once' : `; repeats ${policy.repeat} times`;
  return `${levels.join(' → ')}${repeat}${policy.fallback ? `; then ${policy.fallback.name}` : ''}`;
}

/** Every escalation policy (every team can read every policy); people who may, create one here. */
export function PoliciesPage() {
  const session = useSession();
  const [, navigate] = useLocation();
  const [draft, setDraft] = useState<PolicyDraft | null>(null);
  const policies = useQuery(policiesQuery());
  const teams = useQuery(teamsQuery(true));
  const create = usePolicyChange(policiesApi.create, (policy) => navigate(`/oncall/escalation-policies/${policy.handle}`));
  const canCreate = canEditSchedules(session);
  const teamName = (id: string | null) => (id ? (teams.data?.find((t) => t.id === id)?.name ?? '…') : 'No team');

  return (
    <OnCallLayout
      page="Escalation policies"
      actions={
        canCreate &&
        !draft && (
          <button type="button" className="button button-primary" onClick={() => setDraft(draftFromPolicy())}>
            New policy
          </button>
        )
      }
    >
      {draft && (
        <Section title="New escalation policy" description="Who is notified when an alert fires, and who next when nobody acknowledges.">
          <PolicyForm draft={draft} onChange={setDraft} creating error={create.error} pending={create.isPending} submitLabel="Create policy" onSubmit={() => create.mutate(inputFromDraft(draft))} onCancel={() => setDraft(null)} />
        </Section>
      )}
      {policies.isPending ? (
        <Loading />
      ) : policies.isError ? (
        <QueryError error={policies.error} retry={() => void policies.refetch()} />
      ) : policies.data.length === 0 ? (
        <EmptyState title="No escalation policies yet">{canCreate ? <p>Create one to decide who is paged for a service, and who next.</p> : <p>Team admins create escalation policies.</p>}</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table table-stack">
            <thead>
              <tr>
                <th scope="col">Policy</th>
                <th scope="col">Escalation</th>
                <th scope="col" className="hide-narrow">
                  Team
                </th>
              </tr>
            </thead>
            <tbody>
              {policies.data.map((policy) => (
                <tr key={policy.id}>
                  <td>
                    <Link href={`/oncall/escalation-policies/${policy.handle}`} className="row-title">
                      {policy.name}
                    </Link>
                    <span className="handle">{policy.handle}</span>
                  </td>
                  <td data-label="Escalation">{policySummary(policy)}</td>
                  <td className="hide-narrow">{teamName(policy.teamId)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </OnCallLayout>
  );
}
