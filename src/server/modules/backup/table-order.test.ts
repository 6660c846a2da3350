import { describe, expect, it } from 'vitest';
import { dependencyOrder, orderViolations } from './table-order.js';

const ref = (table: string, references: string) => ({ table, references });

describe('dependencyOrder', () => {
  it.each([
    { name: 'no references: by name', tables: ['users', 'audit_log', 'teams'], refs: [], order: ['audit_log', 'teams', 'users'] },
    {
      name: 'parents before children',
      tables: ['team_members', 'users', 'teams', 'api_tokens'],
      refs: [ref('team_members', 'teams'), ref('team_members', 'users'), ref('api_tokens', 'users'), ref('api_tokens', 'teams')],
      order: ['teams', 'users', 'api_tokens', 'team_members'],
    },
    { name: 'a chain', tables: ['c', 'b', 'a'], refs: [ref('c', 'b'), ref('b', 'a')], order: ['a', 'b', 'c'] },
    { name: 'a table referencing itself', tables: ['alerts', 'services'], refs: [ref('alerts', 'alerts'), ref('alerts', 'services')], order: ['services', 'alerts'] },
    { name: 'references to unknown tables are ignored', tables: ['x'], refs: [ref('x', 'kysely_migration')], order: ['x'] },
  ])('$name', ({ tables, refs, order }) => {
    expect(dependencyOrder(tables, refs)).toEqual(order);
  });

  it('refuses a cycle between tables, naming them', () => {
    expect(() => dependencyOrder(['a', 'b', 'c'], [ref('a', 'b'), ref('b', 'a')])).toThrow('Foreign keys form a cycle among a, b');
  });
});

describe('orderViolations', () => {
  it('reports a child listed before its parent when both have rows, and ignores empty parents', () => {
    const refs = [ref('team_members', 'teams'), ref('team_members', 'users')];
    expect(orderViolations(['team_members', 'teams', 'users'], refs, (t) => t !== 'users')).toEqual([ref('team_members', 'teams')]);
    expect(orderViolations(['teams', 'users', 'team_members'], refs, () => true)).toEqual([]);
  });
});
