import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  ContactMethod,
  CreateContactMethodBody,
  defaultsAppliedSchema,
  NotificationRules,
  NotificationSettings,
  NotificationSettingsBody,
  PutNotificationRulesBody,
  testNotificationSchema,
  UpdateContactMethodBody,
  verificationSentSchema,
} from '../../../contracts/notify.js';
import { api } from '../../api/client.js';

// The signed-in person's own setup, through /api/v1/me/…: the same API scripts use.
const base = '/me';
const methodPath = (id: string) => `${base}/contact-methods/${encodeURIComponent(id)}`;

export const contactMethodsQuery = {
  queryKey: ['contact-methods'] as const,
  queryFn: async () => (await api.get<{ items: ContactMethod[] }>(`${base}/contact-methods`)).items,
};

export const notificationRulesQuery = {
  queryKey: ['notification-rules'] as const,
  queryFn: () => api.get<NotificationRules>(`${base}/notification-rules`),
};

export const notificationSettingsQuery = {
  queryKey: ['notification-settings'] as const,
  queryFn: () => api.get<NotificationSettings>(`${base}/notification-settings`),
};

export const contactMethodsApi = {
  create: (input: CreateContactMethodBody) => api.post<ContactMethod>(`${base}/contact-methods`, input),
  update: ({ id, changes }: { id: string; changes: UpdateContactMethodBody }) => api.patch<ContactMethod>(methodPath(id), changes),
  remove: (id: string) => api.delete(methodPath(id)),
  sendCode: (id: string) => api.post<z.infer<typeof verificationSentSchema>>(`${methodPath(id)}/verification`),
  verify: ({ id, code }: { id: string; code: string }) => api.post<ContactMethod>(`${methodPath(id)}/verify`, { code }),
  sendTest: (id: string) => api.post<z.infer<typeof testNotificationSchema>>(`${methodPath(id)}/test`),
  applyDefaults: () => api.post<z.infer<typeof defaultsAppliedSchema>>(`${base}/contact-methods/defaults`),
  putRules: (rules: PutNotificationRulesBody) => api.put<NotificationRules>(`${base}/notification-rules`, rules),
  putSettings: (settings: NotificationSettingsBody) => api.put<NotificationSettings>(`${base}/notification-settings`, settings),
};

/**
 * A mutation that refreshes contact methods and rules afterwards, whether it succeeded or not: a wrong
 * code still uses up an attempt, and a method's verification state shows in the rules too.
 */
export function useNotifyChange<TInput, TResult>(mutationFn: (input: TInput) => Promise<TResult>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSettled: () =>
      Promise.all([queryClient.invalidateQueries({ queryKey: contactMethodsQuery.queryKey }), queryClient.invalidateQueries({ queryKey: notificationRulesQuery.queryKey })]),
  });
}
