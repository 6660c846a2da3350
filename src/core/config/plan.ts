import type { ConfigChange, ConfigDocument, ConfigPlan, FieldChange } from '../../contracts/config.js';

/** What the pure plan decides; the server adds the warnings (lints need its clock and state). */
export type PlanResult = Omit<ConfigPlan, 'warnings'>;
import { byString, canonicalDocument, kindRank, rulesFor } from './kinds.js';

export interface PlanOptions {
  /** Delete (deactivate) things that exist but are in no document. Without it they are listed as unmanaged. */
  prune: boolean;
  /**
   * Things that exist but are deactivated. A document naming one plans an update that reactivates it
   * (diff field `status`), so restoring a pruned document brings the thing and its history back.
   */
  deactivated?: readonly ConfigDocument[];
}

const identity = (d: { kind: string; metadata: { name: string } }) => `${d.kind}/${d.metadata.name}`;

/**
 * Flattens a canonical document's `spec` to `field → value`. Lists named in the kind's `listKeys`
 * are flattened item by item (`spec.members[ana].role`, `spec.levels.0.delayMinutes`) so a plan
 * shows which item changed; other lists and scalars are compared whole.
 */
export function flattenSpec(document: ConfigDocument): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const listKeys = rulesFor(document.kind).listKeys;
  const walk = (prefix: string, value: unknown) => {
    const listKey = Array.isArray(value) ? listKeys[prefix] : undefined;
    if (Array.isArray(value) && listKey !== undefined && 'byPosition' in listKey) {
      value.forEach((item, index) => walk(`${prefix}.${index}`, item));
    } else if (Array.isArray(value) && listKey !== undefined && 'key' in listKey) {
      const fields: readonly string[] = typeof listKey.key === 'string' ? [listKey.key] : listKey.key;
      const items = value as Array<Record<string, unknown>>;
      const keyOf = (item: Record<string, unknown>) => fields.map((f) => String(item[f])).join(':');
      if (listKey.ordered) out.set(prefix, items.map(keyOf));
      for (const item of items) {
        const itemPrefix = `${prefix}[${keyOf(item)}]`;
        const rest = Object.entries(item).filter(([k]) => !fields.includes(k));
        if (rest.length === 0) out.set(itemPrefix, keyOf(item));
        for (const [k, v] of rest) walk(`${itemPrefix}.${k}`, v);
      }
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(`${prefix}.${k}`, v);
    } else {
      out.set(prefix, value);
    }
  };
  walk('spec', document.spec);
  return out;
}

/** Field-level differences between two documents of one kind; `null` stands for "absent". */
export function diffDocuments(before: ConfigDocument | null, after: ConfigDocument | null): FieldChange[] {
  const a = before ? flattenSpec(canonicalDocument(before)) : new Map<string, unknown>();
  const b = after ? flattenSpec(canonicalDocument(after)) : new Map<string, unknown>();
  const fields = [...b.keys(), ...[...a.keys()].filter((k) => !b.has(k))];
  const diff: FieldChange[] = [];
  for (const field of fields) {
    const was = a.has(field) ? a.get(field) : null;
    const will = b.has(field) ? b.get(field) : null;
    if (JSON.stringify(was) !== JSON.stringify(will)) diff.push({ field, before: was, after: will });
  }
  return diff;
}

/** `current` reduced to the fields `desired` manages (see `KindRules.managedPart`). */
export function managedPart(current: ConfigDocument, desired: ConfigDocument, options: { prune: boolean } = { prune: false }): ConfigDocument {
  const rules = rulesFor(current.kind);
  return rules.managedPart ? rules.managedPart(current, desired, options) : current;
}

/**
 * Decides what apply will do to make the server match the documents. Pure: the server exports its
 * current state, calls this, then carries the changes out in one transaction.
 *
 * Order: creates, updates and unchanged things in kind order (User, Team, Schedule,
 * EscalationPolicy) and then by name; deletes after them, in reverse kind order (policies first,
 * Users last). Expects checked documents (no
 * kind/name twice); if one is repeated, the first wins.
 *
 * @example
 *   plan(desired, await exportDocuments(), { prune: false }).summary // { create: 1, update: 0, … }
 */
export function plan(desired: readonly ConfigDocument[], current: readonly ConfigDocument[], options: PlanOptions): PlanResult {
  const currentById = new Map(current.map((d) => [identity(d), d]));
  const deactivatedById = new Map((options.deactivated ?? []).map((d) => [identity(d), d]));
  const desiredById = new Map<string, ConfigDocument>();
  for (const d of desired) if (!desiredById.has(identity(d))) desiredById.set(identity(d), d);

  const kept: ConfigChange[] = [];
  for (const d of desiredById.values()) {
    const change = { kind: d.kind, name: d.metadata.name };
    const existing = currentById.get(identity(d));
    const asleep = existing ? undefined : deactivatedById.get(identity(d));
    if (existing) {
      const diff = diffDocuments(managedPart(existing, d, options), d);
      kept.push({ ...change, action: diff.length ? 'update' : 'unchanged', diff });
    } else if (asleep) {
      kept.push({ ...change, action: 'update', diff: [{ field: 'status', before: 'deactivated', after: 'active' }, ...diffDocuments(managedPart(asleep, d, options), d)] });
    } else {
      kept.push({ ...change, action: 'create', diff: diffDocuments(null, d) });
    }
  }
  const missing = current.filter((d) => !desiredById.has(identity(d)));
  const deletes: ConfigChange[] = options.prune ? missing.map((d) => ({ action: 'delete', kind: d.kind, name: d.metadata.name, diff: diffDocuments(d, null) })) : [];

  const forward = (x: { kind: string; name: string }, y: { kind: string; name: string }) => kindRank(x.kind) - kindRank(y.kind) || byString(x.name, y.name);
  kept.sort(forward);
  deletes.sort((x, y) => kindRank(y.kind) - kindRank(x.kind) || byString(x.name, y.name));
  const changes = [...kept, ...deletes].map(({ action, kind, name, diff }) => ({ action, kind, name, diff }));

  const unmanaged = options.prune ? [] : missing.map((d) => ({ kind: d.kind as string, name: d.metadata.name })).sort(forward);
  const count = (action: ConfigChange['action']) => changes.filter((c) => c.action === action).length;
  return { changes, unmanaged, summary: { create: count('create'), update: count('update'), delete: count('delete'), unchanged: count('unchanged') } };
}
