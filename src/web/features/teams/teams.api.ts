import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreateTeamBody, Team } from '../../../contracts/teams.js';
import { api } from '../../api/client.js';
import { sessionQuery } from '../../app/session.js';

export type TeamRole = Team['members'][number]['role'];

const ref = (idOrHandle: string) => encodeURIComponent(idOrHandle);

export const teamsQuery = (includeDeactivated = false) => ({
  queryKey: ['teams', 'list', { includeDeactivated }] as const,
  queryFn: async () => (await api.get<{ items: Team[] }>('/teams', { includeDeactivated: includeDeactivated || undefined })).items,
});

export const teamQuery = (idOrHandle: string) => ({
  queryKey: ['teams', 'detail', idOrHandle] as const,
  queryFn: () => api.get<Team>(`/teams/${ref(idOrHandle)}`),
});

export const teamsApi = {
  create: (input: CreateTeamBody) => api.post<Team>('/teams', input),
  update: (team: string, input: { name?: string; description?: string }) => api.patch<Team>(`/teams/${ref(team)}`, input),
  deactivate: (team: string) => api.post<Team>(`/teams/${ref(team)}/deactivate`),
  reactivate: (team: string) => api.post<Team>(`/teams/${ref(team)}/reactivate`),
  putMember: (team: string, user: string, role: TeamRole) => api.put<Team>(`/teams/${ref(team)}/members/${ref(user)}`, { role }),
  removeMember: (team: string, user: string) => api.delete<Team>(`/teams/${ref(team)}/members/${ref(user)}`),
};

/**
 * A change to one team. The answer is the updated team; lists, people's team lists and the
 * signed-in user's own team roles may all have changed with it, so those are re-read.
 */
export function useTeamChange<Input>(change: (input: Input) => Promise<Team>, onDone?: (team: Team) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: async (team) => {
      queryClient.setQueryData(teamQuery(team.handle).queryKey, team);
      onDone?.(team);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['teams', 'list'] }),
        queryClient.invalidateQueries({ queryKey: ['users'] }),
        queryClient.invalidateQueries({ queryKey: sessionQuery.queryKey }),
      ]);
    },
  });
}
