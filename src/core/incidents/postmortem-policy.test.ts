import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { customerImpactMinutes, defaultPostmortemPolicy, evaluatePostmortemPolicy, verdictSummary, type PostmortemFacts } from './postmortem-policy.js';

const T0 = Date.UTC(2026, 10, 21, 9, 0);
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const facts = (over: Partial<PostmortemFacts> = {}): PostmortemFacts => ({ severity: 'SEV3', detectedAt: T0, mitigatedAt: T0 + 10 * MIN, resolvedAt: T0 + 90 * MIN, related: [], requestedBy: null, ...over });

describe('customer impact', () => {
  it('runs from detection to mitigation, else to resolution', () => {
    expect(customerImpactMinutes(facts())).toBe(10);
    expect(customerImpactMinutes(facts({ mitigatedAt: null }))).toBe(90);
    expect(customerImpactMinutes(facts({ mitigatedAt: null, resolvedAt: null }))).toBeNull();
  });
});

describe('evaluatePostmortemPolicy', () => {
  it('requires none for a short SEV3 with no repeat and no request', () => {
    const verdict = evaluatePostmortemPolicy(defaultPostmortemPolicy, facts());
    expect(verdict).toEqual({ required: false, reasons: [], requested: false });
    expect(verdictSummary(verdict)).toBe('No postmortem is required by the policy');
  });

  it('lists every reason that holds: severity, impact, repeats by service, request', () => {
    const verdict = evaluatePostmortemPolicy(defaultPostmortemPolicy, facts({
      severity: 'SEV1',
      mitigatedAt: T0 + 47 * MIN + 30_000,
      related: [
        { reference: 'INC-3', serviceHandle: 'checkout', detectedAt: T0 - 2 * DAY },
        { reference: 'INC-1', serviceHandle: 'checkout', detectedAt: T0 - 10 * DAY },
        { reference: 'INC-4', serviceHandle: 'api', detectedAt: T0 + DAY },
      ],
      requestedBy: 'ana',
    }));
    expect(verdict).toEqual({
      required: true,
      reasons: ['SEV1', 'customer impact 47 min', 'api had another incident within 3 days (INC-4)', 'checkout had another incident within 3 days (INC-3)', 'requested by ana'],
      requested: true,
    });
    expect(verdictSummary(verdict)).toBe('A postmortem is required: SEV1; customer impact 47 min; api had another incident within 3 days (INC-4); checkout had another incident within 3 days (INC-3); requested by ana');
  });

  it('impact exactly at the threshold is not over it; turned-off reasons never count', () => {
    expect(evaluatePostmortemPolicy(defaultPostmortemPolicy, facts({ mitigatedAt: T0 + 30 * MIN })).required).toBe(false);
    expect(evaluatePostmortemPolicy(defaultPostmortemPolicy, facts({ mitigatedAt: T0 + 31 * MIN })).reasons).toEqual(['customer impact 31 min']);
    const off = { severities: [], customerImpactMinutes: null, repeatWithinDays: null };
    expect(evaluatePostmortemPolicy(off, facts({ severity: 'SEV1', mitigatedAt: null, related: [{ reference: 'INC-2', serviceHandle: 'x', detectedAt: T0 }] })).required).toBe(false);
  });

  it('property: required exactly when there is a reason; a request always requires one', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('SEV1', 'SEV2', 'SEV3', 'SEV4'),
        fc.integer({ min: 0, max: 600 }),
        fc.option(fc.constantFrom('ana', 'ben'), { nil: null }),
        fc.array(fc.integer({ min: -10, max: 10 }), { maxLength: 3 }),
        (severity, minutes, requestedBy, days) => {
          const verdict = evaluatePostmortemPolicy(defaultPostmortemPolicy, facts({ severity, mitigatedAt: T0 + minutes * MIN, requestedBy, related: days.map((d, i) => ({ reference: `INC-${i + 10}`, serviceHandle: 'svc', detectedAt: T0 + d * DAY })) }));
          if (verdict.required !== verdict.reasons.length > 0) return false;
          if (requestedBy !== null && !verdict.required) return false;
          const expectRepeat = days.some((d) => Math.abs(d) <= 3);
          return verdict.reasons.some((r) => r.startsWith('svc had another')) === expectRepeat && verdict.reasons.includes(severity) === ['SEV1', 'SEV2'].includes(severity);
        },
      ),
      { numRuns: 300, seed: 20261121 },
    );
  });
});
