import type { Provider } from '../../../contracts/providers.js';
import { Time } from '../../ui/time.js';

const healthLabels: Record<Provider['health']['status'], string> = { healthy: 'Healthy', unhealthy: 'Unhealthy', unknown: 'Unknown' };

/**
 * The provider's health as a badge. "Unknown" means nothing was sent through it yet; the last error
 * is on hover and, when it failed last, written below so it can be read on a phone too.
 */
export function HealthBadge({ health, detailed = false }: { health: Provider['health']; detailed?: boolean }) {
  const failedLast = health.lastError !== null && (health.lastSuccessAt === null || (health.lastFailureAt !== null && health.lastFailureAt > health.lastSuccessAt));
  const title = health.lastError ? `Last error: ${health.lastError}` : undefined;
  return (
    <span className="provider-health">
      <span className={`badge provider-health-${health.status}`} title={title}>
        {healthLabels[health.status]}
      </span>
      {health.consecutiveFailures > 0 && (
        <span className="muted small">
          {health.consecutiveFailures} {health.consecutiveFailures === 1 ? 'failure' : 'failures'} in a row
        </span>
      )}
      {failedLast && <span className="provider-last-error small">Last error: {health.lastError}</span>}
      {detailed && (
        <span className="muted small">
          Last success <Time value={health.lastSuccessAt} fallback="never" />; last failure <Time value={health.lastFailureAt} fallback="never" />
        </span>
      )}
    </span>
  );
}

/** Why the provider cannot deliver now, in a warning style; nothing when it can. */
export function ProviderProblems({ problems }: { problems: readonly string[] }) {
  if (problems.length === 0) return null;
  return (
    <div className="provider-problems" role="note" aria-label="Problems">
      <strong>Cannot deliver:</strong>
      <ul>
        {problems.map((problem) => (
          <li key={problem}>{problem}</li>
        ))}
      </ul>
    </div>
  );
}

/** Providers defined outside the API are changed where they are defined; says where. */
export function ManagedNote({ managedBy }: { managedBy: Provider['managedBy'] }) {
  if (managedBy === 'api') return null;
  return (
    <span className="muted small provider-managed">
      {managedBy === 'environment' ? 'Managed by the environment (FIREBREAK_SMTP_URL): read-only here.' : 'Managed by config as code: read-only here.'}
    </span>
  );
}

/** Whether this page may change the provider: admins, and only providers created through the API. */
export function isEditable(provider: Provider, admin: boolean): boolean {
  return admin && provider.managedBy === 'api';
}
