import { useQuery } from '@tanstack/react-query';
import type { SelectHTMLAttributes } from 'react';
import { policiesQuery } from '../escalation-policies/escalation-policies.api.js';
import { usersQuery } from '../users/users.api.js';

/** What a choice in {@link PersonOrPolicySelect} names. */
export type PersonOrPolicy = { type: 'user' | 'escalationPolicy'; id: string };

/** Reads a choice's value (`user:<id>` or `policy:<id>`); null for the empty choice. */
export function parsePersonOrPolicy(value: string): PersonOrPolicy | null {
  const [kind, id] = value.split(':') as [string, string | undefined];
  if (!id) return null;
  return { type: kind === 'user' ? 'user' : 'escalationPolicy', id };
}

/**
 * A select of active people and escalation policies, for reassigning an alert or paging someone into
 * it. Values are `user:<id>` / `policy:<id>`; read them with {@link parsePersonOrPolicy}.
 */
export function PersonOrPolicySelect({ value, onChange, ...control }: Omit<SelectHTMLAttributes<HTMLSelectElement>, 'onChange' | 'value'> & { value: string; onChange: (value: string) => void }) {
  const users = useQuery(usersQuery(false));
  const policies = useQuery(policiesQuery());
  return (
    <select {...control} value={value} onChange={(e) => onChange(e.target.value)} required>
      <option value="">Choose a person or policy…</option>
      <optgroup label="People">
        {(users.data ?? []).map((u) => (
          <option key={u.id} value={`user:${u.id}`}>
            {u.name} (@{u.handle})
          </option>
        ))}
      </optgroup>
      <optgroup label="Escalation policies">
        {(policies.data ?? []).map((p) => (
          <option key={p.id} value={`policy:${p.id}`}>
            {p.name}
          </option>
        ))}
      </optgroup>
    </select>
  );
}
