import { lazy, Suspense, type ComponentType } from 'react';
import { Loading } from '../../ui/page.js';

/**
 * The on-call area's pages, loaded on first visit: they bring Temporal (for calendar arithmetic in
 * any zone), which the rest of the app does not need. Each is wrapped in its own Suspense so the
 * shell stays put while the chunk loads.
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

export const MyOnCallPage = deferred(async () => (await import('./my-oncall-page.js')).MyOnCallPage);
export const SchedulesPage = deferred(async () => (await import('./schedules-page.js')).SchedulesPage);
export const SchedulePage = deferred(async () => (await import('./schedule-page.js')).SchedulePage);
export const HoursReportPage = deferred(async () => (await import('./hours-report-page.js')).HoursReportPage);
export const PoliciesPage = deferred(async () => (await import('../escalation-policies/policies-page.js')).PoliciesPage);
export const PolicyPage = deferred(async () => (await import('../escalation-policies/policy-page.js')).PolicyPage);
