import { z } from 'zod';
import { listOf } from '../../../../contracts/common.js';
import {
  addIncidentPlaybookSchema,
  incidentTaskInputSchema,
  incidentTaskSchema,
  incidentTaskUpdateSchema,
  incidentThreadInputSchema,
  incidentThreadSchema,
  incidentThreadUpdateSchema,
  playbookInputSchema,
  playbookSchema,
  playbookUpdateSchema,
} from '../../../../contracts/incident-work.js';
import { defineRoute, type AnyRoute } from '../../../platform/http/route.js';
import type { IncidentWorkService } from './incident-work.service.js';
import type { PlaybookService } from './playbook.service.js';

const incidentRef = z.string().min(1).max(64).describe('Incident id, `INC-42`, `#42` or `42`');
const incidentParams = z.strictObject({ incident: incidentRef });
const taskParams = z.strictObject({ incident: incidentRef, task: z.string().min(1).max(64).describe('Task id') });
const threadParams = z.strictObject({ incident: incidentRef, thread: z.string().min(1).max(64).describe('Thread id') });
const playbookParams = z.strictObject({ playbook: z.string().min(1).max(128).describe('Playbook name or id') });

/** Responders work incidents; anyone signed in reads them (as for the incident itself). */
const respond = { role: 'responder' } as const;
const read = { role: 'viewer' } as const;
/** Playbooks are shared configuration, managed like escalation policies' organization-wide settings: admins. */
const manage = { role: 'admin' } as const;

/** Threads, the checklist (tasks) and playbooks on incidents (ADR 0030, docs/incidents.md). */
export function incidentWorkRoutes(work: IncidentWorkService, playbooks: PlaybookService): AnyRoute[] {
  return [
    // ---- tasks
    defineRoute({
      method: 'GET', path: '/api/v1/incidents/{incident}/tasks', operationId: 'listIncidentTasks', summary: 'An incident’s checklist, in order (role-owned tasks show who holds the role now)', tag: 'Incidents',
      auth: read, params: incidentParams, success: { status: 200, schema: listOf(incidentTaskSchema) }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => ({ items: await work.tasks(params.incident) }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/incidents/{incident}/tasks', operationId: 'addIncidentTask', summary: 'Add a task to an open incident’s checklist, owned by a person or an incident role', tag: 'Incidents',
      auth: respond, params: incidentParams, body: incidentTaskInputSchema, success: { status: 201, schema: incidentTaskSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => work.addTask({ actor, principal }, params.incident, body),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/incidents/{incident}/tasks/{task}', operationId: 'updateIncidentTask', summary: 'Check a task off (or undo), rename or reassign it; recorded on the timeline; refused once resolved', tag: 'Incidents',
      auth: respond, params: taskParams, body: incidentTaskUpdateSchema, success: { status: 200, schema: incidentTaskSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => work.updateTask({ actor, principal }, params.incident, params.task, body),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/incidents/{incident}/playbooks', operationId: 'addIncidentPlaybook', summary: 'Add a playbook’s items to an open incident’s checklist (once per playbook)', tag: 'Incidents',
      auth: respond, params: incidentParams, body: addIncidentPlaybookSchema, success: { status: 201, schema: listOf(incidentTaskSchema), description: 'The tasks added' }, errors: ['NOT_FOUND', 'RULE_VIOLATION', 'CONFLICT'],
      handler: async ({ params, body, actor, principal }) => ({ items: await work.addPlaybook({ actor, principal }, params.incident, body) }),
    }),

    // ---- threads
    defineRoute({
      method: 'GET', path: '/api/v1/incidents/{incident}/threads', operationId: 'listIncidentThreads', summary: 'An incident’s threads (lines of investigation), oldest first', tag: 'Incidents',
      auth: read, params: incidentParams, success: { status: 200, schema: listOf(incidentThreadSchema) }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => ({ items: await work.threads(params.incident) }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/incidents/{incident}/threads', operationId: 'openIncidentThread', summary: 'Open a thread on an open incident (owner: `owner`, default you)', tag: 'Incidents',
      auth: respond, params: incidentParams, body: incidentThreadInputSchema, success: { status: 201, schema: incidentThreadSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => work.openThread({ actor, principal }, params.incident, body),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/incidents/{incident}/threads/{thread}', operationId: 'updateIncidentThread', summary: 'Rename a thread, hand it over, conclude it (with a conclusion), abandon or reopen it', tag: 'Incidents',
      auth: respond, params: threadParams, body: incidentThreadUpdateSchema, success: { status: 200, schema: incidentThreadSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => work.updateThread({ actor, principal }, params.incident, params.thread, body),
    }),

    // ---- playbooks
    defineRoute({
      method: 'GET', path: '/api/v1/playbooks', operationId: 'listPlaybooks', summary: 'List playbooks (the built-in first five minutes first)', tag: 'Playbooks',
      auth: read, success: { status: 200, schema: listOf(playbookSchema) },
      handler: async () => ({ items: await playbooks.list() }),
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/playbooks', operationId: 'createPlaybook', summary: 'Create a playbook (name `first-five-minutes` replaces the built-in checklist)', tag: 'Playbooks',
      auth: manage, body: playbookInputSchema, success: { status: 201, schema: playbookSchema }, errors: ['CONFLICT'],
      handler: async ({ body, actor, principal }) => playbooks.create({ actor, principal }, body),
    }),
    defineRoute({
      method: 'GET', path: '/api/v1/playbooks/{playbook}', operationId: 'getPlaybook', summary: 'Get a playbook by name or id', tag: 'Playbooks',
      auth: read, params: playbookParams, success: { status: 200, schema: playbookSchema }, errors: ['NOT_FOUND'],
      handler: async ({ params }) => playbooks.get(params.playbook),
    }),
    defineRoute({
      method: 'PATCH', path: '/api/v1/playbooks/{playbook}', operationId: 'updatePlaybook', summary: 'Change a playbook (`items` replaces the list; `appliesTo: null` makes it manual-only)', tag: 'Playbooks',
      auth: manage, params: playbookParams, body: playbookUpdateSchema, success: { status: 200, schema: playbookSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, body, actor, principal }) => playbooks.update({ actor, principal }, params.playbook, body),
    }),
    defineRoute({
      method: 'DELETE', path: '/api/v1/playbooks/{playbook}', operationId: 'deletePlaybook', summary: 'Delete a playbook (incidents keep their tasks; deleting first-five-minutes brings back the built-in)', tag: 'Playbooks',
      auth: manage, params: playbookParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async ({ params, actor, principal }) => playbooks.delete({ actor, principal }, params.playbook),
    }),
  ];
}
