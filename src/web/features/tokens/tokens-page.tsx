import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { isAdmin } from '../../app/permissions.js';
import { useSession } from '../../app/session.js';
import { ConfirmButton } from '../../ui/confirm-button.js';
import { FormAlert } from '../../ui/field.js';
import { EmptyState, Loading, QueryError, Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { teamsQuery } from '../teams/teams.api.js';
import { TokenForm } from './token-form.js';
import { TokenSecret } from './token-secret.js';
import { tokensApi, tokensQuery, type CreatedToken } from './tokens.api.js';

/** API tokens: create one (its secret is shown once), see when each was last used, revoke. */
export function TokensPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const admin = isAdmin(session);
  const [all, setAll] = useState(false);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const tokens = useQuery(tokensQuery(all));
  const teams = useQuery(teamsQuery(true));
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['tokens'] });
  const create = useMutation({
    mutationFn: tokensApi.create,
    onSuccess: (result) => {
      setCreating(false);
      setCreated(result);
      return refresh();
    },
  });
  const revoke = useMutation({ mutationFn: tokensApi.revoke, onSuccess: refresh });
  const teamName = (id: string | null) => (id ? (teams.data?.find((t) => t.id === id)?.name ?? id) : 'Whole organization');

  return (
    <Section
      title="API tokens"
      description="Tokens let scripts, CI and the firebreak CLI use the API as you, limited to a role and optionally one team."
      actions={
        !creating &&
        !created && (
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            New token
          </button>
        )
      }
    >
      {creating && <TokenForm ownRole={session.user.role} error={create.error} pending={create.isPending} onSubmit={(input) => create.mutate(input)} onCancel={() => setCreating(false)} />}
      {created && <TokenSecret created={created} onDone={() => setCreated(null)} />}
      {admin && (
        <div className="toolbar">
          <label className="checkbox">
            <input type="checkbox" checked={all} onChange={(event) => setAll(event.target.checked)} />
            Show everyone’s tokens
          </label>
        </div>
      )}
      <FormAlert error={revoke.error} />
      {tokens.isPending ? (
        <Loading />
      ) : tokens.isError ? (
        <QueryError error={tokens.error} retry={() => void tokens.refetch()} />
      ) : tokens.data.length === 0 ? (
        <EmptyState title="No API tokens" />
      ) : (
        <div className="table-wrap">
          <table className="table table-stack">
            <thead>
              <tr>
                <th scope="col">Token</th>
                <th scope="col">Access</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((token) => (
                <tr key={token.id} className={token.revokedAt ? 'row-inactive' : undefined}>
                  <td>
                    <span className="row-title">{token.name}</span>
                    <code className="handle">{token.prefix}…</code>
                    {all && <span className="muted small">by {token.userHandle}</span>}
                  </td>
                  <td>
                    <span className="capitalize">{token.role}</span>
                    <span className="muted small">{teamName(token.teamId)}</span>
                  </td>
                  <td data-label="Last used">
                    <Time value={token.lastUsedAt} fallback="Never" />
                  </td>
                  <td data-label="Expires">
                    <Time value={token.expiresAt} fallback="Never" />
                  </td>
                  <td className="cell-actions">
                    {token.revokedAt ? (
                      <span className="badge">Revoked</span>
                    ) : (
                      <ConfirmButton label="Revoke" question={`Revoke “${token.name}”? Anything using it stops working.`} onConfirm={() => revoke.mutate(token.id)} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
