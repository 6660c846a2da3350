import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { useSession } from '../../app/session.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { FormAlert } from '../../ui/field.js';
import { Loading, PageHeader, QueryError, Section } from '../../ui/page.js';
import { canEditSchedules } from '../oncall/oncall-permissions.js';
import { teamsQuery } from '../teams/teams.api.js';
import { policiesApi, policyQuery, usePolicyChange, type EscalationPolicy } from './escalation-policies.api.js';
import { policySummary } from './policies-page.js';
import { draftFromPolicy, draftSignature, inputFromDraft, PolicyForm, type PolicyDraft } from './policy-form.js';
import { PolicyPagingSection } from './policy-paging-section.js';
import { PolicyPreviewPanel } from './policy-preview.js';

/** One escalation policy: the editor (for people who may edit) beside the live preview. */
export function PolicyPage({ policy: ref }: { policy: string }) {
  const policy = useQuery(policyQuery(ref));
  const [savedVersion, setSavedVersion] = useState<string | null>(null);
  if (policy.isPending) return <Loading />;
  if (policy.isError) return <QueryError error={policy.error} retry={() => void policy.refetch()} />;
  // Keyed by the saved version: after a save the editor starts again from what the server stored.
  return <PolicyEditor key={policy.data.updatedAt} policy={policy.data} justSaved={savedVersion === policy.data.updatedAt} onSaved={setSavedVersion} />;
}

function PolicyEditor({ policy, justSaved, onSaved }: { policy: EscalationPolicy; justSaved: boolean; onSaved: (version: string) => void }) {
  const session = useSession();
  const [, navigate] = useLocation();
  const teams = useQuery(teamsQuery(true));
  const [draft, setDraft] = useState<PolicyDraft>(() => draftFromPolicy(policy));
  const update = usePolicyChange(
    (input: PolicyDraft) => {
      const { handle: _handle, ...changes } = inputFromDraft(input);
      return policiesApi.update(policy.id, changes);
    },
    (saved) => onSaved(saved.updatedAt),
  );
  const remove = usePolicyChange(() => policiesApi.remove(policy.id), () => navigate('/oncall/escalation-policies'));
  const manage = canEditSchedules(session, policy.teamId);
  const dirty = draftSignature(draft) !== draftSignature(draftFromPolicy(policy));
  const team = policy.teamId ? teams.data?.find((t) => t.id === policy.teamId) : undefined;

  return (
    <>
      <p className="breadcrumb">
        <Link href="/oncall">On-call</Link> <Link href="/oncall/escalation-policies">Escalation policies</Link>
      </p>
      <PageHeader
        title={policy.name}
        description={
          <>
            <span className="handle">{policy.handle}</span>
            {team && <Link href={`/teams/${team.handle}`}>{team.name}</Link>}
          </>
        }
      />
      <div className="policy-layout">
        <div>
          {manage ? (
            <Section title="Escalation" description="Changes apply to alerts that fire after you save.">
              <PolicyForm
                draft={draft}
                onChange={setDraft}
                creating={false}
                error={update.error}
                pending={update.isPending}
                submitLabel="Save policy"
                onSubmit={() => update.mutate(draft)}
                status={dirty ? 'Unsaved changes' : justSaved ? 'Saved.' : ''}
              />
            </Section>
          ) : (
            <Section title="Escalation" description="Only admins of the owning team can change this policy.">
              {policy.description && <p className="lead">{policy.description}</p>}
              <ReadOnlyPolicy policy={policy} />
            </Section>
          )}
        </div>
        <PolicyPreviewPanel policy={policy} dirty={manage && dirty} />
      </div>
      <PolicyPagingSection policy={policy} manage={manage} />
      {manage && (
        <Section title="Delete policy" description="Services using this policy stop paging anyone until they get another.">
          <FormAlert error={remove.error} />
          <ConfirmButton label="Delete policy" question={`Delete ${policy.name}?`} pending={remove.isPending} onConfirm={() => remove.mutate(undefined)} />
        </Section>
      )}
    </>
  );
}

function ReadOnlyPolicy({ policy }: { policy: EscalationPolicy }) {
  return (
    <>
      <p className="muted">{policySummary(policy)}</p>
      <ol className="levels">
        {policy.levels.map((level, index) => (
          <li key={index} className="level level-readonly">
            <h3>Level {index + 1}</h3>
            <p>{level.targets.map((t) => `${t.name} (${t.type})`).join(', ')}</p>
            <p className="muted small">Escalates after {level.delayMinutes} minutes without an acknowledgement.</p>
          </li>
        ))}
      </ol>
      <p className="muted small">
        {policy.repeat === 0 ? 'Does not repeat.' : `Repeats ${policy.repeat} more time${policy.repeat === 1 ? '' : 's'}.`} {policy.fallback ? `Fallback: ${policy.fallback.name}.` : 'No fallback.'}{' '}
        {policy.skipEmptyLevels ? 'Levels with nobody on call are skipped.' : 'Levels with nobody on call wait out their minutes.'}
      </p>
    </>
  );
}
