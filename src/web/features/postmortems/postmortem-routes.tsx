import { lazy, Suspense, type ComponentType } from 'react';
import { Route } from 'wouter';
import { Loading } from '../../ui/page.js';

/**
 * The postmortem pages, loaded on first visit: the editor brings markdown-it and the blameless
 * assistant (core/postmortems), which the rest of the app does not need. Each page gets its own
 * Suspense so the shell stays put while the chunk loads (as the on-call pages do).
 */
function deferred<Props extends object>(load: () => Promise<ComponentType<Props>>): ComponentType<Props> {
  const Page = lazy(async () => ({ default: await load() }));
  return function DeferredPage(props: Props) {
    return (
      <Suspense fallback={<Loading />}>
        <Page {...props} />
      </Suspense>
    );
  };
}

const PostmortemsPage = deferred(async () => (await import('./postmortems-page.js')).PostmortemsPage);
const TemplatesPage = deferred(async () => (await import('./templates-page.js')).TemplatesPage);
const PostmortemPage = deferred<{ postmortem: string }>(async () => (await import('./postmortem-page.js')).PostmortemPage);
const ActionItemsPage = deferred(async () => (await import('./action-items-page.js')).ActionItemsPage);

/**
 * The postmortem routes, as one element the app's router includes with a single line: wouter's
 * Switch looks into fragments, and the templates page comes before `:postmortem` so it is not read
 * as a reference.
 */
export const postmortemRoutes = (
  <>
    <Route path="/postmortems" component={PostmortemsPage} />
    <Route path="/postmortems/templates" component={TemplatesPage} />
    <Route path="/postmortems/:postmortem">{(params) => <PostmortemPage postmortem={params.postmortem} />}</Route>
    <Route path="/action-items" component={ActionItemsPage} />
  </>
);
