/**
 * When resolving an incident requires a postmortem (issue 8 "When a postmortem is required", ADR 0033).
 * Pure: the server gathers the facts in the resolving transaction and stores the verdict.
 */

export interface PostmortemPolicyRules {
  /** Severity keys that always require one. */
  severities: readonly string[];
  /** Customer impact strictly longer than this many minutes requires one; null: off. */
  customerImpactMinutes: number | null;
  /** Another incident on an impacted service detected within this many days requires one; null: off. */
  repeatWithinDays: number | null;
  /**
   * A required postmortem is due this many days after the incident resolved (its owner is reminded
   * until it is published). Optional so a policy stored before it existed still reads; see {@link postmortemDueDays}.
   */
  dueDays?: number;
}

/** Days from resolution until a required postmortem is due when the policy does not say. */
export const DEFAULT_POSTMORTEM_DUE_DAYS = 5;

/** The defaults: SEV1 and SEV2, more than 30 minutes of customer impact, the same service again within 3 days; due in 5 days. */
export const defaultPostmortemPolicy: PostmortemPolicyRules = { severities: ['SEV1', 'SEV2'], customerImpactMinutes: 30, repeatWithinDays: 3, dueDays: DEFAULT_POSTMORTEM_DUE_DAYS };

/** The policy's due days, or the default for a policy stored before `dueDays` existed. */
export function postmortemDueDays(policy: Pick<PostmortemPolicyRules, 'dueDays'>): number {
  return policy.dueDays ?? DEFAULT_POSTMORTEM_DUE_DAYS;
}

export interface PostmortemFacts {
  severity: string;
  /** Epoch ms. */
  detectedAt: number;
  mitigatedAt: number | null;
  resolvedAt: number | null;
  /** Other incidents sharing an impacted service: their reference, the service's handle, and when detected. */
  related: ReadonlyArray<{ reference: string; serviceHandle: string; detectedAt: number }>;
  /** Who asked for a postmortem; null: nobody. */
  requestedBy: string | null;
}

export interface PostmortemVerdict {
  required: boolean;
  /** Short reasons for the timeline: `SEV1`, `customer impact 47 min`, `checkout again within 3 days (INC-3)`, `requested by ana`. */
  reasons: string[];
  requested: boolean;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * Customer impact in whole minutes: detection until mitigation, or until resolution when it was
 * never marked mitigated; null while neither happened.
 */
export function customerImpactMinutes(facts: Pick<PostmortemFacts, 'detectedAt' | 'mitigatedAt' | 'resolvedAt'>): number | null {
  const end = facts.mitigatedAt ?? facts.resolvedAt;
  if (end === null) return null;
  return Math.max(0, Math.floor((end - facts.detectedAt) / MINUTE_MS));
}

/** The policy's verdict. Every reason that holds is listed, in the policy's order, then a request. */
export function evaluatePostmortemPolicy(policy: PostmortemPolicyRules, facts: PostmortemFacts): PostmortemVerdict {
  const reasons: string[] = [];
  if (policy.severities.some((s) => s.toUpperCase() === facts.severity.toUpperCase())) reasons.push(facts.severity);
  const impact = customerImpactMinutes(facts);
  if (policy.customerImpactMinutes !== null && impact !== null && impact > policy.customerImpactMinutes) reasons.push(`customer impact ${impact} min`);
  if (policy.repeatWithinDays !== null) {
    const window = policy.repeatWithinDays * DAY_MS;
    const repeats = facts.related.filter((r) => Math.abs(r.detectedAt - facts.detectedAt) <= window);
    const byService = new Map<string, string[]>();
    for (const r of [...repeats].sort((a, b) => a.detectedAt - b.detectedAt)) {
      const refs = byService.get(r.serviceHandle) ?? [];
      if (!refs.includes(r.reference)) refs.push(r.reference);
      byService.set(r.serviceHandle, refs);
    }
    for (const [service, refs] of [...byService].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      reasons.push(`${service} had another incident within ${policy.repeatWithinDays} day${policy.repeatWithinDays === 1 ? '' : 's'} (${refs.join(', ')})`);
    }
  }
  if (facts.requestedBy !== null) reasons.push(`requested by ${facts.requestedBy}`);
  return { required: reasons.length > 0, reasons, requested: facts.requestedBy !== null };
}

/** The timeline milestone for a verdict. */
export function verdictSummary(verdict: PostmortemVerdict): string {
  return verdict.required ? `A postmortem is required: ${verdict.reasons.join('; ')}` : 'No postmortem is required by the policy';
}
