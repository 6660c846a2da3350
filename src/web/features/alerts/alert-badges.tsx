import type { AlertStatus, Severity, Urgency } from './alerts.api.js';

const statusNames: Record<AlertStatus, string> = { triggered: 'Triggered', acknowledged: 'Acknowledged', resolved: 'Resolved' };
const severityNames: Record<Severity, string> = { critical: 'Critical', error: 'Error', warning: 'Warning', info: 'Info' };

/**
 * The alert's status. Red, amber and green belong to status alone, and the word is always there
 * beside the colour, so the badge reads the same without colour vision or in high contrast.
 */
export function StatusBadge({ status }: { status: AlertStatus }) {
  return <span className={`status status-${status}`}>{statusNames[status]}</span>;
}

/** Severity in neutral tones (status owns the colours): critical and error read heavier. */
export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`severity severity-${severity}`}>
      <span className="severity-bars" aria-hidden="true">
        <span />
        <span />
        <span />
        <span />
      </span>
      {severityNames[severity]}
    </span>
  );
}

export function UrgencyBadge({ urgency }: { urgency: Urgency }) {
  return <span className={`urgency urgency-${urgency}`}>{urgency === 'high' ? 'High urgency' : urgency === 'low' ? 'Low urgency' : 'Backlog'}</span>;
}

export const severityName = (severity: Severity) => severityNames[severity];
