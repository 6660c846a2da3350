import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import type { PolicyDrill } from '../../../contracts/paging.js';
import { api, fieldErrors } from '../../api/client.js';
import { Field, FormAlert } from '../../ui/field.js';
import { Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import type { EscalationPolicy } from './escalation-policies.api.js';

const ref = (idOrHandle: string) => encodeURIComponent(idOrHandle);

/** Re-read while a drill runs, so its steps appear as the escalation walks them. */
const DRILL_REFRESH_MS = 5_000;

const settingsQuery = (policy: string) => ({
  queryKey: ['escalation-policies', 'paging-settings', policy] as const,
  queryFn: () => api.get<{ policy: string; ackTimeoutMinutes: number | null }>(`/escalation-policies/${ref(policy)}/paging-settings`),
});

const drillsQuery = (policy: string) => ({
  queryKey: ['escalation-policies', 'drills', policy] as const,
  queryFn: async () => (await api.get<{ items: PolicyDrill[] }>(`/escalation-policies/${ref(policy)}/drills`)).items,
  refetchInterval: (query: { state: { data?: PolicyDrill[] | undefined } }) => (query.state.data?.some((d) => d.status === 'running') ? DRILL_REFRESH_MS : false),
});

const duration = (seconds: number | null) => {
  if (seconds === null) return '—';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
};

const STATUS_TEXT: Record<PolicyDrill['status'], string> = { running: 'Running: waiting for an answer', acknowledged: 'Acknowledged', unanswered: 'Unanswered: every step paged, nobody acknowledged', ended: 'Ended unanswered' };

/**
 * The policy's paging settings and drills (docs/paging.md): the acknowledgement timeout, and "Run a
 * drill", which pages the policy for real with every page marked as a test and reports how long each
 * step took to be acknowledged.
 */
export function PolicyPagingSection({ policy, manage }: { policy: EscalationPolicy; manage: boolean }) {
  return (
    <>
      <AckTimeout policy={policy} manage={manage} />
      <Drills policy={policy} manage={manage} />
    </>
  );
}

function AckTimeout({ policy, manage }: { policy: EscalationPolicy; manage: boolean }) {
  const queryClient = useQueryClient();
  const settings = useQuery(settingsQuery(policy.id));
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (minutes: number | null) => api.put(`/escalation-policies/${ref(policy.id)}/paging-settings`, { ackTimeoutMinutes: minutes }),
    onSuccess: async () => {
      setSaved(true);
      await queryClient.invalidateQueries({ queryKey: ['escalation-policies', 'paging-settings', policy.id] });
    },
  });
  const current = settings.data?.ackTimeoutMinutes ?? null;
  const describe = current === null ? 'An acknowledgement holds until the alert is resolved.' : `An acknowledged alert not resolved within ${current} minutes triggers again and escalates from level 1.`;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaved(false);
    const text = String(new FormData(event.currentTarget).get('ackTimeoutMinutes') ?? '').trim();
    save.mutate(text === '' ? null : Number(text));
  };
  return (
    <Section title="Acknowledgement timeout" description="Alerts that fire after you save use the new value.">
      <p className="muted">{settings.isPending ? 'Loading…' : describe}</p>
      {manage && settings.isSuccess && (
        <form onSubmit={submit} className="inline-form" noValidate>
          <FormAlert error={save.error} fields={['body.ackTimeoutMinutes']} />
          <Field label="Re-trigger after (minutes)" name="ackTimeoutMinutes" error={save.error ? fieldErrors(save.error)['body.ackTimeoutMinutes'] : undefined} hint="Empty: an acknowledgement holds until resolved. At most 10080 (a week).">
            {(control) => <input {...control} type="number" min={1} max={10080} defaultValue={current ?? ''} />}
          </Field>
          <button type="submit" className="button" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save timeout'}
          </button>
          {saved && <span role="status"> Saved.</span>}
        </form>
      )}
    </Section>
  );
}

function Drills({ policy, manage }: { policy: EscalationPolicy; manage: boolean }) {
  const queryClient = useQueryClient();
  const drills = useQuery(drillsQuery(policy.id));
  const start = useMutation({
    mutationFn: () => api.post<PolicyDrill>(`/escalation-policies/${ref(policy.id)}/drills`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['escalation-policies', 'drills', policy.id] }),
  });
  return (
    <Section
      title="Drills"
      description="A drill pages this policy for real, through everyone’s own notification rules, with every page marked as a test. Acknowledge it as you would an alert; the report shows how long each step took."
      actions={
        manage ? (
          <button type="button" className="button" disabled={start.isPending} onClick={() => start.mutate()}>
            {start.isPending ? 'Starting…' : 'Run a drill'}
          </button>
        ) : undefined
      }
    >
      <FormAlert error={start.error} />
      {drills.isSuccess && drills.data.length === 0 && <p className="muted">No drills yet.</p>}
      {drills.data?.map((drill) => <DrillReport key={drill.alertId} drill={drill} />)}
    </Section>
  );
}

function DrillReport({ drill }: { drill: PolicyDrill }) {
  return (
    <article className="drill" aria-label={`Drill #${drill.alertNumber}`}>
      <h3>
        <Link href={`/alerts/${drill.alertNumber}`}>Drill #{drill.alertNumber}</Link> · {STATUS_TEXT[drill.status]}
      </h3>
      <p className="muted small">
        Started <Time value={drill.startedAt} /> by {drill.startedBy}
        {drill.acknowledgedAt && (
          <>
            {' '}
            · acknowledged by {drill.acknowledgedBy} after {duration(drill.timeToAcknowledgeSeconds)}
          </>
        )}
        {drill.status === 'running' && (
          <>
            {' '}
            · ends itself <Time value={drill.endsAt} />
          </>
        )}
      </p>
      <table className="table">
        <caption className="visually-hidden">Steps of drill #{drill.alertNumber}</caption>
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Paged</th>
            <th scope="col">Outcome</th>
            <th scope="col">Time</th>
          </tr>
        </thead>
        <tbody>
          {drill.steps.map((step) => (
            <tr key={`${step.round}-${step.level ?? 'fallback'}`}>
              <td>{step.level === null ? 'Fallback' : `Level ${step.level}${step.round > 0 ? ` (repeat ${step.round})` : ''}`}</td>
              <td>{step.pages.length === 0 ? step.people.map((p) => `@${p.handle}`).join(', ') || 'nobody' : step.pages.map((p) => `@${p.userHandle} by ${p.channel} (${p.status})`).join(', ')}</td>
              <td>{step.outcome === 'acknowledged' ? 'Acknowledged' : step.outcome === 'escalated' ? 'No answer: escalated' : step.outcome === 'unanswered' ? 'No answer' : 'Waiting'}</td>
              <td>{step.outcome === 'acknowledged' ? `acknowledged after ${duration(step.acknowledgedAfterSeconds)}` : `waited ${duration(step.waitedSeconds)}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}
