import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { routingRuleSchema, rulesPreviewSchema, ServiceRouting, supportHoursSchema, supportSettingsSchema } from '../../../contracts/routing.js';
import { api } from '../../api/client.js';

export type { ServiceRouting };
export type RoutingRule = z.input<typeof routingRuleSchema>;
export type RuleCondition = RoutingRule['conditions'] extends (infer C)[] | undefined ? C : never;
export type SupportHours = z.input<typeof supportHoursSchema>;
export type SupportSettings = z.input<typeof supportSettingsSchema>;
export type RulesPreview = z.infer<typeof rulesPreviewSchema>;

const ref = (idOrHandle: string) => encodeURIComponent(idOrHandle);

export const routingQuery = (service: string) => ({
  queryKey: ['services', 'routing', service] as const,
  queryFn: () => api.get<ServiceRouting>(`/services/${ref(service)}/routing`),
});

export const routingApi = {
  putRules: (service: string, rules: RoutingRule[]) => api.put<ServiceRouting>(`/services/${ref(service)}/rules`, { rules }),
  putSupport: (service: string, settings: SupportSettings) => api.put<ServiceRouting>(`/services/${ref(service)}/support-hours`, settings),
  preview: (service: string, rules: RoutingRule[], limit: number) => api.post<RulesPreview>(`/services/${ref(service)}/rules/preview`, { rules, limit }),
};

/** A change to a service's routing; its routing view is re-read. */
export function useRoutingChange<Input>(service: string, change: (input: Input) => Promise<ServiceRouting>, onDone?: (output: ServiceRouting) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: async (output) => {
      onDone?.(output);
      queryClient.setQueryData(routingQuery(service).queryKey, output);
      await queryClient.invalidateQueries({ queryKey: ['services', 'routing', service] });
    },
  });
}
