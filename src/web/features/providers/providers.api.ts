import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { ContactMethodType } from '../../../contracts/notify.js';
import type { CreateProviderBody, Provider, ProviderKindInfo, providerTestResultSchema, UpdateProviderBody } from '../../../contracts/providers.js';
import { api } from '../../api/client.js';

export type ProviderTestResult = z.infer<typeof providerTestResultSchema>;

/** Where the providers page and each provider's page live (under Settings). */
export const providersHref = '/settings/providers';
export const providerHref = (provider: Pick<Provider, 'id'>) => `${providersHref}/${encodeURIComponent(provider.id)}`;

const providerPath = (ref: string) => `/notification-providers/${encodeURIComponent(ref)}`;

/** The kinds this instance can deliver through, with the fields each one needs; they change only with a new release. */
export const providerKindsQuery = {
  queryKey: ['notification-provider-kinds'] as const,
  queryFn: async () => (await api.get<{ items: ProviderKindInfo[] }>('/notification-provider-kinds')).items,
  staleTime: Infinity,
};

/** Every provider, with its health; re-read often since health changes with every delivery. */
export const providersQuery = {
  queryKey: ['notification-providers'] as const,
  queryFn: async () => (await api.get<{ items: Provider[] }>('/notification-providers')).items,
  refetchInterval: 30_000,
};

export const providerQuery = (ref: string) => ({
  queryKey: ['notification-providers', ref] as const,
  queryFn: () => api.get<Provider>(providerPath(ref)),
  refetchInterval: 30_000,
});

export const providersApi = {
  create: (input: CreateProviderBody) => api.post<Provider>('/notification-providers', input),
  update: ({ ref, changes }: { ref: string; changes: UpdateProviderBody }) => api.patch<Provider>(providerPath(ref), changes),
  remove: (ref: string) => api.delete(providerPath(ref)),
  test: ({ ref, channel, to }: { ref: string; channel: ContactMethodType; to: unknown }) => api.post<ProviderTestResult>(`${providerPath(ref)}/test`, { channel, to }),
};

/**
 * A provider mutation that re-reads every provider query when it settles: a change, a deletion and a
 * test (which records health) all show in the list and on the detail page.
 */
export function useProviderChange<TInput, TResult>(mutationFn: (input: TInput) => Promise<TResult>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSettled: () => queryClient.invalidateQueries({ queryKey: ['notification-providers'] }) });
}
