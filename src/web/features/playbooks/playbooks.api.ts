import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  IncidentTask,
  incidentTaskInputSchema,
  incidentTaskUpdateSchema,
  IncidentThread,
  incidentThreadInputSchema,
  incidentThreadUpdateSchema,
  Playbook,
  playbookInputSchema,
  playbookUpdateSchema,
} from '../../../contracts/incident-work.js';
import { api } from '../../api/client.js';

export type { IncidentTask, IncidentThread, Playbook };
export type PlaybookInput = z.input<typeof playbookInputSchema>;
export type PlaybookUpdate = z.input<typeof playbookUpdateSchema>;
export type TaskInput = z.input<typeof incidentTaskInputSchema>;
export type TaskUpdate = z.input<typeof incidentTaskUpdateSchema>;
export type ThreadInput = z.input<typeof incidentThreadInputSchema>;
export type ThreadUpdate = z.input<typeof incidentThreadUpdateSchema>;

const enc = encodeURIComponent;

export const playbooksQuery = () => ({
  queryKey: ['playbooks', 'list'] as const,
  queryFn: async () => (await api.get<{ items: Playbook[] }>('/playbooks')).items,
});

/** The checklist of one incident (by id). Under `incidents` so incident changes re-read it too. */
export const incidentTasksQuery = (incidentId: string) => ({
  queryKey: ['incidents', 'tasks', incidentId] as const,
  queryFn: async () => (await api.get<{ items: IncidentTask[] }>(`/incidents/${enc(incidentId)}/tasks`)).items,
});

export const incidentThreadsQuery = (incidentId: string) => ({
  queryKey: ['incidents', 'threads', incidentId] as const,
  queryFn: async () => (await api.get<{ items: IncidentThread[] }>(`/incidents/${enc(incidentId)}/threads`)).items,
});

export const playbooksApi = {
  create: (input: PlaybookInput) => api.post<Playbook>('/playbooks', input),
  update: (name: string, input: PlaybookUpdate) => api.patch<Playbook>(`/playbooks/${enc(name)}`, input),
  remove: (name: string) => api.delete<void>(`/playbooks/${enc(name)}`),
};

export const incidentWorkApi = {
  addTask: (incidentId: string, input: TaskInput) => api.post<IncidentTask>(`/incidents/${enc(incidentId)}/tasks`, input),
  updateTask: (incidentId: string, taskId: string, input: TaskUpdate) => api.patch<IncidentTask>(`/incidents/${enc(incidentId)}/tasks/${enc(taskId)}`, input),
  addPlaybook: (incidentId: string, playbook: string) => api.post<{ items: IncidentTask[] }>(`/incidents/${enc(incidentId)}/playbooks`, { playbook }),
  openThread: (incidentId: string, input: ThreadInput) => api.post<IncidentThread>(`/incidents/${enc(incidentId)}/threads`, input),
  updateThread: (incidentId: string, threadId: string, input: ThreadUpdate) => api.patch<IncidentThread>(`/incidents/${enc(incidentId)}/threads/${enc(threadId)}`, input),
};

/** A change to playbooks: the list is re-read. */
export function usePlaybookChange<Input, Output>(change: (input: Input) => Promise<Output>, onDone?: (output: Output) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: async (output) => {
      onDone?.(output);
      await queryClient.invalidateQueries({ queryKey: ['playbooks'] });
    },
  });
}

/** Role keys offered as default owners of playbook items and tasks. */
export const ownerRoleOptions: ReadonlyArray<readonly [role: string, name: string]> = [
  ['incident_commander', 'Incident commander'],
  ['communications_lead', 'Communications lead'],
  ['operations_lead', 'Operations lead'],
  ['scribe', 'Scribe'],
];
