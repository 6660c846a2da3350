import type { TableReference } from '../../platform/db/schema-introspection.js';

/**
 * Orders tables so each one comes after every table it references: the order to insert rows in
 * (delete in the reverse order). Ties are broken by name, so the same schema always gives the same
 * order. A table referencing itself is allowed (its rows must then arrive parents first); a cycle
 * between different tables cannot be ordered and throws, naming the tables.
 *
 * @example
 *   dependencyOrder(['team_members', 'teams', 'users'], [{ table: 'team_members', references: 'teams' }, { table: 'team_members', references: 'users' }])
 *   // → ['teams', 'users', 'team_members']
 */
export function dependencyOrder(tables: readonly string[], references: readonly TableReference[]): string[] {
  const known = new Set(tables);
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set()]));
  for (const r of references) {
    if (r.table !== r.references && known.has(r.table) && known.has(r.references)) parents.get(r.table)?.add(r.references);
  }
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < tables.length) {
    const ready = [...known].filter((t) => !placed.has(t) && [...(parents.get(t) ?? [])].every((p) => placed.has(p))).sort();
    if (ready.length === 0) {
      const stuck = [...known].filter((t) => !placed.has(t)).sort();
      throw new Error(`Foreign keys form a cycle among ${stuck.join(', ')}; their rows cannot be ordered parents first`);
    }
    for (const t of ready) {
      order.push(t);
      placed.add(t);
    }
  }
  return order;
}

/**
 * The references that `order` breaks: a table listed before a table it references. Only tables with
 * rows matter (an empty parent cannot be referenced).
 */
export function orderViolations(order: readonly string[], references: readonly TableReference[], hasRows: (table: string) => boolean): TableReference[] {
  const position = new Map(order.map((t, i) => [t, i]));
  return references.filter((r) => {
    if (r.table === r.references || !hasRows(r.table) || !hasRows(r.references)) return false;
    const child = position.get(r.table);
    const parent = position.get(r.references);
    return child !== undefined && parent !== undefined && parent > child;
  });
}
