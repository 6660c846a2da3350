import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Field, FormAlert } from '../../ui/field.js';
import { EmptyState } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { routingApi, type RoutingRule } from './routing.api.js';
import type { Service } from './services.api.js';

const resultNames: Record<string, string> = { deliver: 'Deliver', suppress: 'Suppress', drop: 'Drop', route: 'Route', unreadable: 'Unreadable', 'not-an-event': 'Refused' };

/**
 * "Test against the last N events": replays the service's latest stored events through the rules
 * being edited (not yet saved) and shows what each would do. Changes nothing.
 */
export function RulesPreview({ service, rules }: { service: Service; rules: RoutingRule[] }) {
  const [limit, setLimit] = useState(50);
  const preview = useMutation({ mutationFn: (input: { rules: RoutingRule[]; limit: number }) => routingApi.preview(service.handle, input.rules, input.limit) });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    preview.mutate({ rules, limit });
  }

  return (
    <div className="rules-preview">
      <form className="form-row form-row-end" onSubmit={submit} aria-label="Test rules">
        <Field label="Events to replay" name="limit" hint="The latest events this service received, newest first (at most 500).">
          {(control) => <input {...control} type="number" min={1} max={500} value={limit} onChange={(e) => setLimit(Math.max(1, Math.min(500, Number(e.target.value) || 1)))} />}
        </Field>
        <button type="submit" className="button" disabled={preview.isPending}>
          {preview.isPending ? 'Testing…' : `Test against the last ${limit} events`}
        </button>
      </form>
      <FormAlert error={preview.error} />
      {preview.data &&
        (preview.data.items.length === 0 ? (
          <EmptyState title="No events yet">
            <p>Once integrations send events, you can test rules against them here.</p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table table-stack rules-preview-table">
              <caption className="muted">What these rules would do ({preview.data.items.length} events)</caption>
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Event</th>
                  <th scope="col">Matched rules</th>
                  <th scope="col">Result</th>
                  <th scope="col">What happens</th>
                </tr>
              </thead>
              <tbody>
                {preview.data.items.map((item) => (
                  <tr key={item.eventId} data-result={item.result}>
                    <td data-label="Received">
                      <Time value={item.receivedAt} />
                    </td>
                    <td data-label="Event">
                      <span className="muted">{item.format} · {item.action}</span> {item.title ?? item.dedupKey ?? ''}
                    </td>
                    <td data-label="Matched rules">{item.matched.length ? item.matched.join(', ') : <span className="muted">none</span>}</td>
                    <td data-label="Result">
                      <span className={`preview-result preview-${item.result}`}>{resultNames[item.result] ?? item.result}</span>
                    </td>
                    <td data-label="What happens">{item.summary}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </div>
  );
}
