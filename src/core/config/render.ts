import { Document, isScalar, Scalar, visit } from 'yaml';
import type { ConfigDocument } from '../../contracts/config.js';
import { canonicalDocument, configKindOrder, kindRules, sortDocuments } from './kinds.js';

const CLOCK_LIKE = /^[0-9]+(:[0-9]+)+$/;

/**
 * Writes one document as YAML in its canonical form. The output depends only on the document: fixed
 * key order, no line folding (`lineWidth: 0`), strings quoted only where YAML needs it, and:
 *
 * - lists of plain values on one line (`participants: [ana, bob, carol]`, `days: [1, 2, 3, 4, 5]`);
 * - times of day quoted (`handoffTime: "09:00"`): YAML 1.1 tools read a bare `09:00` as the number 540.
 */
export function renderDocument(document: ConfigDocument): string {
  const doc = new Document(canonicalDocument(document));
  visit(doc, {
    Seq: (_, seq) => {
      if (seq.items.length > 0 && seq.items.every((item) => isScalar(item) && !(typeof item.value === 'string' && item.value.includes('\n')))) seq.flow = true;
    },
    Scalar: (_, scalar) => {
      if (typeof scalar.value === 'string' && CLOCK_LIKE.test(scalar.value)) scalar.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 0, indent: 2, indentSeq: true, flowCollectionPadding: false });
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
