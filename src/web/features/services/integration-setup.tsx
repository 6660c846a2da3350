import { useRef, useState } from 'react';
import { EmailSetup } from './email-settings.js';
import { HeartbeatSetup } from './heartbeat-status.js';
import type { IntegrationWithKey } from './services.api.js';
import { WebhookMappingForm } from './webhook-mapping.js';

/** A block of text to paste elsewhere, with a copy button that says whether it worked. */
export function CopyBlock({ label, text }: { label: string; text: string }) {
  const pre = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('yes');
    } catch {
      // Without clipboard permission (or over plain http) select the text for a manual copy.
      const selection = window.getSelection();
      if (pre.current && selection) selection.selectAllChildren(pre.current);
      setCopied('failed');
    }
  }
  return (
    <figure className="copy-block">
      <figcaption>
        <span>{label}</span>
        <button type="button" className="button button-small" onClick={() => void copy()} aria-label={`Copy ${label}`}>
          Copy
        </button>
      </figcaption>
      <pre ref={pre} className="code-block" tabIndex={0}>
        {text}
      </pre>
      <p className="muted small" role="status">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Could not reach the clipboard: the text is selected, copy it with your keyboard.' : ''}
      </p>
    </figure>
  );
}

/**
 * The integration's key and the configuration to paste into the sending tool. The URL and snippet
 * come from the server, which builds them from Firebreak's public URL: that is the address tools
 * outside this browser must use, even when this page was opened through another one.
 */
export function IntegrationSetup({ integration, fresh, onDone, manage = fresh }: { integration: IntegrationWithKey; fresh: boolean; onDone: () => void; manage?: boolean }) {
  const { url } = integration;
  const snippet = integration.snippet.trimEnd();
  const origin = URL.canParse(url) ? new URL(url).origin : window.location.origin;
  return (
    <div className="secret-box integration-setup" role="region" aria-label={`Setup for ${integration.name}`}>
      <h3>{fresh ? `Integration “${integration.name}” is ready` : `Set up “${integration.name}”`}</h3>
      <p>
        The key routes events to this service. Treat it like a password: anyone with it can raise alerts here. Admins and the owning team can show it again from this page.
      </p>
      <div className="secret-row">
        <label htmlFor={`key-${integration.id}`} className="field-label">
          Integration key
        </label>
        <input id={`key-${integration.id}`} className="secret-value" readOnly value={integration.key} onFocus={(event) => event.currentTarget.select()} spellCheck={false} />
      </div>
      {integration.type === 'heartbeat' ? (
        <HeartbeatSetup integration={integration} manage={manage} />
      ) : integration.type === 'email' ? (
        <EmailSetup integration={integration} manage={manage} />
      ) : integration.type === 'alertmanager' ? (
        <>
          <p>
            Add a receiver with this webhook to Alertmanager. With <code>send_resolved: true</code> the alert resolves here when it resolves in Alertmanager; each firing group becomes one alert with its member alerts.
          </p>
          <CopyBlock label="Alertmanager configuration" text={snippet} />
        </>
      ) : integration.type === 'grafana' ? (
        <>
          <p>
            Add a webhook contact point to Grafana with the URL <code>{url}</code> (or provision it with this file). Each notification group becomes one alert with its member alerts; their dashboard, panel and silence links and screenshots are kept, and the alert resolves when every member has.
          </p>
          <p className="small">
            {integration.verification.length > 0
              ? `Posts must pass: ${integration.verification.map((v) => (v === 'hmac' ? 'the HMAC signature (X-Grafana-Alerting-Signature)' : v === 'bearer' ? 'the bearer token' : 'basic auth')).join(', ')}. The file below holds the secrets Grafana needs.`
              : 'No signature or credentials are checked: the key in the URL is the only secret. Set a signing secret through the API (auth.hmacSecret) to have each post verified.'}
          </p>
          <CopyBlock label="Grafana contact point provisioning" text={snippet} />
        </>
      ) : integration.type === 'webhook' ? (
        <>
          <p>
            Post JSON to <code>{url}</code> with <code>title</code>, <code>status</code> (<code>firing</code> or <code>resolved</code>), <code>dedupKey</code>, <code>severity</code> (<code>critical</code>, <code>error</code>, <code>warning</code>, <code>info</code>), and optionally <code>description</code>, <code>links</code> and <code>details</code>. Posts with the same <code>dedupKey</code> join one alert; <code>resolved</code> closes it.
          </p>
          <p className="small">
            {integration.verification.length > 0
              ? `Posts must carry ${integration.verification.map((v) => (v === 'bearer' ? 'the bearer token' : 'basic auth')).join(' and ')} (shown in the example below).`
              : 'No credentials are checked: the key in the URL is the only secret. Set a bearer token or basic auth through the API (auth) to require them.'}
          </p>
          <CopyBlock label="Example with curl" text={snippet} />
          {integration.mapping ? (
            <p className="small">
              Posts are read through this integration’s JSON-path mapping (title from <code>{integration.mapping.title}</code>
              {integration.mapping.status ? (
                <>
                  , status from <code>{integration.mapping.status}</code>
                </>
              ) : null}
              {integration.mapping.dedupKey ? (
                <>
                  , dedup key from <code>{integration.mapping.dedupKey}</code>
                </>
              ) : null}
              ), not the documented fields above.
            </p>
          ) : null}
          {manage && <WebhookMappingForm integration={integration} />}
        </>
      ) : integration.type === 'opsgenie' ? (
        <>
          <p>
            A drop-in for the Opsgenie Alert API: point your Opsgenie client or Alertmanager’s <code>opsgenie_configs</code> at <code>{origin}</code> instead of <code>https://api.opsgenie.com</code> and use this key as the API key (<code>Authorization: GenieKey …</code>). Alerts with the same <code>alias</code> join one alert; acknowledge and close work by id, alias or tiny id (the alert number); <code>priority</code> P1–P5 sets the severity.
          </p>
          <CopyBlock label="Alertmanager configuration and curl example" text={snippet} />
        </>
      ) : integration.type === 'victorops' ? (
        <>
          <p>
            Use <code>{url}</code> in place of your Splunk On-Call (VictorOps) REST endpoint URL (the last segment, the routing key, can be anything). <code>message_type</code> <code>CRITICAL</code> or <code>WARNING</code> opens an alert per <code>entity_id</code>, <code>ACKNOWLEDGEMENT</code> acknowledges it and <code>RECOVERY</code> resolves it.
          </p>
          <CopyBlock label="Alertmanager configuration and curl example" text={snippet} />
        </>
      ) : (
        <>
          <p>
            Send PagerDuty Events API v2 events to <code>{url}</code> with this key as the <code>routing_key</code>. Events with the same <code>dedup_key</code> join one alert; <code>event_action</code> <code>acknowledge</code> and <code>resolve</code> work too.
          </p>
          <CopyBlock label="Example with curl" text={snippet} />
          <p className="small">
            <strong>Already using a PagerDuty client</strong> (pdjs, go-pagerduty, pdpyras, the Prometheus or Grafana PagerDuty receivers)? Keep it and change only the host: use <code>{origin}</code> instead of{' '}
            <code>https://events.pagerduty.com</code>, with this key as the routing key.
          </p>
          <p className="small">
            Deploys and other changes can be recorded on this service with PagerDuty change events: <code>POST {origin}/v2/change/enqueue</code> with the same routing key. They never page anyone and show under “Recent changes”.
          </p>
        </>
      )}
      <button type="button" className="button" onClick={onDone}>
        {fresh ? 'I have saved it' : 'Hide key'}
      </button>
    </div>
  );
}
