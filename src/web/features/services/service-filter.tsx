import { useQuery } from '@tanstack/react-query';
import { Field } from '../../ui/field.js';
import { servicesQuery } from './services.api.js';

/** The "Service" filter of a list page: every service by handle, or all of them (`undefined`). */
export function ServiceFilter({ value, onChange }: { value: string | undefined; onChange: (service: string | undefined) => void }) {
  const services = useQuery(servicesQuery());
  return (
    <Field label="Service" name="service">
      {(control) => (
        <select {...control} value={value ?? ''} onChange={(event) => onChange(event.target.value || undefined)}>
          <option value="">All services</option>
          {(services.data ?? []).map((s) => (
            <option key={s.id} value={s.handle}>
              {s.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
