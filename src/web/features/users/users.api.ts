import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreateUserBody, User } from '../../../contracts/users.js';
import { api } from '../../api/client.js';
import { sessionQuery } from '../../app/session.js';
import type { Role } from '../../app/permissions.js';

const ref = (idOrHandle: string) => encodeURIComponent(idOrHandle);

export const usersQuery = (includeDeactivated: boolean) => ({
  queryKey: ['users', 'list', { includeDeactivated }] as const,
  queryFn: async () => (await api.get<{ items: User[] }>('/users', { includeDeactivated: includeDeactivated || undefined })).items,
});

export const userQuery = (idOrHandle: string) => ({
  queryKey: ['users', 'detail', idOrHandle] as const,
  queryFn: () => api.get<User>(`/users/${ref(idOrHandle)}`),
});

export interface UserChanges {
  name?: string;
  email?: string;
  timeZone?: string;
  role?: Role;
}

export const usersApi = {
  create: (input: CreateUserBody) => api.post<User>('/users', input),
  update: (user: string, input: UserChanges) => api.patch<User>(`/users/${ref(user)}`, input),
  deactivate: (user: string) => api.post<User>(`/users/${ref(user)}/deactivate`),
  reactivate: (user: string) => api.post<User>(`/users/${ref(user)}/reactivate`),
};

/** A change to one person; lists, teams (member names) and the own session may change with it. */
export function useUserChange<Input>(change: (input: Input) => Promise<User>, onDone?: (user: User) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: async (user) => {
      queryClient.setQueryData(userQuery(user.handle).queryKey, user);
      onDone?.(user);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['users', 'list'] }),
        queryClient.invalidateQueries({ queryKey: ['teams'] }),
        queryClient.invalidateQueries({ queryKey: sessionQuery.queryKey }),
      ]);
    },
  });
}
