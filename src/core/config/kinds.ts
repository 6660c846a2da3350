import { configApiVersion, type ConfigDocument, type ConfigKind, type TeamDocument, type UserDocument } from '../../contracts/config.js';

/** A path into a document, as zod reports it: `['spec', 'members', 0, 'user']`. */
export type DocumentPath = ReadonlyArray<string | number>;

/** One document naming another, for example a Team member naming a User. */
export interface Reference {
  kind: ConfigKind;
  name: string;
  /** Where in the referring document the name is written. */
  path: DocumentPath;
}

/** What config-as-code needs to know about one kind beyond its zod schema. */
export interface KindRules<D extends ConfigDocument> {
  /** The file `config export -o <dir>` writes documents of this kind to. */
  fileName: string;
  /** The other documents this one names. They must exist for plan and apply. */
  references(document: D): Reference[];
  /**
   * The canonical form: defaults filled in, empty optional fields left out, lists sorted, keys in a
   * fixed order. Export writes it and plan compares it, so export → apply → export is byte-identical
   * and writing a default explicitly is never a change.
   */
  canonical(document: D): D;
  /** Lists diffed item by item, keyed by one field (`spec.members` by `user`), for readable plans. */
  listKeys: Readonly<Record<string, string>>;
}

type RulesByKind = { [K in ConfigKind]: KindRules<Extract<ConfigDocument, { kind: K }>> };

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every kind, in dependency order: a kind only references kinds before it. Plan creates and updates
 * in this order and deletes in reverse, so a Team is never given a member before the User exists, and
 * a User is never deactivated while a Team update still needs it.
 */
export const configKindOrder: readonly ConfigKind[] = ['User', 'Team'];

export const kindRules: RulesByKind = {
  User: {
    fileName: 'users.yaml',
    references: () => [],
    canonical: (d: UserDocument): UserDocument => ({
      apiVersion: configApiVersion,
      kind: 'User',
      metadata: { name: d.metadata.name },
      spec: { name: d.spec.name, email: d.spec.email, timeZone: d.spec.timeZone, role: d.spec.role },
    }),
    listKeys: {},
  },
  Team: {
    fileName: 'teams.yaml',
    references: (d: TeamDocument) => (d.spec.members ?? []).map((m, i) => ({ kind: 'User' as const, name: m.user, path: ['spec', 'members', i, 'user'] })),
    canonical: (d: TeamDocument): TeamDocument => {
      const members = [...(d.spec.members ?? [])].sort((a, b) => byString(a.user, b.user)).map((m) => ({ user: m.user, role: m.role }));
      return {
        apiVersion: configApiVersion,
        kind: 'Team',
        metadata: { name: d.metadata.name },
        spec: {
          name: d.spec.name,
          ...(d.spec.description ? { description: d.spec.description } : {}),
          ...(members.length > 0 ? { members } : {}),
        },
      };
    },
    listKeys: { 'spec.members': 'user' },
  },
};

/** The rules for a document's kind, typed loosely for code that handles every kind alike. */
export function rulesFor(kind: ConfigKind): KindRules<ConfigDocument> {
  return kindRules[kind] as unknown as KindRules<ConfigDocument>;
}

/** Position of a kind in {@link configKindOrder}; unknown kinds sort last. */
export function kindRank(kind: string): number {
  const rank = configKindOrder.indexOf(kind as ConfigKind);
  return rank === -1 ? configKindOrder.length : rank;
}

export function canonicalDocument(document: ConfigDocument): ConfigDocument {
  return rulesFor(document.kind).canonical(document);
}

/** Sorts documents by kind order, then name: the order export writes them in. */
export function sortDocuments<D extends { kind: string; metadata: { name: string } }>(documents: readonly D[]): D[] {
  return [...documents].sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || byString(a.metadata.name, b.metadata.name));
}

export { byString };
