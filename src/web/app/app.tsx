import { QueryCache, QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { Redirect, Route, Switch, useLocation, useSearch } from 'wouter';
import { isApiError } from '../api/client.js';
import { LoginPage, nextPath } from '../features/auth/login-page.js';
import { SetupPage } from '../features/setup/setup-page.js';
import { AuthLayout } from '../ui/auth-layout.js';
import { Loading, QueryError } from '../ui/page.js';
import { AppRoutes } from './routes.js';
import { forgetSession, sessionQuery } from './session.js';
import { Shell } from './shell.js';

export function createQueryClient(): QueryClient {
  const queryClient: QueryClient = new QueryClient({
    // A read answered 401 means the session ended (expired, logged out elsewhere): back to login.
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (isApiError(error, 'UNAUTHENTICATED') && query.queryKey[0] !== 'session') forgetSession(queryClient);
      },
    }),
    defaultOptions: {
      queries: {
        retry: (count, error) => !(isApiError(error) && error.status >= 400 && error.status < 500) && count < 2,
        refetchOnWindowFocus: false,
      },
    },
  });
  return queryClient;
}

export function App({ queryClient }: { queryClient: QueryClient }) {
  return (
    <QueryClientProvider client={queryClient}>
      <Switch>
        <Route path="/setup" component={SetupPage} />
        <Route path="/login" component={LoginGate} />
        <Route>
          <SignedIn />
        </Route>
      </Switch>
    </QueryClientProvider>
  );
}

/** Someone already signed in who opens /login goes straight to the app. */
function LoginGate() {
  const session = useQuery(sessionQuery);
  const search = useSearch();
  if (session.isPending) return null;
  if (session.data) return <Redirect to={nextPath(search)} replace />;
  return <LoginPage />;
}

/** Every other page needs a session; without one, log in and come back here. */
function SignedIn() {
  const session = useQuery(sessionQuery);
  const [location] = useLocation();
  const search = useSearch();
  if (session.isPending) {
    return (
      <AuthLayout title="Firebreak">
        <Loading />
      </AuthLayout>
    );
  }
  if (session.isError) {
    return (
      <AuthLayout title="Firebreak cannot load">
        <QueryError error={session.error} retry={() => void session.refetch()} />
      </AuthLayout>
    );
  }
  if (!session.data) {
    const here = location + (search ? `?${search}` : '');
    return <Redirect to={here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`} replace />;
  }
  return (
    <Shell>
      <AppRoutes />
    </Shell>
  );
}
