import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'wouter';
import { useSession } from '../../app/session.js';
import { EmptyState, Loading, PageHeader, QueryError, Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { StatusBadge } from '../alerts/alert-badges.js';
import { useShortcuts } from '../alerts/alert-shortcuts.js';
import { alertQuery } from '../alerts/alerts.api.js';
import type { LiveState } from '../live/live-connection.js';
import { LiveIndicator } from '../live/live-indicator.js';
import { useIncidentSignals } from '../live/use-live-incident.js';
import { IncidentSeverityBadge, IncidentStatusBadge, MitigatedBadge } from './incident-badges.js';
import { CommanderBar, RolesSection } from './incident-roles.js';
import { ResolveDialog, StatusActions, useStatusChange } from './incident-status.js';
import { TimelineSection } from './incident-timeline.js';
import { ChecklistSection } from './checklist-section.js';
import { ThreadsSection } from './threads-section.js';
import { ChangesSection } from './changes-section.js';
import { UpdateComposer } from './update-composer.js';
import { SubscriptionsSection } from './subscriptions-section.js';
import { RespondersSection } from './responders-section.js';
import { IncidentPublicSection } from '../status-pages/incident-public-section.js';
import { PostmortemSection } from '../incident-settings/postmortem-section.js';
import { StartPostmortem } from '../postmortems/start-postmortem.js';
import { RelatedPostmortemsSection } from '../postmortems/related-postmortems-section.js';
import { canRespond, INCIDENT_REFRESH_MS, incidentQuery, severitiesQuery, type Incident } from './incidents.api.js';
import { ShortcutsHelp } from './shortcuts-help.js';
import { useIncidentTimeline, type IncidentTimeline } from './use-incident-timeline.js';

/** The war room's keyboard shortcuts, listed by the `?` help. */
const shortcuts = [
  ['n', 'write a note on the timeline'],
  ['k', 'show only key (pinned) events, or everything again'],
  ['m', 'mark the incident mitigated (customer impact ended)'],
  ['r', 'resolve: write the resolution summary'],
  ['?', 'show or hide these shortcuts'],
] as const;

/**
 * The war room: one incident with who is in charge, its status, roles, linked alerts, the other parts
 * of the incident (threads, checklist, changes, responders, updates) and the live timeline. Live
 * events for this incident re-read the incident and fetch only the timeline entries after the last
 * one shown; `changed` tells the sections to re-read theirs.
 */
export function IncidentPage({ incident: ref }: { incident: string }) {
  const queryClient = useQueryClient();
  const [changed, setChanged] = useState(0);
  const timeline = useIncidentTimeline(ref);
  const live = useIncidentSignals((event) => {
    // Events name the incident by id; the page may have been opened as INC-42, #42 or 42.
    if (event && event.incidentId !== queryClient.getQueryData<Incident>(['incidents', 'detail', ref])?.id) return;
    // A resync, or a change to this incident: re-read it; entries only after the last one (a timeline
    // edit changes an entry already shown, so that re-reads the timeline).
    if (!event || event.action === 'timeline-edit') timeline.reload();
    else timeline.fetchNew();
    void queryClient.invalidateQueries({ queryKey: ['incidents', 'detail', ref] });
    setChanged((n) => n + 1);
  });
  const incident = useQuery({ ...incidentQuery(ref), refetchInterval: live === 'live' ? false : INCIDENT_REFRESH_MS });
  // While the stream is not live, poll like the alert pages do: new entries, and the sections re-read.
  const { fetchNew } = timeline;
  useEffect(() => {
    if (live === 'live') return;
    const timer = setInterval(() => {
      fetchNew();
      setChanged((n) => n + 1);
    }, INCIDENT_REFRESH_MS);
    return () => clearInterval(timer);
  }, [live, fetchNew]);
  if (incident.isPending) return <Loading />;
  if (incident.isError) return <QueryError error={incident.error} retry={() => void incident.refetch()} />;
  return <WarRoom incident={incident.data} live={live} changed={changed} timeline={timeline} />;
}

function WarRoom({ incident, live, changed, timeline }: { incident: Incident; live: LiveState; changed: number; timeline: IncidentTimeline }) {
  const session = useSession();
  const respond = canRespond(session);
  const severities = useQuery(severitiesQuery());
  const [resolving, setResolving] = useState(false);
  const [keyOnly, setKeyOnly] = useState(false);
  const [help, setHelp] = useState(false);
  const open = incident.status !== 'resolved';
  const mitigate = useStatusChange(incident);

  const focusNote = useCallback(() => document.getElementById('incident-note')?.focus(), []);
  useShortcuts({
    n: () => respond && focusNote(),
    k: () => setKeyOnly((v) => !v),
    m: () => respond && open && !incident.mitigated && !mitigate.isPending && mitigate.mutate({ status: incident.status, mitigated: true }),
    r: () => respond && open && setResolving(true),
    '?': () => setHelp((v) => !v),
  });

  return (
    <div className="incident-page">
      <p className="breadcrumb">
        <Link href="/incidents">Incidents</Link>
      </p>
      <PageHeader
        title={`${incident.reference} ${incident.title}`}
        description={
          <span className="alert-badges incident-badges">
            <IncidentStatusBadge status={incident.status} mitigated={incident.mitigated} />
            <IncidentSeverityBadge severity={incident.severity} definitions={severities.data} />
            <MitigatedBadge mitigated={incident.mitigated} />
            <LiveIndicator state={live} />
          </span>
        }
        actions={<StartPostmortem incident={incident} />}
      />
      <CommanderBar incident={incident} canAct={respond} />
      {respond && <StatusActions incident={incident} change={mitigate} onResolve={() => setResolving(true)} />}
      {resolving && <ResolveDialog incident={incident} onClose={() => setResolving(false)} />}
      <div className="incident-layout">
        <div className="incident-main">
          <Overview incident={incident} />
          <RolesSection incident={incident} canAct={respond} />
          <LinkedAlerts incident={incident} />
          {/* sections: other helpers add one line each below */}
          <ChangesSection incident={incident} changed={changed} />
          <ChecklistSection incident={incident} changed={changed} />
          <ThreadsSection incident={incident} changed={changed} />
          <UpdateComposer incident={incident} changed={changed} />
          <IncidentPublicSection incident={incident} changed={changed} />
          <SubscriptionsSection incident={incident} changed={changed} />
          <RespondersSection incident={incident} changed={changed} />
          <PostmortemSection incident={incident} changed={changed} />
          <RelatedPostmortemsSection incident={incident} changed={changed} />
        </div>
        <div className="incident-side">
          <TimelineSection incident={incident} timeline={timeline} canWrite={respond} keyOnly={keyOnly} onKeyOnly={setKeyOnly} />
        </div>
      </div>
      <p className="incident-help-toggle">
        <button type="button" className="button button-small button-quiet" aria-expanded={help} onClick={() => setHelp((v) => !v)}>
          Keyboard shortcuts <kbd>?</kbd>
        </button>
      </p>
      {help && <ShortcutsHelp shortcuts={respond ? shortcuts : shortcuts.filter(([key]) => key === 'k' || key === '?')} onClose={() => setHelp(false)} />}
    </div>
  );
}

/** What is going on: summary, customer impact, impacted services, the moments analytics reads, links. */
function Overview({ incident }: { incident: Incident }) {
  return (
    <Section title="Overview">
      <dl className="details incident-details">
        <dt>Summary</dt>
        <dd className="incident-text">{incident.summary || <span className="muted">No summary yet</span>}</dd>
        <dt>Customer impact</dt>
        <dd className="incident-text">{incident.customerImpact || <span className="muted">Not described</span>}</dd>
        <dt>Services</dt>
        <dd>
          {incident.impactedServices.length === 0 ? (
            <span className="muted">None named</span>
          ) : (
            <ul className="label-chips" aria-label="Impacted services">
              {incident.impactedServices.map((s) => (
                <li key={s.id}>
                  <Link href={`/services/${s.handle}`}>{s.name}</Link>
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Detected</dt>
        <dd>
          <Time value={incident.times.detectedAt} />
        </dd>
        <dt>Declared</dt>
        <dd>
          <Time value={incident.times.declaredAt} /> by {incident.declaredBy}
        </dd>
        <dt>Mitigated</dt>
        <dd>
          <Time value={incident.times.mitigatedAt} fallback="Not yet" />
        </dd>
        <dt>Resolved</dt>
        <dd>
          <Time value={incident.times.resolvedAt} fallback="Not yet" />
        </dd>
        <dt>Last update</dt>
        <dd>
          <Time value={incident.lastUpdateAt} fallback="No stakeholder update yet" />
        </dd>
      </dl>
      {incident.links.length > 0 && (
        <ul className="link-list">
          {incident.links.map((link) => (
            <li key={link.href}>
              <a href={link.href} target="_blank" rel="noreferrer noopener">
                {link.text || link.href}
              </a>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

/** The alerts the incident was declared from or linked later, with their current status. */
function LinkedAlerts({ incident }: { incident: Incident }) {
  const alerts = useQueries({ queries: incident.alertIds.slice(0, 50).map((id) => alertQuery(id)) });
  return (
    <Section title="Linked alerts">
      {incident.alertIds.length === 0 ? (
        <EmptyState title="No linked alerts" />
      ) : (
        <ul className="incident-alerts">
          {alerts.map((q, i) => {
            const id = incident.alertIds[i] as string;
            return (
              <li key={id}>
                {q.data ? (
                  <>
                    <StatusBadge status={q.data.status} />{' '}
                    <Link href={`/alerts/${q.data.id}`}>
                      #{q.data.number} {q.data.title}
                    </Link>{' '}
                    <span className="muted small">{q.data.serviceHandle}</span>
                  </>
                ) : (
                  <Link href={`/alerts/${id}`}>{q.isError ? `Alert ${id} (could not be read)` : 'Loading…'}</Link>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Section>
  );
}
