import { api } from '../api/client.js';

export interface SystemInfo {
  version: string;
  database: 'sqlite' | 'postgres';
}

export const systemInfoQuery = {
  queryKey: ['system-info'] as const,
  queryFn: () => api.get<SystemInfo>('/system/info'),
  staleTime: Infinity,
};
