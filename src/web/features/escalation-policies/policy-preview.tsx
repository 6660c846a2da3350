import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useSession } from '../../app/session.js';
import { Loading, QueryError } from '../../ui/page.js';
import { personStyle } from '../oncall/person-colour.js';
import { formatDateTime, fromLocalInput, toLocalInput } from '../oncall/zoned-time.js';
import { policyPreviewQuery, type EscalationPolicy, type PolicyPreview } from './escalation-policies.api.js';

/** `value`, once it has stopped changing for `ms`. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * Who the policy notifies, and when, for an alert firing now or at a chosen time. The server
 * previews the saved policy (it cannot preview a draft), so the panel says so and notes unsaved
 * edits; it re-reads after every save and whenever the chosen time settles.
 */
export function PolicyPreviewPanel({ policy, dirty }: { policy: EscalationPolicy; dirty: boolean }) {
  const { user } = useSession();
  const zone = user.timeZone;
  const [mode, setMode] = useState<'now' | 'at'>('now');
  const [at, setAt] = useState(() => toLocalInput(Date.now(), zone));
  const chosen = useDebounced(mode === 'at' ? fromLocalInput(at, zone) : null, 400);
  const preview = useQuery(policyPreviewQuery(policy.id, chosen));

  return (
    <section className="card preview" aria-label="Preview">
      <div className="card-header">
        <div>
          <h2>Preview</h2>
          <p className="card-description">
            Of the <strong>saved version</strong>: who is notified, and when, if an alert fires and nobody acknowledges.
          </p>
        </div>
      </div>
      {dirty && (
        <p className="alert alert-info" role="status">
          You have unsaved changes. Save to preview them.
        </p>
      )}
      <div className="preview-when" role="group" aria-label="Alert fires">
        <label className="checkbox">
          <input type="radio" name="preview-when" checked={mode === 'now'} onChange={() => setMode('now')} />
          Now
        </label>
        <label className="checkbox">
          <input type="radio" name="preview-when" checked={mode === 'at'} onChange={() => setMode('at')} />
          At
        </label>
        <input type="datetime-local" aria-label={`Alert fires at (${zone})`} value={at} onChange={(event) => (setAt(event.target.value), setMode('at'))} />
      </div>
      {preview.isPending ? (
        <Loading label="Working out who is notified…" />
      ) : preview.isError ? (
        <QueryError error={preview.error} retry={() => void preview.refetch()} />
      ) : (
        <PreviewSteps preview={preview.data} policy={policy} zone={zone} fetching={preview.isFetching} />
      )}
    </section>
  );
}

function PreviewSteps({ preview, policy, zone, fetching }: { preview: PolicyPreview; policy: EscalationPolicy; zone: string; fetching: boolean }) {
  const firedAt = Date.parse(preview.at);
  // Names of the schedules and teams a person was reached through, from the policy's own targets.
  const targetNames = new Map<string, string>();
  for (const target of [...policy.levels.flatMap((l) => l.targets), ...(policy.fallback ? [policy.fallback] : [])]) targetNames.set(target.id, target.name);
  const via = (v: { type: string; id: string }) => (v.type === 'user' ? 'directly' : `via ${v.type} ${targetNames.get(v.id) ?? v.id}`);

  return (
    <div aria-busy={fetching}>
      <p className="muted small">
        Alert fires {formatDateTime(preview.at, zone)} {zone}.
      </p>
      {preview.steps.length === 0 ? (
        <p className="muted">Nobody would be notified.</p>
      ) : (
        <ol className="preview-steps">
          {preview.steps.map((step, index) => {
            const minutes = Math.round((Date.parse(step.notifyAt) - firedAt) / 60_000);
            const title = step.level === null ? 'Fallback' : `Level ${step.level}${step.round > 0 ? `, repeat ${step.round}` : ''}`;
            return (
              <li key={index} className={step.skipped ? 'preview-step preview-step-skipped' : 'preview-step'}>
                <div className="preview-step-when">
                  <span className="preview-step-offset">+{minutes} min</span>
                  <span className="muted small">
                    {formatDateTime(step.notifyAt, zone)} {zone}
                  </span>
                </div>
                <div className="preview-step-who">
                  <strong>{title}</strong>
                  {step.skipped || step.users.length === 0 ? (
                    <span className="muted">{step.skipped ? 'Skipped: nobody on call' : 'Nobody on call'}</span>
                  ) : (
                    <ul className="preview-people">
                      {step.users.map((u) => (
                        <li key={`${u.userId}-${u.via.id}`}>
                          <span className="person-chip" style={personStyle(u.userId)}>
                            {preview.users[u.userId]?.name ?? u.userId}
                          </span>{' '}
                          <span className="muted small">{via(u.via)}</span>
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}
