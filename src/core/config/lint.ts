import type { ConfigDocument, ConfigWarningCode, EscalationPolicyDocument, ScheduleDocument } from '../../contracts/config.js';
import { DAY_MS, instant, lintSchedules, type Interval, type Lint, type Override } from '../oncall/index.js';
import type { DocumentPath } from './kinds.js';
import { targetOf } from './kinds.js';
import { scheduleDefinitionOf } from './schedule-definition.js';

/** Lints look this far ahead, as `GET /schedules/{schedule}/lints` does by default. */
export const LINT_DAYS = 90;

/** A warning about one document, by its position in the list linted, and the field it is about. */
export interface ConfigLint {
  code: Exclude<ConfigWarningCode, 'CONTACT_METHOD_UNVERIFIED'>;
  index: number;
  path: DocumentPath;
  message: string;
  intervals: Interval[];
  localIntervals: string[];
}

export interface ConfigLintOptions {
  /** Where the window starts. Core never reads the clock: the CLI passes `Date.now()`, the server its clock. */
  now: number;
  /** Length of the window; {@link LINT_DAYS} when left out. */
  days?: number;
  /**
   * Documents that are not being linted but that those being linted name: on the server, the
   * schedules and policies that exist but are in no file (a policy on the server may escalate from
   * a schedule in the files to another).
   */
  context?: readonly ConfigDocument[];
  /**
   * Whether a person (by handle) has a verified high-urgency contact method. Only the server knows;
   * offline, NO_VERIFIED_CONTACT_METHOD is not checked.
   */
  hasVerifiedHighUrgencyMethod?: (handle: string) => boolean;
  /** A schedule's live overrides (people by handle), so cover people arranged is not reported as a gap. */
  overrides?: (scheduleName: string) => readonly Override[];
}

interface Known<D> {
  document: D;
  /** Position in the linted list; null for a context document. */
  index: number | null;
}

/**
 * Lints the Schedules and EscalationPolicies among `documents` over `[now, now + days)`, with the
 * engine's `lintSchedules`:
 *
 * - ROTATION_TOO_SMALL, at the layer's participants; SCHEDULE_GAP, at `spec.layers`, with the exact
 *   intervals and their local text in the schedule's zone; NO_VERIFIED_CONTACT_METHOD (server only),
 *   at the person's first place in the layers.
 * - SAME_PERSON_PRIMARY_AND_SECONDARY for every two schedules a policy escalates between: a schedule
 *   target of one level (the primary) and a schedule target of the next level (the secondary). That
 *   is where paging the same person twice happens; schedule names (`x-primary`, `x-secondary`) are not
 *   guessed at. Reported at the secondary's target in the policy, or, when the policy is only on the
 *   server, on the schedule in the documents.
 *
 * Pure: the same documents, options and `now` always give the same lints.
 *
 * @example lintDocuments(documents, { now: Date.now() }) // in the CLI
 */
export function lintDocuments(documents: readonly ConfigDocument[], options: ConfigLintOptions): ConfigLint[] {
  const window: Interval = { start: instant(options.now), end: instant(options.now + (options.days ?? LINT_DAYS) * DAY_MS) };
  const schedules = new Map<string, Known<ScheduleDocument>>();
  const policies: Array<Known<EscalationPolicyDocument>> = [];
  documents.forEach((d, index) => {
    if (d.kind === 'Schedule' && !schedules.has(d.metadata.name)) schedules.set(d.metadata.name, { document: d, index });
    if (d.kind === 'EscalationPolicy') policies.push({ document: d, index });
  });
  for (const d of options.context ?? []) {
    if (d.kind === 'Schedule' && !schedules.has(d.metadata.name)) schedules.set(d.metadata.name, { document: d, index: null });
    if (d.kind === 'EscalationPolicy' && !policies.some((p) => p.document.metadata.name === d.metadata.name)) policies.push({ document: d, index: null });
  }
  const definition = (d: ScheduleDocument) => scheduleDefinitionOf(d, options.overrides?.(d.metadata.name) ?? []);
  const noContactCheck = { hasVerifiedHighUrgencyMethod: () => true };
  const out: ConfigLint[] = [];
  const push = (lint: Lint, index: number, path: DocumentPath) =>
    out.push({ code: lint.code as ConfigLint['code'], index, path, message: lint.message, intervals: lint.intervals, localIntervals: lint.localIntervals });

  for (const { document, index } of schedules.values()) {
    if (index === null) continue;
    const contactCheck = options.hasVerifiedHighUrgencyMethod ? { hasVerifiedHighUrgencyMethod: options.hasVerifiedHighUrgencyMethod } : noContactCheck;
    for (const lint of lintSchedules({ primary: definition(document) }, window, contactCheck)) {
      const layers = document.spec.layers;
      if (lint.code === 'ROTATION_TOO_SMALL') {
        push(lint, index, ['spec', 'layers', Math.max(0, layers.findIndex((l) => l.id === lint.layerId)), 'participants']);
      } else if (lint.code === 'SCHEDULE_GAP') {
        push(lint, index, ['spec', 'layers']);
      } else if (lint.code === 'NO_VERIFIED_CONTACT_METHOD') {
        const layer = layers.findIndex((l) => l.participants.includes(lint.userId ?? ''));
        // Someone only on an override is in no field of the document.
        push(lint, index, layer === -1 ? ['metadata', 'name'] : ['spec', 'layers', layer, 'participants', (layers[layer]?.participants ?? []).indexOf(lint.userId ?? '')]);
      }
    }
  }

  const seen = new Set<string>();
  for (const { document: policy, index: policyIndex } of policies) {
    policy.spec.levels.forEach((level, l) => {
      const next = policy.spec.levels[l + 1];
      if (next === undefined) return;
      for (const primaryTarget of level.targets) {
        const primary = targetOf(primaryTarget);
        if (primary.kind !== 'Schedule') continue;
        next.targets.forEach((secondaryTarget, t) => {
          const secondary = targetOf(secondaryTarget);
          const pair = `${primary.name}\n${secondary.name}`;
          if (secondary.kind !== 'Schedule' || secondary.name === primary.name || seen.has(pair)) return;
          const a = schedules.get(primary.name);
          const b = schedules.get(secondary.name);
          if (a === undefined || b === undefined) return;
          const at: [number, DocumentPath] | null =
            policyIndex !== null
              ? [policyIndex, ['spec', 'levels', l + 1, 'targets', t, 'schedule']]
              : b.index !== null
                ? [b.index, ['metadata', 'name']]
                : a.index !== null
                  ? [a.index, ['metadata', 'name']]
                  : null;
          if (at === null) return;
          seen.add(pair);
          for (const lint of lintSchedules({ primary: definition(a.document), secondary: definition(b.document) }, window, noContactCheck)) {
            if (lint.code === 'SAME_PERSON_PRIMARY_AND_SECONDARY') push(lint, at[0], at[1]);
          }
        });
      }
    });
  }
  return out;
}
