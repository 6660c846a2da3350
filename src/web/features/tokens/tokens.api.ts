import type { z } from 'zod';
import type { ApiToken, CreateTokenBody, createdTokenSchema } from '../../../contracts/tokens.js';
import { api } from '../../api/client.js';

export type CreatedToken = z.infer<typeof createdTokenSchema>;

export const tokensQuery = (all: boolean) => ({
  queryKey: ['tokens', { all }] as const,
  queryFn: async () => (await api.get<{ items: ApiToken[] }>('/tokens', { all: all || undefined })).items,
});

export const tokensApi = {
  create: (input: CreateTokenBody) => api.post<CreatedToken>('/tokens', input),
  revoke: (id: string) => api.delete(`/tokens/${encodeURIComponent(id)}`),
};
