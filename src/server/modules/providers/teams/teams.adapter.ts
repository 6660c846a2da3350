import { z } from 'zod';
import { defineAdapter } from '../provider-adapter.js';
import { defaultTokenUrl } from './teams.api.js';
import { TeamsChannel } from './teams.channel.js';

export const TEAMS_SERVICE_URL = 'https://smba.trafficmanager.net/teams/';
export const GRAPH_URL = 'https://graph.microsoft.com';

const uuid = z
  .string()
  .trim()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a GUID such as 00000000-0000-0000-0000-000000000000');
const url = (example: string) =>
  z
    .string()
    .max(2048)
    .refine((v) => /^https?:\/\/[^/\s]+/.test(v), `must be an http(s) URL such as ${example}`);

/**
 * A Microsoft Teams bot (Azure Bot resource with a single-tenant Entra app registration;
 * docs/providers.md). Pages arrive as proactive personal chat messages; their buttons are the signed
 * one-click links, so there is no inbound callback.
 */
export const teamsAdapter = defineAdapter({
  kind: 'teams',
  channels: ['teams'],
  fields: [
    { key: 'appId', label: 'App (client) ID', secret: false, required: true, description: 'The bot’s Microsoft App ID (the Entra app registration’s client id)', example: '00000000-0000-0000-0000-000000000000' },
    { key: 'tenantId', label: 'Tenant ID', secret: false, required: true, description: 'Your Microsoft Entra tenant (directory) id' },
    { key: 'appPassword', label: 'Client secret', secret: true, required: true, description: 'A client secret of the app registration (Certificates & secrets); note when it expires' },
    { key: 'serviceUrl', label: 'Service URL', secret: false, required: false, description: 'The Bot Connector service for your region', example: TEAMS_SERVICE_URL },
    { key: 'tokenUrl', label: 'Token URL', secret: false, required: false, description: 'Default https://login.microsoftonline.com/<tenant id>/oauth2/v2.0/token; change it for national clouds' },
    { key: 'graphUrl', label: 'Graph URL', secret: false, required: false, description: 'Microsoft Graph, used only to look up user principal names', example: GRAPH_URL },
  ],
  settings: z.strictObject({
    appId: uuid,
    tenantId: uuid,
    serviceUrl: url(TEAMS_SERVICE_URL).optional(),
    tokenUrl: url('https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token').optional(),
    graphUrl: url(GRAPH_URL).optional(),
  }),
  secrets: z.strictObject({ appPassword: z.string().min(8).max(512) }),
  create({ settings, secrets }, deps) {
    return {
      teams: new TeamsChannel({
        appId: settings.appId,
        tenantId: settings.tenantId,
        appPassword: secrets.appPassword,
        serviceUrl: settings.serviceUrl ?? TEAMS_SERVICE_URL,
        tokenUrl: settings.tokenUrl ?? defaultTokenUrl(settings.tenantId),
        graphUrl: settings.graphUrl ?? GRAPH_URL,
        allowPrivate: deps.allowPrivate,
        clock: deps.clock,
      }),
    };
  },
});
