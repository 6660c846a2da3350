import { useState, type FormEvent } from 'react';
import { Field, FormAlert, formText } from '../../ui/field.js';
import { Time } from '../../ui/time.js';
import { TimeZoneInput } from '../../ui/time-zone-input.js';
import { CopyBlock } from './integration-setup.js';
import { SettingsActions, useIntegrationSettings } from './integration-settings.js';
import type { Integration, IntegrationWithKey } from './services.api.js';

export type HeartbeatView = NonNullable<Integration['heartbeat']>;

/** `3600` → `1 h`, `5400` → `1 h 30 min`. */
export function duration(seconds: number): string {
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['min', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
  }
  return parts.join(' ') || '0 s';
}

const statusText: Record<HeartbeatView['status'], string> = { new: 'New', up: 'Up', late: 'Late', down: 'Down' };
const statusClass: Record<HeartbeatView['status'], string> = { new: 'badge', up: 'status status-resolved', late: 'status status-acknowledged', down: 'status status-triggered' };
const downText: Record<NonNullable<HeartbeatView['downReason']>, string> = { missed: 'missed its deadline', failed: 'reported a failure', 'run-timeout': 'started but never finished' };

export function scheduleText(heartbeat: HeartbeatView): string {
  const when = heartbeat.cron !== null ? `cron ${heartbeat.cron} (${heartbeat.timeZone})` : `every ${duration(heartbeat.periodSeconds ?? 0)}`;
  return `${when}, grace ${duration(heartbeat.graceSeconds)}`;
}

/** Status, last ping and next deadline of a heartbeat, for its row in the integrations table. */
export function HeartbeatSummary({ heartbeat }: { heartbeat: HeartbeatView }) {
  return (
    <span className="heartbeat-summary" data-heartbeat-status={heartbeat.status}>
      <span className={statusClass[heartbeat.status]} aria-label={`Heartbeat status: ${statusText[heartbeat.status]}`}>
        {statusText[heartbeat.status]}
      </span>
      {heartbeat.status === 'down' && heartbeat.downReason && <span className="small">{downText[heartbeat.downReason]}</span>}
      {heartbeat.status === 'new' && <span className="small muted">Not alerting until the first ping</span>}
      {heartbeat.running && heartbeat.startedAt && (
        <span className="small">
          Running since <Time value={heartbeat.startedAt} />
        </span>
      )}
      <span className="small muted">
        Last ping: <Time value={heartbeat.lastPingAt} fallback="never" />
        {heartbeat.lastExitCode !== null && heartbeat.lastExitCode !== 0 && ` (exit code ${heartbeat.lastExitCode})`}
      </span>
      {heartbeat.nextDeadlineAt && (
        <span className="small muted">
          Alerts if nothing by <Time value={heartbeat.nextDeadlineAt} />
        </span>
      )}
      <span className="small muted">{scheduleText(heartbeat)}</span>
    </span>
  );
}

/** The same facts as the summary, as a definition list for the setup panel. */
function HeartbeatDetails({ heartbeat }: { heartbeat: HeartbeatView }) {
  return (
    <dl className="details" aria-label="Heartbeat status">
      <dt>Status</dt>
      <dd>
        <span className={statusClass[heartbeat.status]}>{statusText[heartbeat.status]}</span>{' '}
        {heartbeat.status === 'down' && heartbeat.downReason ? downText[heartbeat.downReason] : heartbeat.status === 'new' ? 'not alerting until the first ping' : ''}
      </dd>
      <dt>Schedule</dt>
      <dd>{scheduleText(heartbeat)}</dd>
      <dt>Last ping</dt>
      <dd>
        <Time value={heartbeat.lastPingAt} fallback="never" />
        {heartbeat.lastPingKind && heartbeat.lastPingAt ? ` (${heartbeat.lastPingKind}${heartbeat.lastExitCode !== null ? `, exit code ${heartbeat.lastExitCode}` : ''})` : ''}
      </dd>
      <dt>Alerts if nothing by</dt>
      <dd>
        <Time value={heartbeat.nextDeadlineAt} fallback="—" />
      </dd>
    </dl>
  );
}

/** Copy-paste use of a heartbeat: a crontab line (with the heartbeat's own schedule when it has one) and start/exit-code reporting. */
export function heartbeatSnippets(url: string, heartbeat: HeartbeatView | undefined): { crontab: string; wrapped: string } {
  const schedule = heartbeat?.cron ?? '0 3 * * *';
  const zone = heartbeat?.cron && heartbeat.timeZone !== 'UTC' ? [`CRON_TZ=${heartbeat.timeZone}`] : [];
  const crontab = [...zone, `${schedule} /usr/local/bin/backup.sh && curl -fsS -m 10 --retry 5 -o /dev/null '${url}'`].join('\n');
  const wrapped = [
    `curl -fsS -m 10 --retry 3 -o /dev/null '${url}/start'`,
    '/usr/local/bin/backup.sh',
    '# 0 is success, 1-255 a failure that alerts at once',
    `curl -fsS -m 10 --retry 3 -o /dev/null "${url}/$?"`,
  ].join('\n');
  return { crontab, wrapped };
}

/** The setup panel of a heartbeat integration: how to ping it, its status, and its schedule settings. */
export function HeartbeatSetup({ integration, manage }: { integration: IntegrationWithKey; manage: boolean }) {
  const { crontab, wrapped } = heartbeatSnippets(integration.url, integration.heartbeat);
  return (
    <>
      <p>
        A heartbeat alerts when a job stops checking in. Ping <code>{integration.url}</code> (HEAD, GET or POST) when the job succeeds; <code>/start</code> when it starts, <code>/fail</code> or{' '}
        <code>/&lt;exit code&gt;</code> when it ends. A missed ping opens an alert after the grace period and the next successful ping resolves it.
      </p>
      {integration.heartbeat && <HeartbeatDetails heartbeat={integration.heartbeat} />}
      <CopyBlock label="Crontab line" text={crontab} />
      <CopyBlock label="Report start and exit code" text={wrapped} />
      {manage && integration.heartbeat && <HeartbeatSettingsForm integration={integration} heartbeat={integration.heartbeat} />}
    </>
  );
}

/** Period or cron schedule, grace, maximum run time and severity of a heartbeat. */
function HeartbeatSettingsForm({ integration, heartbeat }: { integration: IntegrationWithKey; heartbeat: HeartbeatView }) {
  const [kind, setKind] = useState<'period' | 'cron'>(heartbeat.cron !== null ? 'cron' : 'period');
  const { save, errors, saved, saveSettings } = useIntegrationSettings(integration, 'heartbeat');

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const minutes = (name: string) => Math.round(Number(formText(data, name)) * 60);
    const maxRun = formText(data, 'maxRunMinutes');
    saveSettings({
      ...(kind === 'cron' ? { cron: formText(data, 'cron'), timeZone: formText(data, 'timeZone') } : { periodSeconds: minutes('periodMinutes') }),
      graceSeconds: minutes('graceMinutes'),
      maxRunSeconds: maxRun === '' ? null : minutes('maxRunMinutes'),
      severity: formText(data, 'severity') as HeartbeatView['severity'],
    });
  }

  return (
    <form className="form panel" onSubmit={submit} aria-label={`Heartbeat settings of ${integration.name}`}>
      <h4>Schedule</h4>
      <FormAlert error={save.error} fields={['heartbeat.periodSeconds', 'heartbeat.cron', 'heartbeat.timeZone', 'heartbeat.graceSeconds', 'heartbeat.maxRunSeconds']} />
      <div className="form-row">
        <Field label="Expect a ping" name="kind">
          {(control) => (
            <select {...control} value={kind} onChange={(event) => setKind(event.currentTarget.value as 'period' | 'cron')}>
              <option value="period">Every so many minutes</option>
              <option value="cron">On a cron schedule</option>
            </select>
          )}
        </Field>
        {kind === 'period' ? (
          <Field label="Period (minutes)" name="periodMinutes" error={errors.periodSeconds}>
            {(control) => <input {...control} type="number" min={1} step="any" required defaultValue={(heartbeat.periodSeconds ?? 86_400) / 60} className="narrow" />}
          </Field>
        ) : (
          <>
            <Field label="Cron expression" name="cron" error={errors.cron} hint="Five fields: minute hour day-of-month month day-of-week, e.g. 0 3 * * *">
              {(control) => <input {...control} required defaultValue={heartbeat.cron ?? '0 3 * * *'} spellCheck={false} />}
            </Field>
            <Field label="Time zone" name="timeZone" error={errors.timeZone}>
              {(control) => <TimeZoneInput control={control} defaultValue={heartbeat.timeZone} />}
            </Field>
          </>
        )}
      </div>
      <div className="form-row">
        <Field label="Grace (minutes)" name="graceMinutes" error={errors.graceSeconds} hint="How late a ping may be before the alert">
          {(control) => <input {...control} type="number" min={0} step="any" required defaultValue={heartbeat.graceSeconds / 60} className="narrow" />}
        </Field>
        <Field label="Longest run (minutes)" name="maxRunMinutes" error={errors.maxRunSeconds} hint="From /start to its end; empty: the grace">
          {(control) => <input {...control} type="number" min={1} step="any" defaultValue={heartbeat.maxRunSeconds === null ? '' : heartbeat.maxRunSeconds / 60} className="narrow" />}
        </Field>
        <Field label="Alert severity" name="severity">
          {(control) => (
            <select {...control} defaultValue={heartbeat.severity}>
              <option value="critical">Critical</option>
              <option value="error">Error</option>
              <option value="warning">Warning</option>
              <option value="info">Info</option>
            </select>
          )}
        </Field>
      </div>
      <SettingsActions pending={save.isPending} saved={saved} submitLabel="Save schedule" />
    </form>
  );
}
