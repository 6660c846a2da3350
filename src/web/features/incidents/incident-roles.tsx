import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, isApiError } from '../../api/client.js';
import { useSession } from '../../app/session.js';
import { FormAlert } from '../../ui/field.js';
import { Section } from '../../ui/page.js';
import { usersQuery } from '../users/users.api.js';
import { builtInRoleNames, commanderOf, incidentsApi, roleLabel, useIncidentChange, type Incident } from './incidents.api.js';

type Held = Incident['roles'][number];

/**
 * A handover of `role`, always naming whom it is taken from (`expectedHolder`), so two people taking
 * command at once cannot both win. The loser's 409 is turned into a clear "@x holds this role" after
 * re-reading the incident.
 */
function useHandover(incident: Incident, role: string) {
  const queryClient = useQueryClient();
  const [conflict, setConflict] = useState<string | null>(null);
  const change = useIncidentChange(
    (input: { user: string; expected: Held | null }) => incidentsApi.assignRole(incident.id, role, { user: input.user, expectedHolder: input.expected ? input.expected.userHandle : null }),
    () => setConflict(null),
  );
  function handOver(user: string, expected: Held | null) {
    setConflict(null);
    change.mutate(
      { user, expected },
      {
        onError: async (error) => {
          if (!isApiError(error, 'CONFLICT')) return;
          // Someone else changed the role meanwhile: show who holds it now, from a fresh read.
          const fresh = await api.get<Incident>(`/incidents/${encodeURIComponent(incident.id)}`);
          await queryClient.invalidateQueries({ queryKey: ['incidents'] });
          const holder = fresh.roles.find((r) => r.role === role);
          setConflict(holder ? `${holder.userName} (@${holder.userHandle}) holds this role now. Someone changed it while you were choosing; check and try again.` : `Nobody holds this role now. Someone changed it while you were choosing; check and try again.`);
        },
      },
    );
  }
  return { handOver, change, conflict };
}

/** The conflict message, with `role="alert"` so screen readers announce it. */
function ConflictNotice({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <div className="alert alert-error incident-conflict" role="alert">
      <p>{message}</p>
    </div>
  );
}

/** Who is in charge, always at the top of the war room, with "Take command" for anyone else. */
export function CommanderBar({ incident, canAct }: { incident: Incident; canAct: boolean }) {
  const session = useSession();
  const commander = commanderOf(incident);
  const { handOver, change, conflict } = useHandover(incident, 'incident_commander');
  const mine = commander?.userId === session.user.id;
  const open = incident.status !== 'resolved';
  return (
    <div className={`incident-commander${commander ? '' : ' incident-commander-vacant'}`} role="region" aria-label="Incident commander">
      <p>
        <span className="incident-commander-label">Incident commander</span>{' '}
        {commander ? (
          <strong className="incident-commander-name">
            {commander.userName} <span className="muted">@{commander.userHandle}</span>
            {mine && <span className="badge incident-you">you</span>}
          </strong>
        ) : (
          <strong>Nobody is in command</strong>
        )}
      </p>
      {canAct && open && !mine && (
        <button type="button" className="button button-small" disabled={change.isPending} onClick={() => handOver(session.user.handle, commander)}>
          Take command
        </button>
      )}
      <ConflictNotice message={conflict} />
      {!conflict && <FormAlert error={change.error} />}
    </div>
  );
}

/** Every role: who holds it, handing it over (to a person chosen from the list), and leaving it vacant. */
export function RolesSection({ incident, canAct }: { incident: Incident; canAct: boolean }) {
  const custom = incident.roles.filter((r) => !builtInRoleNames.some(([key]) => key === r.role)).map((r) => r.role);
  const roles = [...builtInRoleNames.map(([key]) => key), ...custom];
  const open = incident.status !== 'resolved';
  return (
    <Section title="Roles" description={open ? 'Handing over a role is recorded on the timeline. The incident commander is handed over, never left vacant.' : 'Roles of a resolved incident no longer change.'}>
      <ul className="incident-roles">
        {roles.map((role) => (
          <RoleRow key={role} incident={incident} role={role} holder={incident.roles.find((r) => r.role === role) ?? null} canAct={canAct && open} />
        ))}
      </ul>
      {canAct && open && <CustomRoleForm incident={incident} />}
    </Section>
  );
}

function RoleRow({ incident, role, holder, canAct }: { incident: Incident; role: string; holder: Held | null; canAct: boolean }) {
  const users = useQuery({ ...usersQuery(false), enabled: canAct });
  const { handOver, change, conflict } = useHandover(incident, role);
  const release = useIncidentChange((who: string) => incidentsApi.releaseRole(incident.id, role, who));
  const [to, setTo] = useState('');
  const selectId = `role-${role.replace(/[^a-z0-9]/gi, '-')}`;
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (to) handOver(to, holder);
  }
  return (
    <li className="incident-role" data-role={role}>
      <div className="incident-role-head">
        <span className="incident-role-name">{roleLabel(role)}</span>
        {holder ? (
          <span className="incident-role-holder">
            {holder.userName} <span className="muted">@{holder.userHandle}</span>
          </span>
        ) : (
          <span className="muted">Vacant</span>
        )}
      </div>
      {canAct && (
        <form className="inline-form incident-role-form" onSubmit={submit} aria-label={`Hand over ${roleLabel(role)}`}>
          <label htmlFor={selectId} className="visually-hidden">
            {holder ? `Hand over ${roleLabel(role)} to` : `Give ${roleLabel(role)} to`}
          </label>
          <select id={selectId} value={to} onChange={(event) => setTo(event.target.value)}>
            <option value="">Choose a person…</option>
            {(users.data ?? [])
              .filter((u) => u.id !== holder?.userId)
              .map((u) => (
                <option key={u.id} value={u.handle}>
                  {u.name} (@{u.handle})
                </option>
              ))}
          </select>
          <button type="submit" className="button button-small" disabled={!to || change.isPending}>
            {holder ? 'Hand over' : 'Assign'}
          </button>
          {holder && role !== 'incident_commander' && (
            <button type="button" className="button button-small button-quiet" disabled={release.isPending} onClick={() => release.mutate(holder.userHandle)}>
              Leave vacant
            </button>
          )}
        </form>
      )}
      <ConflictNotice message={conflict} />
      {!conflict && <FormAlert error={change.error} />}
      <FormAlert error={release.error} />
    </li>
  );
}

/** Adds a custom role (`custom:<name>`), e.g. a database liaison. */
function CustomRoleForm({ incident }: { incident: Incident }) {
  const session = useSession();
  const [name, setName] = useState('');
  const add = useIncidentChange((role: string) => incidentsApi.assignRole(incident.id, role, { user: session.user.handle, expectedHolder: null }), () => setName(''));
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const key = name.trim().toLowerCase().replace(/\s+/g, '-');
    if (key) add.mutate(`custom:${key}`);
  }
  return (
    <form className="inline-form incident-custom-role" onSubmit={submit} aria-label="Add a custom role">
      <label htmlFor="incident-custom-role">Custom role</label>
      <input id="incident-custom-role" value={name} onChange={(event) => setName(event.target.value)} placeholder="db-liaison" maxLength={40} />
      <button type="submit" className="button button-small" disabled={!name.trim() || add.isPending}>
        Take this role
      </button>
      <FormAlert error={add.error} />
    </form>
  );
}
