import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { escalationPolicyInputSchema, escalationPolicySchema, escalationPolicyUpdateSchema, policyPreviewSchema } from '../../../contracts/oncall.js';
import { api } from '../../api/client.js';

export type EscalationPolicy = z.infer<typeof escalationPolicySchema>;
export type EscalationPolicyInput = z.input<typeof escalationPolicyInputSchema>;
export type EscalationPolicyUpdate = z.input<typeof escalationPolicyUpdateSchema>;
export type PolicyPreview = z.infer<typeof policyPreviewSchema>;
export type TargetType = EscalationPolicy['levels'][number]['targets'][number]['type'];

const ref = (idOrHandle: string) => encodeURIComponent(idOrHandle);

/** Every policy in the organization: every team can read every policy, whoever owns it. */
export const policiesQuery = () => ({
  queryKey: ['escalation-policies', 'list'] as const,
  queryFn: async () => {
    const answer = await api.get<{ items: EscalationPolicy[] } | EscalationPolicy[]>('/escalation-policies');
    return Array.isArray(answer) ? answer : answer.items;
  },
});

export const policyQuery = (policy: string) => ({
  queryKey: ['escalation-policies', 'detail', policy] as const,
  queryFn: () => api.get<EscalationPolicy>(`/escalation-policies/${ref(policy)}`),
});

/** Who the saved policy would notify, and when, for an alert firing at `at` (default now). */
export const policyPreviewQuery = (policy: string, at: string | null) => ({
  queryKey: ['escalation-policies', 'preview', policy, at] as const,
  queryFn: () => api.get<PolicyPreview>(`/escalation-policies/${ref(policy)}/preview`, { at }),
  placeholderData: (previous: PolicyPreview | undefined) => previous,
  // "Now" moves, and with it who is on call: re-read a preview of now every minute.
  refetchInterval: at === null ? 60_000 : (false as const),
});

export const policiesApi = {
  create: (input: EscalationPolicyInput) => api.post<EscalationPolicy>('/escalation-policies', input),
  update: (policy: string, input: EscalationPolicyUpdate) => api.patch<EscalationPolicy>(`/escalation-policies/${ref(policy)}`, input),
  remove: (policy: string) => api.delete(`/escalation-policies/${ref(policy)}`),
};

/** A change to one policy; lists, its preview and who-is-on-call-for-a-policy may all change with it. */
export function usePolicyChange<Input, Output>(change: (input: Input) => Promise<Output>, onDone?: (output: Output) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: async (output) => {
      onDone?.(output);
      await Promise.all([queryClient.invalidateQueries({ queryKey: ['escalation-policies'] }), queryClient.invalidateQueries({ queryKey: ['oncall'] })]);
    },
  });
}
