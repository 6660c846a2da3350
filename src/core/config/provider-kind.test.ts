import { describe, expect, it } from 'vitest';
import { configDocumentSchema, configJsonSchema, type NotificationProviderDocument } from '../../contracts/config.js';
import { checkDocuments } from './check.js';
import { canonicalDocument, configKindOrder, kindRules } from './kinds.js';
import { plan } from './plan.js';

/** The NotificationProvider kind, as far as core knows it (settings against the adapters are checked in the server's e2e tests). */

const provider = (spec: Record<string, unknown> = {}, name = 'twilio-main') => ({
  apiVersion: 'firebreak/v1',
  kind: 'NotificationProvider',
  metadata: { name },
  spec: { kind: 'twilio', settings: { from: '+14155550100' }, secrets: { authToken: { fromEnv: 'TWILIO_AUTH_TOKEN' }, accountSid: { fromEnv: 'TWILIO_ACCOUNT_SID' } }, ...spec },
});
const parse = (value: unknown) => configDocumentSchema.parse(value) as NotificationProviderDocument;
const issuesOf = (values: unknown[]) => checkDocuments(values, { mode: 'documents' }).issues.map((i) => `${i.index} ${i.path.join('.')}: ${i.message}`);

describe('the NotificationProvider kind', () => {
  it('comes first: it names nothing, and providers are in place before the people they page', () => {
    expect(configKindOrder[0]).toBe('NotificationProvider');
    expect(kindRules.NotificationProvider).toMatchObject({ fileName: 'notification-providers.yaml', deletion: 'delete' });
    expect(kindRules.NotificationProvider.references(parse(provider()))).toEqual([]);
  });

  it('has a canonical form: defaults filled in, keys sorted, empty settings and secrets left out, stable when applied twice', () => {
    const canonical = canonicalDocument(parse(provider({ settings: { messagingServiceSid: 'MG0123456789abcdef0123456789abcdef', from: '+14155550100' } })));
    expect(canonical).toEqual({
      apiVersion: 'firebreak/v1',
      kind: 'NotificationProvider',
      metadata: { name: 'twilio-main' },
      spec: {
        kind: 'twilio',
        enabled: true,
        position: 0,
        settings: { from: '+14155550100', messagingServiceSid: 'MG0123456789abcdef0123456789abcdef' },
        secrets: { accountSid: { fromEnv: 'TWILIO_ACCOUNT_SID' }, authToken: { fromEnv: 'TWILIO_AUTH_TOKEN' } },
      },
    });
    expect(Object.keys((canonical as NotificationProviderDocument).spec.secrets)).toEqual(['accountSid', 'authToken']);
    expect(canonicalDocument(canonical)).toEqual(canonical);
    const bare = canonicalDocument(parse(provider({ kind: 'ntfy', settings: {}, secrets: {} }, 'ntfy')));
    expect(bare.spec).toEqual({ kind: 'ntfy', enabled: true, position: 0 });
    expect(canonicalDocument(bare)).toEqual(bare);
  });

  it('plans writing a default or reordering keys as no change, and a new variable as a field change', () => {
    const current = [canonicalDocument(parse(provider()))];
    const same = plan([parse(provider({ enabled: true, position: 0 }))], current, { prune: false });
    expect(same.changes.map((c) => c.action)).toEqual(['unchanged']);
    const moved = plan([parse(provider({ secrets: { authToken: { fromEnv: 'TWILIO_TOKEN_2' }, accountSid: { fromEnv: 'TWILIO_ACCOUNT_SID' } } }))], current, { prune: false });
    expect(moved.changes[0]?.diff).toEqual([{ field: 'spec.secrets.authToken.fromEnv', before: 'TWILIO_AUTH_TOKEN', after: 'TWILIO_TOKEN_2' }]);
  });

  it('refuses inline secret values, unknown kinds and fields, without echoing the secret', () => {
    const issues = issuesOf([
      provider({ secrets: { authToken: 'abc123-inline-secret' } }),
      provider({ kind: 'pigeon' }, 'pigeons'),
      provider({ secrets: { authToken: { fromEnv: 'lower_case' } } }, 'lower'),
      provider({ priority: 1 }, 'typo'),
    ]);
    expect(issues).toEqual([
      '0 spec.secrets.authToken: secrets in config must name an environment variable: {fromEnv: TWILIO_AUTH_TOKEN}. Never write the secret itself in a file.',
      '1 spec.kind: must be one of smtp, twilio, vonage, webpush, slack, teams, mattermost, discord, telegram, ntfy, webhook',
      '2 spec.secrets.authToken.fromEnv: must be an environment variable name: capital letters, digits and _ , such as TWILIO_AUTH_TOKEN',
      '3 spec.priority: is not a known field (check the spelling)',
    ]);
    expect(issues.join('\n')).not.toContain('abc123-inline-secret');
  });

  it('is in the editor JSON Schema with secrets as {fromEnv} only', () => {
    const schema = configJsonSchema() as { oneOf: Array<{ properties: { kind: { const: string }; spec: { properties: Record<string, unknown> } } }> };
    const kind = schema.oneOf.find((s) => s.properties.kind.const === 'NotificationProvider');
    expect(kind?.properties.spec.properties.secrets).toMatchObject({ additionalProperties: { type: 'object', required: ['fromEnv'], additionalProperties: false } });
  });
});
