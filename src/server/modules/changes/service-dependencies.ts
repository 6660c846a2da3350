import type { Kysely } from 'kysely';
import { AppError } from '../../../contracts/errors.js';
import type { Database } from '../../platform/db/schema.js';

/**
 * Service dependencies (migration 0019, ADR 0031): "checkout depends on payments". Directed edges
 * between services, stored by id so renames follow. Cycles are allowed (two services calling each
 * other is common, and only direct dependencies are ever read, so nothing walks a cycle); a service
 * cannot depend on itself. A deleted service's edges stay stored but are never shown.
 *
 * Kept apart from the service catalog so the catalog only calls in: `dependsOnHandles` for its views,
 * `replaceDependencies` when a service is created or updated with `dependsOn`.
 */

/** Handles of the (live) services each service depends on, sorted; services without any are absent. */
export async function dependsOnHandles(db: Kysely<Database>, serviceIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (serviceIds.length === 0) return out;
  const rows = await db
    .selectFrom('service_dependencies')
    .innerJoin('services', 'services.id', 'service_dependencies.depends_on_id')
    .select(['service_dependencies.service_id', 'services.handle'])
    .where('service_dependencies.service_id', 'in', [...serviceIds])
    .where('services.deleted_at', 'is', null)
    .orderBy('services.handle')
    .execute();
  for (const row of rows) out.set(row.service_id, [...(out.get(row.service_id) ?? []), row.handle]);
  return out;
}

/**
 * Replaces what a service depends on. `refs` are ids or handles; 400 naming the entry
 * (`body.dependsOn.1`) for an unknown service or the service itself. Repeats are ignored.
 */
export async function replaceDependencies(db: Kysely<Database>, service: { id: string; handle: string }, refs: readonly string[], now: number): Promise<void> {
  const ids: string[] = [];
  for (const [i, ref] of refs.entries()) {
    const target = await db
      .selectFrom('services')
      .select(['id', 'handle'])
      .where('deleted_at', 'is', null)
      .where((eb) => eb.or([eb('id', '=', ref), eb('handle', '=', ref)]))
      .executeTakeFirst();
    const path = `body.dependsOn.${i}`;
    if (!target) throw new AppError('VALIDATION_FAILED', `${path}: service \`${ref}\` does not exist`, { issues: [{ path, message: `service \`${ref}\` does not exist` }] });
    if (target.id === service.id) throw new AppError('VALIDATION_FAILED', `${path}: service \`${service.handle}\` cannot depend on itself`, { issues: [{ path, message: 'a service cannot depend on itself' }] });
    if (!ids.includes(target.id)) ids.push(target.id);
  }
  await db.deleteFrom('service_dependencies').where('service_id', '=', service.id).execute();
  if (ids.length > 0) await db.insertInto('service_dependencies').values(ids.map((depends_on_id) => ({ service_id: service.id, depends_on_id, created_at: now }))).execute();
}

/** The direct dependencies of some services: `[service, dependency]` id pairs, live dependencies only. */
export async function dependencyEdges(db: Kysely<Database>, serviceIds: readonly string[]): Promise<Array<{ serviceId: string; dependsOnId: string }>> {
  if (serviceIds.length === 0) return [];
  const rows = await db
    .selectFrom('service_dependencies')
    .innerJoin('services', 'services.id', 'service_dependencies.depends_on_id')
    .select(['service_dependencies.service_id', 'service_dependencies.depends_on_id'])
    .where('service_dependencies.service_id', 'in', [...serviceIds])
    .where('services.deleted_at', 'is', null)
    .execute();
  return rows.map((r) => ({ serviceId: r.service_id, dependsOnId: r.depends_on_id }));
}
