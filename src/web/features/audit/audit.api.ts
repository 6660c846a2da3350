import { infiniteQueryOptions, keepPreviousData } from '@tanstack/react-query';
import type { z } from 'zod';
import type { auditPageSchema } from '../../../contracts/audit.js';
import { api } from '../../api/client.js';

export type AuditPage = z.infer<typeof auditPageSchema>;
export interface AuditFilter {
  action: string;
  targetType: string;
}

const pageSize = 50;

/** The audit log, newest first, one page at a time: each page asks for entries before the last one. */
export const auditQuery = (filter: AuditFilter) =>
  infiniteQueryOptions({
    queryKey: ['audit', filter] as const,
    queryFn: ({ pageParam }) => api.get<AuditPage>('/audit', { limit: pageSize, before: pageParam, action: filter.action, targetType: filter.targetType }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextBefore ?? undefined,
    // Keep showing the current entries while a new filter loads.
    placeholderData: keepPreviousData,
  });
