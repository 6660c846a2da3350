import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { useSession } from '../../app/session.js';
import { FormAlert } from '../../ui/field.js';
import { EmptyState, Loading, PageHeader, QueryError, Section } from '../../ui/page.js';
import { Time } from '../../ui/time.js';
import { SeverityBadge, StatusBadge, UrgencyBadge } from './alert-badges.js';
import { ShortcutsHint, useShortcuts } from './alert-shortcuts.js';
import { ReassignSnooze } from './reassign-snooze.js';
import { EscalationSection } from './escalation-section.js';
import { SuppressedNotice } from '../suppression/suppressed-by.js';
import { LiveIndicator } from '../live/live-indicator.js';
import type { LiveState } from '../live/live-connection.js';
import { useLiveAlerts } from '../live/use-live-alerts.js';
import { ALERT_REFRESH_MS, alertQuery, alertsApi, alertTimelineQuery, canRespond, useAlertChange, type Alert, type AlertAction, type TimelineEntry } from './alerts.api.js';

/** One alert: what it is, where it came from, its member alerts, its timeline, and what to do. */
export function AlertPage({ alert: id }: { alert: string }) {
  const live = useLiveAlerts();
  const alert = useQuery({ ...alertQuery(id), refetchInterval: live === 'live' ? false : ALERT_REFRESH_MS });
  if (alert.isPending) return <Loading />;
  if (alert.isError) return <QueryError error={alert.error} retry={() => void alert.refetch()} />;
  return <AlertDetail alert={alert.data} live={live} />;
}

function AlertDetail({ alert, live }: { alert: Alert; live: LiveState }) {
  const session = useSession();
  const respond = canRespond(session);
  const act = useAlertChange((action: AlertAction) => alertsApi.act(alert.id, action));
  const canAcknowledge = respond && alert.status === 'triggered';
  const canResolve = respond && alert.status !== 'resolved';

  useShortcuts({
    a: () => canAcknowledge && !act.isPending && act.mutate('acknowledge'),
    r: () => canResolve && !act.isPending && act.mutate('resolve'),
  });

  return (
    <>
      <p className="breadcrumb">
        <Link href="/alerts">Alerts</Link> <Link href={`/services/${alert.serviceHandle}`}>{alert.serviceHandle}</Link>
      </p>
      <PageHeader
        title={`#${alert.number} ${alert.title}`}
        description={
          <span className="alert-badges">
            <StatusBadge status={alert.status} />
            <SeverityBadge severity={alert.severity} />
            <UrgencyBadge urgency={alert.urgency} />
            <LiveIndicator state={live} />
          </span>
        }
        actions={
          respond && (
            <>
              <button type="button" className="button" disabled={!canAcknowledge || act.isPending} onClick={() => act.mutate('acknowledge')}>
                Acknowledge
              </button>
              <button type="button" className="button button-primary" disabled={!canResolve || act.isPending} onClick={() => act.mutate('resolve')}>
                Resolve
              </button>
              <Link href={`/incidents/new?alert=${encodeURIComponent(alert.id)}`} className="button">
                Declare incident
              </Link>
            </>
          )
        }
      />
      <FormAlert error={act.error} />
      {alert.suppressedBy && <SuppressedNotice by={alert.suppressedBy} />}
      <div className="alert-layout">
        <div>
          <Section title="Details">
            {alert.description && <p className="alert-description">{alert.description}</p>}
            <dl className="details">
              <dt>Service</dt>
              <dd>
                <Link href={`/services/${alert.serviceHandle}`}>{alert.serviceHandle}</Link>
              </dd>
              <dt>Events</dt>
              <dd>
                {alert.eventCount} {alert.eventCount === 1 ? 'event' : 'events'}
                {alert.members.length > 0 && `, ${alert.members.length} member ${alert.members.length === 1 ? 'alert' : 'alerts'}`}
              </dd>
              <dt>First seen</dt>
              <dd>
                <Time value={alert.firstSeenAt} />
              </dd>
              <dt>Last seen</dt>
              <dd>
                <Time value={alert.lastSeenAt} />
              </dd>
              <dt>Delivery</dt>
              <dd>
                {alert.deliverAt === 'never' ? (
                  'Backlog: notifies no one'
                ) : alert.deliverAt ? (
                  <>
                    Deferred to support hours: <Time value={alert.deliverAt} />
                  </>
                ) : (
                  'Now'
                )}
              </dd>
              <dt>Acknowledged</dt>
              <dd>{alert.acknowledgedAt ? <WhoWhen at={alert.acknowledgedAt} by={alert.acknowledgedBy} /> : <span className="muted">Not yet</span>}</dd>
              <dt>Resolved</dt>
              <dd>{alert.resolvedAt ? <WhoWhen at={alert.resolvedAt} by={alert.resolvedBy} /> : <span className="muted">Not yet</span>}</dd>
              {alert.source && (
                <>
                  <dt>Source</dt>
                  <dd>{alert.source}</dd>
                </>
              )}
              <dt>Dedup key</dt>
              <dd>
                <code className="break">{alert.dedupKey}</code>
              </dd>
            </dl>
          </Section>
          {Object.keys(alert.labels).length > 0 && (
            <Section title="Labels">
              <KeyValueTable values={alert.labels} caption="Labels" />
            </Section>
          )}
          {(alert.links.length > 0 || alert.images.length > 0) && (
            <Section title="Links">
              {alert.links.length > 0 && (
                <ul className="link-list">
                  {alert.links.map((link) => (
                    <li key={link.href}>
                      <a href={link.href} target="_blank" rel="noreferrer noopener">
                        {link.text || link.href}
                      </a>
                    </li>
                  ))}
                </ul>
              )}
              {alert.images.length > 0 && (
                <div className="alert-images">
                  {alert.images.map((image) => {
                    const img = <img src={image.src} alt={image.alt ?? ''} loading="lazy" />;
                    return (
                      <figure key={image.src}>
                        {image.href ? (
                          <a href={image.href} target="_blank" rel="noreferrer noopener">
                            {img}
                          </a>
                        ) : (
                          img
                        )}
                        {image.alt && <figcaption className="muted small">{image.alt}</figcaption>}
                      </figure>
                    );
                  })}
                </div>
              )}
            </Section>
          )}
          {alert.members.length > 0 && <MemberAlerts alert={alert} />}
          {alert.details !== null && alert.details !== undefined && (
            <Section title="Custom details">
              <pre className="code-block">{JSON.stringify(alert.details, null, 2)}</pre>
            </Section>
          )}
        </div>
        <div>
          <ReassignSnooze alert={alert} canAct={respond} />
          <EscalationSection alert={alert} />
          <Timeline alert={alert} canNote={respond} />
          {respond && (
            <ShortcutsHint
              shortcuts={[
                ['a', 'acknowledge this alert'],
                ['r', 'resolve this alert'],
              ]}
            />
          )}
        </div>
      </div>
    </>
  );
}

function WhoWhen({ at, by }: { at: string; by: string | null }) {
  return (
    <>
      <Time value={at} />
      {by && <> by {by}</>}
    </>
  );
}

function KeyValueTable({ values, caption }: { values: Record<string, string>; caption: string }) {
  return (
    <div className="table-wrap">
      <table className="table kv-table">
        <caption className="visually-hidden">{caption}</caption>
        <tbody>
          {Object.entries(values).map(([key, value]) => (
            <tr key={key}>
              <th scope="row">{key}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** An Alertmanager group: each member alert keeps its own firing or resolved state. */
function MemberAlerts({ alert }: { alert: Alert }) {
  const firing = alert.members.filter((m) => m.status === 'firing').length;
  return (
    <Section title="Member alerts" description={`${firing} of ${alert.members.length} firing. The group resolves when every member has resolved.`}>
      <div className="table-wrap">
        <table className="table table-stack">
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Alert</th>
              <th scope="col">Started</th>
            </tr>
          </thead>
          <tbody>
            {alert.members.map((member) => (
              <tr key={member.fingerprint}>
                <td>
                  <span className={`status status-${member.status === 'firing' ? 'triggered' : 'resolved'}`}>{member.status === 'firing' ? 'Firing' : 'Resolved'}</span>
                </td>
                <td>
                  <span className="row-title">{member.labels.alertname ?? member.fingerprint}</span>
                  {member.annotations.summary && <span className="small muted">{member.annotations.summary}</span>}
                  <ul className="label-chips" aria-label="Labels">
                    {Object.entries(member.labels)
                      .filter(([key]) => key !== 'alertname')
                      .map(([key, value]) => (
                        <li key={key}>
                          {key}={value}
                        </li>
                      ))}
                  </ul>
                  {member.generatorUrl && (
                    <a href={member.generatorUrl} target="_blank" rel="noreferrer noopener" className="small">
                      Source
                    </a>
                  )}
                </td>
                <td data-label="Started" className="member-times">
                  <Time value={member.startsAt} />
                  {member.endsAt && member.status === 'resolved' && (
                    <span className="small muted">
                      Ended <Time value={member.endsAt} />
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

const kindNames: Record<TimelineEntry['kind'], string> = { event: 'Event', action: 'Action', note: 'Note' };

/** Events from the sending tool and people's actions and notes, newest first. */
function Timeline({ alert, canNote }: { alert: Alert; canNote: boolean }) {
  const timeline = useQuery(alertTimelineQuery(alert.id));
  const [note, setNote] = useState('');
  const addNote = useAlertChange((text: string) => alertsApi.addNote(alert.id, text), () => setNote(''));
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (note.trim()) addNote.mutate(note.trim());
  }
  // The server answers oldest first; newest first here keeps the latest change beside the note box.
  const entries = [...(timeline.data ?? [])].reverse();
  return (
    <Section title="Timeline">
      {canNote && (
        <form className="form note-form" onSubmit={submit} aria-label="Add note">
          <FormAlert error={addNote.error} />
          <label htmlFor="alert-note" className="visually-hidden">
            Note
          </label>
          <textarea id="alert-note" rows={2} value={note} onChange={(event) => setNote(event.target.value)} placeholder="What you found or did" />
          <div className="form-actions">
            <button type="submit" className="button button-small" disabled={addNote.isPending || !note.trim()}>
              Add note
            </button>
          </div>
        </form>
      )}
      {timeline.isPending ? (
        <Loading />
      ) : timeline.isError ? (
        <QueryError error={timeline.error} retry={() => void timeline.refetch()} />
      ) : entries.length === 0 ? (
        <EmptyState title="Nothing yet" />
      ) : (
        <ol className="alert-timeline" aria-label="Timeline entries">
          {entries.map((entry) => (
            <li key={entry.id} className={`timeline-entry timeline-entry-${entry.kind}`}>
              <div className="timeline-entry-head">
                <span className="timeline-entry-kind">{kindNames[entry.kind]}</span>
                <span className="timeline-entry-verb">{entry.action}</span>
                <span className="muted small">
                  <Time value={entry.at} />
                </span>
              </div>
              <p className="timeline-entry-summary">{entry.summary}</p>
              {/* Summaries often name the actor already ("Resolved by ana-lima"); say it once. */}
              {entry.actor && !entry.summary.includes(entry.actor) && <p className="muted small">by {entry.actor}</p>}
            </li>
          ))}
        </ol>
      )}
    </Section>
  );
}
