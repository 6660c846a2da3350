import { useState, type FormEvent } from 'react';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { servicesApi, useServiceChange, type IntegrationWithKey } from './services.api.js';

type Mapping = NonNullable<IntegrationWithKey['mapping']>;

const example: Mapping = { title: '$.alert.name', dedupKey: '$.alert.id', status: '$.alert.state', severity: '$.alert.priority', statusMap: { OK: 'resolved', ALERT: 'firing' }, severityMap: { P1: 'critical' } };

/**
 * Sets or removes a generic webhook's JSON-path mapping (docs/alerts.md, "Mapping arbitrary
 * payloads"). The server checks every path and names the field that is wrong.
 */
export function WebhookMappingForm({ integration }: { integration: IntegrationWithKey }) {
  const [saved, setSaved] = useState<string | null>(null);
  const [parseError, setParseError] = useState<string | undefined>();
  const save = useServiceChange((mapping: Mapping | null) => servicesApi.updateIntegration(integration.serviceId, integration.id, { mapping }), (after) => setSaved(after.mapping ? 'Saved: posts are read through the mapping.' : 'Removed: posts are read as the documented fields.'));
  const current = integration.mapping ?? null;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(null);
    const text = formText(new FormData(event.currentTarget), 'mapping').trim();
    if (text === '') {
      setParseError(undefined);
      save.mutate(null);
      return;
    }
    try {
      const value = JSON.parse(text) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('must be a JSON object');
      setParseError(undefined);
      save.mutate(value as Mapping);
    } catch (error) {
      setParseError(`Not a JSON object: ${(error as Error).message}`);
    }
  }

  return (
    <form className="form panel" onSubmit={submit} aria-label={`Mapping of ${integration.name}`}>
      <h4>Mapping (optional)</h4>
      <p className="small muted">
        To accept a tool’s own JSON, map each field to a JSON path in its posts (<code>$.alert.name</code>, <code>$.items[0].id</code>, <code>$['odd key']</code>); <code>statusMap</code> and <code>severityMap</code> translate its values. Leave empty to read the documented fields.
      </p>
      <FormAlert error={save.error} />
      <Field label="Mapping (JSON)" name="mapping" error={parseError} hint={<>Example: <code className="break">{JSON.stringify(example)}</code></>}>
        {(control) => <textarea {...control} rows={8} spellCheck={false} className="code-input" defaultValue={current ? JSON.stringify(current, null, 2) : ''} />}
      </Field>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save mapping'}
        </button>
        <span role="status" className="muted small">
          {saved && !save.isPending ? saved : ''}
        </span>
      </div>
    </form>
  );
}
