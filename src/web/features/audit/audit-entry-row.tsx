import { useState } from 'react';
import type { AuditEntry } from '../../../contracts/audit.js';
import { Time } from '../../ui/time.js';

/** One audit entry, with its before/after state in an expandable row. */
export function AuditEntryRow({ entry }: { entry: AuditEntry }) {
  const [open, setOpen] = useState(false);
  const detailsId = `audit-${entry.id}`;
  return (
    <>
      <tr>
        <td>
          <Time value={entry.at} />
        </td>
        <td>
          <span className="row-title">{entry.actor.label}</span>
          <span className="muted small">{entry.actor.type}</span>
        </td>
        <td>
          <code>{entry.action}</code>
        </td>
        <td>
          {entry.target.type}
          {entry.target.id && <span className="muted small">{entry.target.id}</span>}
        </td>
        <td className="cell-actions">
          <button type="button" className="button button-small button-quiet" aria-expanded={open} aria-controls={detailsId} onClick={() => setOpen(!open)}>
            {open ? 'Hide' : 'Details'}
          </button>
        </td>
      </tr>
      {open && (
        <tr id={detailsId} className="row-details">
          <td colSpan={5}>
            <div className="diff">
              <JsonBlock title="Before" value={entry.before} />
              <JsonBlock title="After" value={entry.after} />
            </div>
            <p className="muted small">
              Entry {entry.id}
              {entry.ip && ` · from ${entry.ip}`}
              {entry.requestId && ` · request ${entry.requestId}`}
            </p>
          </td>
        </tr>
      )}
    </>
  );
}

function JsonBlock({ title, value }: { title: string; value: unknown }) {
  return (
    <figure className="json">
      <figcaption>{title}</figcaption>
      <pre>{value === null || value === undefined ? '—' : JSON.stringify(value, null, 2)}</pre>
    </figure>
  );
}
