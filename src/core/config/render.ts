import { Document } from 'yaml';
import type { ConfigDocument } from '../../contracts/config.js';
import { canonicalDocument, configKindOrder, kindRules, sortDocuments } from './kinds.js';

/**
 * Writes one document as YAML in its canonical form. The output depends only on the document: fixed
 * key order, no line folding (`lineWidth: 0`), strings quoted only where YAML needs it.
 */
export function renderDocument(document: ConfigDocument): string {
  return new Document(canonicalDocument(document)).toString({ lineWidth: 0, indent: 2, indentSeq: true });
}

/**
 * Writes documents as one multi-document YAML text, sorted by kind order and name, separated by
 * `---`. The same documents always give the same bytes (export → apply → export is identical).
 */
export function renderConfigYaml(documents: readonly ConfigDocument[]): string {
  return sortDocuments(documents).map(renderDocument).join('---\n');
}

/**
 * Documents grouped into one file per kind (`users.yaml`, `teams.yaml`), for `config export -o <dir>`.
 * Every kind gets its file, empty when there are none, so exporting again over an earlier export
 * leaves no stale documents behind.
 */
export function renderConfigFiles(documents: readonly ConfigDocument[]): Array<{ name: string; text: string }> {
  return configKindOrder.map((kind) => ({ name: kindRules[kind].fileName, text: renderConfigYaml(documents.filter((d) => d.kind === kind)) }));
}
