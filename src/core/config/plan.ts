import type { ConfigChange, ConfigDocument, ConfigPlan, FieldChange } from '../../contracts/config.js';
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
 * are flattened item by item (`spec.members[ana].role`) so a plan shows which member changed; other
 * lists and scalars are compared whole.
 */
export function flattenSpec(document: ConfigDocument): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const listKeys = rulesFor(document.kind).listKeys;
  const walk = (prefix: string, value: unknown) => {
    const listKey = listKeys[prefix];
    if (Array.isArray(value) && listKey !== undefined) {
      for (const item of value as Array<Record<string, unknown>>) {
        const itemPrefix = `${prefix}[${String(item[listKey])}]`;
        const rest = Object.entries(item).filter(([k]) => k !== listKey);
        if (rest.length === 0) out.set(itemPrefix, item[listKey]);
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

/**
 * Decides what apply will do to make the server match the documents. Pure: the server exports its
 * current state, calls this, then carries the changes out in one transaction.
 *
 * Order: creates, updates and unchanged things in kind order (Users before Teams) and then by name;
 * deletes after them, in reverse kind order (Teams before Users). Expects checked documents (no
 * kind/name twice); if one is repeated, the first wins.
 *
 * @example
 *   plan(desired, await exportDocuments(), { prune: false }).summary // { create: 1, update: 0, … }
 */
export function plan(desired: readonly ConfigDocument[], current: readonly ConfigDocument[], options: PlanOptions): ConfigPlan {
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
      const diff = diffDocuments(existing, d);
      kept.push({ ...change, action: diff.length ? 'update' : 'unchanged', diff });
    } else if (asleep) {
      kept.push({ ...change, action: 'update', diff: [{ field: 'status', before: 'deactivated', after: 'active' }, ...diffDocuments(asleep, d)] });
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
