import { LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';
import type { ConfigDocument } from '../../contracts/config.js';
import { checkDocuments, claimedIdentity, type ConfigIssue, type ReferenceContext } from './check.js';
import type { DocumentPath } from './kinds.js';
import { lintDocuments, type ConfigLint, type ConfigLintOptions } from './lint.js';

/** A config file's name and text. The CLI reads files; core never does. */
export interface ConfigSource {
  path: string;
  text: string;
}

/** 1-based, as editors and compilers print them. */
export interface Position {
  line: number;
  column: number;
}

/** One YAML document of one file, with a way back from a field path to where it is written. */
export interface SourcedDocument {
  file: string;
  /** The document as plain data (YAML → JSON values). */
  value: unknown;
  /** Where the document starts. */
  start: Position;
  /**
   * Where the field at `path` is written; when it is missing, where its nearest existing parent is
   * (the parent's key, so a missing `spec.email` points at `spec:`). With `atKey`, the key itself.
   */
  locate(path: DocumentPath, options?: { atKey?: boolean }): Position;
}

/** A problem in a config file, printed by {@link formatProblem}. */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  kind: string | null;
  name: string | null;
  /** Dotted field path (`spec.members.0.user`); empty for the whole document or file. */
  path: string;
  message: string;
  /** Set for warnings (lints), which do not stop validate or apply; problems are errors. */
  warning?: { code: string };
}

/**
 * `file:line:column: kind/name: field.path: message`, leaving out the parts that are unknown (a YAML
 * syntax error has no kind or field). A warning reads `file:line:column: warning: … [CODE]`.
 */
export function formatProblem(p: ConfigProblem): string {
  const who = p.kind !== null || p.name !== null ? `${p.kind ?? '?'}/${p.name ?? '?'}: ` : '';
  const where = p.path ? `${p.path}: ` : '';
  const severity = p.warning ? 'warning: ' : '';
  const code = p.warning ? ` [${p.warning.code}]` : '';
  return `${p.file}:${p.line}:${p.column}: ${severity}${who}${where}${p.message}${code}`;
}

/**
 * Locates a warning about the document `kind/name` (as the server names it) in the files; null when
 * no document there has that kind and name.
 */
export function locateWarning(documents: readonly SourcedDocument[], warning: { code: string; kind: string; name: string; path: string; message: string }): ConfigProblem | null {
  const index = documents.findIndex((d) => {
    const claimed = claimedIdentity(d.value);
    return claimed.kind === warning.kind && claimed.name === warning.name;
  });
  if (index === -1) return null;
  const path = warning.path === '' ? [] : warning.path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const located = locateIssues(documents, [{ index, path, message: warning.message }])[0];
  return located ? { ...located, warning: { code: warning.code } } : null;
}

/**
 * Splits YAML files into documents (`---` separates documents in one file) and records each node's
 * position. Syntax errors become problems; documents with one are left out of `documents`, and empty
 * documents (only comments) are skipped.
 */
export function parseConfigSources(sources: readonly ConfigSource[]): { documents: SourcedDocument[]; problems: ConfigProblem[] } {
  const documents: SourcedDocument[] = [];
  const problems: ConfigProblem[] = [];
  for (const source of sources) {
    const lineCounter = new LineCounter();
    const at = (offset: number): Position => {
      const { line, col } = lineCounter.linePos(offset);
      return { line, column: col };
    };
    // uniqueKeys (the default) makes a repeated key an error rather than "last one wins".
    const parsed = parseAllDocuments(source.text, { lineCounter, prettyErrors: false });
    // A stream with no documents (an empty file, only comments) still reports stream-level errors.
    if ('empty' in parsed) {
      for (const error of parsed.errors) problems.push({ file: source.path, ...at(error.pos[0]), kind: null, name: null, path: '', message: `YAML: ${firstLine(error.message)}` });
    }
    for (const doc of parsed) {
      if (doc.errors.length > 0) {
        for (const error of doc.errors) problems.push({ file: source.path, ...at(error.pos[0]), kind: null, name: null, path: '', message: `YAML: ${firstLine(error.message)}` });
        continue;
      }
      const contents = doc.contents;
      if (contents === null) continue;
      const value: unknown = doc.toJS({ maxAliasCount: 100 });
      // `---` followed by only comments is an empty document, not a mistake.
      if (value === null || value === undefined) continue;
      documents.push({
        file: source.path,
        value,
        start: at(contents.range[0]),
        locate: (path, options) => at(locateOffset(doc, path, options?.atKey ?? false)),
      });
    }
  }
  return { documents, problems };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** The offset of the node at `path`, or of the nearest parent's key when the path does not exist. */
function locateOffset(doc: Document, path: DocumentPath, atKey: boolean): number {
  let node: unknown = doc.contents;
  let fallback = (doc.contents as YamlNode | null)?.range?.[0] ?? 0;
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
      if (!pair) return fallback;
      const keyStart = (pair.key as YamlNode | null)?.range?.[0];
      if (last && atKey && keyStart !== undefined) return keyStart;
      // A key with no value (`email:`) has no value node: point at the key.
      const valueNode = pair.value as YamlNode | null;
      if (!valueNode?.range) return keyStart ?? fallback;
      fallback = keyStart ?? valueNode.range[0];
      node = valueNode;
      if (last) return valueNode.range[0];
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as YamlNode | undefined;
      if (!item?.range) return fallback;
      fallback = item.range[0];
      node = item;
      if (last) return item.range[0];
    } else {
      return fallback;
    }
  }
  return (node as YamlNode | null)?.range?.[0] ?? fallback;
}

/** Turns issues about documents (by index) into problems located in their files. */
export function locateIssues(documents: readonly SourcedDocument[], issues: readonly ConfigIssue[]): ConfigProblem[] {
  return issues.flatMap((issue) => {
    const doc = documents[issue.index];
    if (!doc) return [];
    const { kind, name } = claimedIdentity(doc.value);
    return [{ file: doc.file, ...doc.locate(issue.path, { atKey: issue.atKey ?? false }), kind, name, path: issue.path.join('.'), message: issue.message }];
  });
}

/**
 * Maps an API validation issue (`body.documents.3.spec.email`) to the file and line of the document
 * that was sent as `documents[3]`. Returns null for issues about anything else.
 */
export function locateApiIssue(documents: readonly SourcedDocument[], issue: { path: string; message: string }): ConfigProblem | null {
  const match = /^(?:body\.)?documents\.(\d+)(?:\.(.*))?$/.exec(issue.path);
  if (!match) return null;
  const path = match[2] ? match[2].split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s)) : [];
  return locateIssues(documents, [{ index: Number(match[1]), path, message: issue.message }])[0] ?? null;
}

export interface ValidatedSources {
  /** Every document from the files, in file order, with its source. */
  sourced: SourcedDocument[];
  /** The valid documents, in the same order as `sourced`; complete only when `problems` is empty. */
  documents: ConfigDocument[];
  /** One entry per `sourced` document: the parsed document, or null where it has problems. */
  bySource: Array<ConfigDocument | null>;
  /** Every problem, sorted by file (in the order given), line and column. */
  problems: ConfigProblem[];
}

/**
 * Parses and checks config files: YAML syntax, each document's schema, duplicates across files, and
 * references (see {@link ReferenceContext}). Reports every problem with its file, line and column.
 *
 * @example
 *   const { problems } = validateConfigSources([{ path: 'teams.yaml', text }], { mode: 'documents' });
 *   problems.map(formatProblem); // ['teams.yaml:7:15: Team/platform: spec.members.0.user: User `bob` is not defined …']
 */
export function validateConfigSources(sources: readonly ConfigSource[], references: ReferenceContext): ValidatedSources {
  const { documents: sourced, problems } = parseConfigSources(sources);
  const describe = (index: number) => {
    const d = sourced[index];
    return d ? `${d.file}:${d.start.line}:${d.start.column}` : `document ${index}`;
  };
  const checked = checkDocuments(sourced.map((d) => d.value), references, describe);
  problems.push(...locateIssues(sourced, checked.issues));
  const fileOrder = new Map(sources.map((s, i) => [s.path, i]));
  problems.sort((a, b) => (fileOrder.get(a.file) ?? 0) - (fileOrder.get(b.file) ?? 0) || a.line - b.line || a.column - b.column);
  return { sourced, documents: checked.documents.filter((d): d is ConfigDocument => d !== null), bySource: checked.documents, problems };
}

/**
 * Lints the valid documents of validated files (see {@link lintDocuments}) and locates each warning
 * at its field, sorted like problems. The clock is the caller's: `options.now`.
 *
 * @example lintConfigSources(validated, { now: Date.now() }).map(formatProblem)
 * // ['schedules.yaml:9:3: warning: Schedule/platform: spec.layers: Schedule `platform` has no one on call … [SCHEDULE_GAP]']
 */
export function lintConfigSources(validated: ValidatedSources, options: ConfigLintOptions): Array<ConfigProblem & { lint: ConfigLint }> {
  const valid = validated.bySource.flatMap((d, sourceIndex) => (d === null ? [] : [{ document: d, sourceIndex }]));
  const lints = lintDocuments(valid.map((v) => v.document), options);
  const files = [...new Set(validated.sourced.map((d) => d.file))];
  return lints
    .flatMap((lint) => {
      const sourceIndex = valid[lint.index]?.sourceIndex ?? -1;
      const located = locateIssues(validated.sourced, [{ index: sourceIndex, path: lint.path, message: lint.message }])[0];
      return located ? [{ ...located, warning: { code: lint.code }, lint }] : [];
    })
    .sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || a.line - b.line || a.column - b.column);
}
