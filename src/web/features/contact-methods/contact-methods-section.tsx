import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSession } from '../../app/session.js';
import { FormAlert } from '../../ui/field.js';
import { EmptyState, Loading, QueryError, Section } from '../../ui/page.js';
import { ContactMethodForm } from './contact-method-form.js';
import { ContactMethodRow } from './contact-method-row.js';
import { contactMethodsApi, contactMethodsQuery, notificationRulesQuery, useNotifyChange } from './contact-methods.api.js';

/** The signed-in person's contact methods: add, verify with a code, test, remove. */
export function ContactMethodsSection() {
  const { user } = useSession();
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const methods = useQuery(contactMethodsQuery);
  const create = useNotifyChange(contactMethodsApi.create);
  const defaults = useMutation({
    mutationFn: contactMethodsApi.applyDefaults,
    onSuccess: (result) => {
      queryClient.setQueryData(contactMethodsQuery.queryKey, result.contactMethods);
      queryClient.setQueryData(notificationRulesQuery.queryKey, result.rules);
    },
  });

  return (
    <Section
      title="Contact methods"
      description="How Firebreak reaches you. A method receives pages only after you verify it with a code sent through it."
      actions={
        !adding && (
          <button type="button" className="button button-primary" onClick={() => setAdding(true)}>
            New contact method
          </button>
        )
      }
    >
      {adding && (
        <ContactMethodForm
          error={create.error}
          pending={create.isPending}
          onSubmit={(input) => create.mutate(input, { onSuccess: () => setAdding(false) })}
          onCancel={() => {
            create.reset();
            setAdding(false);
          }}
        />
      )}
      {methods.isPending ? (
        <Loading />
      ) : methods.isError ? (
        <QueryError error={methods.error} retry={() => void methods.refetch()} />
      ) : methods.data.length === 0 ? (
        <EmptyState title="No contact methods yet">
          <p>Start with your account email, {user.email}: Firebreak adds it with rules that email you for every notification. You verify it next.</p>
          <FormAlert error={defaults.error} />
          <button type="button" className="button button-primary" onClick={() => defaults.mutate()} disabled={defaults.isPending}>
            {defaults.isPending ? 'Adding…' : 'Use my account email'}
          </button>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table table-stack">
            <thead>
              <tr>
                <th scope="col">Method</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {methods.data.map((method) => (
                <ContactMethodRow key={method.id} method={method} now={methods.dataUpdatedAt} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
