import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { useSession } from '../../app/session.js';
import { Loading, QueryError, Section } from '../../ui/page.js';
import { SilenceForm } from '../suppression/silence-form.js';
import { SilencesTable } from '../suppression/suppression-lists.js';
import { canSilence, silencesQuery } from '../suppression/suppression.api.js';
import type { Service } from './services.api.js';

/** Silences scoped to this service (pending and active), and creating one. */
export function SilencesSection({ service }: { service: Service }) {
  const session = useSession();
  const [adding, setAdding] = useState(false);
  const silences = useQuery(silencesQuery({ service: service.id }));
  return (
    <Section
      title="Silences"
      description="Label matchers with an expiry: this service’s matching events are recorded, but nobody is notified. Silences for every service are on the Silences page."
      actions={
        <span className="row-buttons">
          <Link href="/silences" className="button button-small">
            All silences
          </Link>
          {canSilence(session) && !adding && (
            <button type="button" className="button" onClick={() => setAdding(true)}>
              New silence
            </button>
          )}
        </span>
      }
    >
      {adding && <SilenceForm service={service} onDone={() => setAdding(false)} onCancel={() => setAdding(false)} />}
      {silences.isPending ? <Loading /> : silences.isError ? <QueryError error={silences.error} retry={() => void silences.refetch()} /> : <SilencesTable silences={silences.data} showService={false} />}
    </Section>
  );
}
