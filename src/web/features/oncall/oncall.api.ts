import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  calendarFeedInputSchema,
  calendarFeedSchema,
  createdCalendarFeedSchema,
  finalScheduleSchema,
  holidaySchema,
  hoursReportSchema,
  lintSchema,
  myOnCallSchema,
  onCallSchema,
  overrideInputSchema,
  overrideSchema,
  scheduleInputSchema,
  scheduleSchema,
  scheduleUpdateSchema,
  swapInputSchema,
} from '../../../contracts/oncall.js';
import { api, apiPath } from '../../api/client.js';

export type Schedule = z.infer<typeof scheduleSchema>;
export type ScheduleInput = z.input<typeof scheduleInputSchema>;
export type ScheduleUpdate = z.input<typeof scheduleUpdateSchema>;
export type LayerInput = ScheduleInput['layers'][number];
export type Restriction = NonNullable<LayerInput['restrictions']>[number];
export type FinalSchedule = z.infer<typeof finalScheduleSchema>;
export type ScheduleEntry = FinalSchedule['entries'][number];
export type Override = z.infer<typeof overrideSchema>;
export type OverrideInput = z.input<typeof overrideInputSchema>;
export type SwapInput = z.input<typeof swapInputSchema>;
export type Lint = z.infer<typeof lintSchema>;
export type OnCall = z.infer<typeof onCallSchema>;
export type MyOnCall = z.infer<typeof myOnCallSchema>;
export type CalendarFeed = z.infer<typeof calendarFeedSchema>;
export type CalendarFeedInput = z.input<typeof calendarFeedInputSchema>;
export type CreatedCalendarFeed = z.infer<typeof createdCalendarFeedSchema>;
export type Holiday = z.infer<typeof holidaySchema>;
export type HoursReport = z.infer<typeof hoursReportSchema>;
export type UsersMap = FinalSchedule['users'];

const ref = (idOrHandle: string) => encodeURIComponent(idOrHandle);

/**
 * List answers are `{ items: [...] }` everywhere in the API (contracts/common `listOf`). A bare
 * array is accepted too, so a list endpoint that answers one is not a blank page.
 */
function items<T>(answer: { items: T[] } | T[]): T[] {
  return Array.isArray(answer) ? answer : answer.items;
}

export const schedulesQuery = () => ({
  queryKey: ['schedules', 'list'] as const,
  queryFn: async () => items(await api.get<{ items: Schedule[] }>('/schedules')),
});

export const scheduleQuery = (schedule: string) => ({
  queryKey: ['schedules', 'detail', schedule] as const,
  queryFn: () => api.get<Schedule>(`/schedules/${ref(schedule)}`),
});

/** The final schedule over [from, to): what the timeline draws. */
export const finalScheduleQuery = (schedule: string, from: string, to: string) => ({
  queryKey: ['schedules', 'final', schedule, { from, to }] as const,
  queryFn: () => api.get<FinalSchedule>(`/schedules/${ref(schedule)}/final`, { from, to }),
  placeholderData: (previous: FinalSchedule | undefined) => previous,
});

export const overridesQuery = (schedule: string) => ({
  queryKey: ['schedules', 'overrides', schedule] as const,
  queryFn: async () => items(await api.get<{ items: Override[] }>(`/schedules/${ref(schedule)}/overrides`)),
});

export const lintsQuery = (schedule: string, secondary: string | null, days = 90) => ({
  queryKey: ['schedules', 'lints', schedule, { secondary, days }] as const,
  queryFn: async () => items(await api.get<{ items: Lint[] }>(`/schedules/${ref(schedule)}/lints`, { secondary, days })),
});

/** Who is on call now (or `at`) for one schedule, team or policy. */
export const onCallQuery = (filter: { schedule?: string; team?: string; policy?: string }, at?: string) => ({
  queryKey: ['oncall', 'now', filter, at ?? null] as const,
  queryFn: () => api.get<OnCall>('/oncall', { ...filter, at }),
  // "Now" changes with time: re-read every minute while the page is open.
  refetchInterval: 60_000,
});

export const myOnCallQuery = () => ({
  queryKey: ['oncall', 'me'] as const,
  queryFn: () => api.get<MyOnCall>('/me/oncall'),
});

export const calendarFeedsQuery = () => ({
  queryKey: ['calendar-feeds'] as const,
  queryFn: async () => items(await api.get<{ items: CalendarFeed[] }>('/calendar-feeds')),
});

export const holidaysQuery = () => ({
  queryKey: ['holidays'] as const,
  queryFn: async () => items(await api.get<{ items: Holiday[] }>('/holidays')),
});

export interface HoursFilter {
  from: string;
  to: string;
  team?: string | undefined;
  schedule?: string | undefined;
}

export const hoursReportQuery = (filter: HoursFilter) => ({
  queryKey: ['reports', 'oncall-hours', filter] as const,
  queryFn: () => api.get<HoursReport>('/reports/oncall-hours', { ...filter, format: 'json' }),
});

/** The address of the same report as CSV, for a download link (the session cookie authenticates it). */
export function hoursReportCsvUrl(filter: HoursFilter): string {
  return apiPath('/reports/oncall-hours', { ...filter, format: 'csv' });
}

export const oncallApi = {
  createSchedule: (input: ScheduleInput) => api.post<Schedule>('/schedules', input),
  updateSchedule: (schedule: string, input: ScheduleUpdate) => api.patch<Schedule>(`/schedules/${ref(schedule)}`, input),
  deleteSchedule: (schedule: string) => api.delete(`/schedules/${ref(schedule)}`),
  createOverride: (schedule: string, input: OverrideInput) => api.post<Override>(`/schedules/${ref(schedule)}/overrides`, input),
  deleteOverride: (schedule: string, id: string) => api.delete(`/schedules/${ref(schedule)}/overrides/${ref(id)}`),
  swap: (schedule: string, input: SwapInput) => api.post<unknown>(`/schedules/${ref(schedule)}/swaps`, input),
  createFeed: (input: CalendarFeedInput) => api.post<CreatedCalendarFeed>('/calendar-feeds', input),
  revokeFeed: (id: string) => api.delete(`/calendar-feeds/${ref(id)}`),
  createHoliday: (input: { date: string; name: string }) => api.post<Holiday>('/holidays', input),
};

/**
 * A change to schedules (definition, overrides, swaps). Everything derived from schedules (final
 * timelines, lints, who is on call, my shifts, reports) may have changed with it.
 */
export function useScheduleChange<Input, Output>(change: (input: Input) => Promise<Output>, onDone?: (output: Output) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: async (output) => {
      onDone?.(output);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['schedules'] }),
        queryClient.invalidateQueries({ queryKey: ['oncall'] }),
        queryClient.invalidateQueries({ queryKey: ['reports'] }),
        queryClient.invalidateQueries({ queryKey: ['escalation-policies', 'preview'] }),
      ]);
    },
  });
}
