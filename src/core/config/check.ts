import type { z } from 'zod';
import { configDocumentSchema, type ConfigDocument, type ConfigKind } from '../../contracts/config.js';
import { configKindOrder, rulesFor, type DocumentPath } from './kinds.js';

/** One problem with one document, by its position in the list checked. */
export interface ConfigIssue {
  /** Index of the document in the list given to {@link checkDocuments}. */
  index: number;
  path: DocumentPath;
  message: string;
  /** True when the problem is the key itself (an unknown field), not its value. */
  atKey?: boolean;
}

/** A thing that exists, named by kind and handle. */
export interface KindName {
  kind: string;
  name: string;
}

/**
 * What references may resolve to besides the documents themselves.
 *
 * - `{ mode: 'documents' }` (offline `config validate`): only the documents.
 * - `{ mode: 'server', ... }` (plan, apply): the documents, and things active on the server unless
 *   `prune` will deactivate them. A deactivated thing must be brought back by its own document.
 * - `{ mode: 'skip' }`: references are not checked.
 */
export type ReferenceContext =
  | { mode: 'documents' }
  | { mode: 'skip' }
  | {
      mode: 'server';
      active: readonly KindName[];
      deactivated: readonly KindName[];
      prune: boolean;
      /** The server's things as documents, for rules across documents (`KindRules.validateSet`). */
      current?: readonly ConfigDocument[];
    };

export interface CheckResult {
  /** One entry per input: the parsed document, or null where it failed its schema. */
  documents: Array<ConfigDocument | null>;
  issues: ConfigIssue[];
}

const key = (kind: string, name: string) => `${kind}/${name}`;

/** The kind and name a raw value claims, even when it is otherwise invalid; for messages and duplicates. */
export function claimedIdentity(value: unknown): { kind: string | null; name: string | null } {
  if (typeof value !== 'object' || value === null) return { kind: null, name: null };
  const v = value as { kind?: unknown; metadata?: { name?: unknown } | null };
  const kind = typeof v.kind === 'string' ? v.kind : null;
  const name = typeof v.metadata === 'object' && v.metadata !== null && typeof v.metadata.name === 'string' ? v.metadata.name : null;
  return { kind, name };
}

/** zod's issues as config issues: one per unknown key, and plain words for a missing field. */
export function issuesFromZod(index: number, error: z.ZodError): ConfigIssue[] {
  return error.issues.flatMap((issue): ConfigIssue[] => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({ index, path: [...path, k], message: 'is not a known field (check the spelling)', atKey: true }));
    }
    // Parsed with `reportInput`, so a missing field shows as input undefined whatever its type.
    const missing = 'input' in issue && issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
    if (missing) return [{ index, path, message: 'is required' }];
    if (issue.code === 'invalid_type' && path.length === 0) return [{ index, path, message: 'a document must be a mapping with apiVersion, kind, metadata and spec' }];
    return [{ index, path, message: issue.message }];
  });
}

/**
 * Checks documents the way plan and apply will: each against its kind's schema and rules (a
 * Schedule through the engine's `validateSchedule`), no kind/name twice, and every reference
 * resolvable. Reports every problem, not the first. A document that fails its rules is left out of
 * `documents` (null), as one that fails its schema.
 *
 * @param describe names document `index` in duplicate messages (a file location in the CLI).
 * @example
 *   const { issues } = checkDocuments(values, { mode: 'documents' });
 */
export function checkDocuments(values: readonly unknown[], references: ReferenceContext, describe: (index: number) => string = (i) => `documents.${i}`): CheckResult {
  const issues: ConfigIssue[] = [];
  const documents = values.map((value, index) => {
    const parsed = configDocumentSchema.safeParse(value, { reportInput: true });
    if (!parsed.success) {
      issues.push(...issuesFromZod(index, parsed.error));
      return null;
    }
    // Rules beyond the schema (a Schedule's restriction window that never matches, an end before
    // its start): the same pure checks the API runs, reported at the field.
    const semantic = rulesFor(parsed.data.kind).validate?.(parsed.data) ?? [];
    for (const problem of semantic) issues.push({ index, path: problem.path, message: problem.message });
    return semantic.length > 0 ? null : parsed.data;
  });

  // Duplicates use the claimed identity so an invalid document still counts as the first definition.
  const firstIndex = new Map<string, number>();
  values.forEach((value, index) => {
    const { kind, name } = claimedIdentity(value);
    if (kind === null || name === null) return;
    const first = firstIndex.get(key(kind, name));
    if (first === undefined) firstIndex.set(key(kind, name), index);
    else issues.push({ index, path: ['metadata', 'name'], message: `${kind} \`${name}\` is already defined at ${describe(first)}` });
  });

  if (references.mode !== 'skip') {
    const active = new Set(references.mode === 'server' ? references.active.map((t) => key(t.kind, t.name)) : []);
    const deactivated = new Set(references.mode === 'server' ? references.deactivated.map((t) => key(t.kind, t.name)) : []);
    documents.forEach((document, index) => {
      if (!document) return;
      for (const ref of rulesFor(document.kind).references(document)) {
        if (firstIndex.has(key(ref.kind, ref.name))) continue;
        const message = unresolvedMessage(ref.kind, ref.name, references, active, deactivated);
        if (message) issues.push({ index, path: ref.path, message });
      }
    });
  }

  // Rules across documents of one kind, with what the server holds that no document names.
  const named = new Set(documents.flatMap((d) => (d ? [key(d.kind, d.metadata.name)] : [])));
  const known = references.mode === 'server' ? (references.current ?? []).filter((d) => !named.has(key(d.kind, d.metadata.name))) : [];
  for (const kind of configKindOrder) {
    const rules = rulesFor(kind);
    if (!rules.validateSet) continue;
    const ofKind = documents.flatMap((document, index) => (document?.kind === kind ? [{ index, document }] : []));
    if (ofKind.length === 0) continue;
    for (const issue of rules.validateSet(ofKind, known.filter((d) => d.kind === kind), describe)) {
      issues.push(issue);
      documents[issue.index] = null;
    }
  }
  return { documents, issues };
}

function unresolvedMessage(kind: ConfigKind, name: string, context: ReferenceContext, active: Set<string>, deactivated: Set<string>): string | null {
  const what = `${kind} \`${name}\``;
  if (context.mode !== 'server') return `${what} is not defined in these files (if it exists only on the server, check with \`config plan\`, or pass --skip-references)`;
  if (active.has(key(kind, name))) return context.prune ? `${what} is in no document, so --prune would ${rulesFor(kind).deletion} it; add its ${kind} document` : null;
  if (deactivated.has(key(kind, name))) return `${what} is deactivated; add its ${kind} document to reactivate it`;
  return `${what} is not defined in these files and does not exist on the server`;
}
