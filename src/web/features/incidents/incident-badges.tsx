import { statusNames, type IncidentSeverityDefinition, type IncidentStatus } from './incidents.api.js';

/**
 * The incident's status, always as a word beside the colour (like alert badges). Open statuses share
 * the "triggered" red until mitigated, then amber: the colour answers "are customers still hurting?".
 */
export function IncidentStatusBadge({ status, mitigated }: { status: IncidentStatus; mitigated: boolean }) {
  const tone = status === 'resolved' ? 'resolved' : mitigated ? 'acknowledged' : 'triggered';
  return <span className={`status status-${tone} incident-status`} data-status={status}>{statusNames[status]}</span>;
}

/** The severity key with its name ("SEV2 · Major") when the severity is known. */
export function IncidentSeverityBadge({ severity, definitions }: { severity: string; definitions?: readonly IncidentSeverityDefinition[] | undefined }) {
  const known = definitions?.find((d) => d.key === severity);
  const rank = definitions ? definitions.findIndex((d) => d.key === severity) : -1;
  return (
    <span className={`badge incident-severity incident-severity-${rank >= 0 ? Math.min(rank, 3) : 'other'}`} title={known ? `${known.description}. ${known.response}` : undefined}>
      {severity}
      {known && <span className="incident-severity-name"> · {known.name}</span>}
    </span>
  );
}

export function MitigatedBadge({ mitigated }: { mitigated: boolean }) {
  return mitigated ? <span className="badge incident-mitigated">Mitigated</span> : <span className="badge incident-not-mitigated">Customer impact ongoing</span>;
}
