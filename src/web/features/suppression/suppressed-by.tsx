import { Link } from 'wouter';
import type { SuppressedByView } from '../../../contracts/suppression.js';
import { Time } from '../../ui/time.js';

const kindNames: Record<SuppressedByView['kind'], string> = { maintenance: 'maintenance window', silence: 'silence', storm: 'alert storm', rule: 'routing rule' };

/** Where the thing that suppresses an alert is shown. */
function hrefOf(by: SuppressedByView): string {
  if (by.kind === 'maintenance') return '/maintenance-windows';
  if (by.kind === 'silence') return '/silences';
  return `/alerts/${by.id}`;
}

/** "Suppressed: maintenance window ‘DB upgrade’ until 28 Mar 2027, 03:00": why nobody is notified of an alert. */
export function SuppressedNotice({ by }: { by: SuppressedByView }) {
  return (
    <div className="alert alert-info suppressed-notice" role="note">
      <p>
        <strong>Suppressed:</strong> {by.kind === 'storm' ? 'collapsed into ' : `${kindNames[by.kind]} `}
        {by.kind === 'rule' ? `‘${by.name}’ (see the service’s routing rules)` : <Link href={hrefOf(by)}>‘{by.name}’</Link>}
        {by.until && (
          <>
            {' '}
            until <Time value={by.until} />
          </>
        )}
        . {by.kind === 'storm' ? 'Only the storm’s summary alert notifies.' : 'The alert is recorded, but nobody is notified.'}
      </p>
    </div>
  );
}

/** A small badge for alert lists, with the reason on hover and for screen readers. */
export function SuppressedBadge({ by }: { by: SuppressedByView }) {
  const reason = `Suppressed by ${kindNames[by.kind]} ‘${by.name}’`;
  return (
    <span className="badge badge-suppressed" title={reason}>
      Suppressed<span className="visually-hidden">: {reason}</span>
    </span>
  );
}
