import { queryOptions, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { SessionInfo } from '../../contracts/auth.js';
import { api, isApiError, setCsrfToken } from '../api/client.js';

/** The signed-in session, or null when nobody is logged in. */
export const sessionQuery = queryOptions({
  queryKey: ['session'] as const,
  queryFn: async (): Promise<SessionInfo | null> => {
    try {
      const session = await api.get<SessionInfo>('/auth/session');
      setCsrfToken(session.csrfToken);
      return session;
    } catch (error) {
      if (isApiError(error, 'UNAUTHENTICATED')) {
        setCsrfToken(null);
        return null;
      }
      throw error;
    }
  },
  staleTime: 5 * 60_000,
  retry: false,
});

/** Records a session from a login or setup answer, so the app opens without another round trip. */
export function acceptSession(queryClient: QueryClient, session: SessionInfo): void {
  setCsrfToken(session.csrfToken);
  queryClient.setQueryData(sessionQuery.queryKey, session);
}

/** Forgets the session and every cached answer that belonged to it. */
export function forgetSession(queryClient: QueryClient): void {
  setCsrfToken(null);
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== 'session' });
  queryClient.setQueryData(sessionQuery.queryKey, null);
}

/** The current session. Only for components rendered inside the signed-in shell. */
export function useSession(): SessionInfo {
  const { data } = useQuery(sessionQuery);
  if (!data) throw new Error('useSession() used outside the signed-in app');
  return data;
}

/** Re-reads the session, for changes to the signed-in user (name, time zone, TOTP). */
export function useRefreshSession(): () => Promise<void> {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: sessionQuery.queryKey });
}
