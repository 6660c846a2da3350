import type { Kysely } from 'kysely';
import { DAY_MS, finalSchedule, formatLocalRange, subtractIntervals, type Instant, type Layer, type ScheduleDefinition } from '../../../core/oncall/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/db/schema.js';
import type { AuditLog, AuditRecord } from '../audit/audit.repo.js';
import type { Acting, CoverageGap, UserReference, UserReferenceChecker } from '../catalog/catalog.service.js';
import type { EscalationService } from './escalation.service.js';
import { policyTargets } from './escalation.service.js';
import { fallbackOf, layersOf, levelsOf, oncallRepo, type OverrideRow, type ScheduleRow } from './oncall.repo.js';
import type { ScheduleService } from './schedule.service.js';

/** Gaps a forced removal creates are reported over this horizon. */
const GAP_HORIZON_DAYS = 90;

/**
 * The on-call side of "deactivating a person who is in a rotation or policy": what names them
 * (layer participants and shadows, overrides not yet over, direct policy targets) and, when the
 * deactivation is forced, their removal with the coverage it loses. Registered with the catalog as a
 * {@link UserReferenceChecker}, so the catalog never imports this module.
 *
 * Removal rules: the person leaves every layer (a layer left without participants is removed), their
 * overrides in progress end now and future ones are deleted, they leave every policy level (a level
 * left without targets is removed) and stop being a fallback. Each changed schedule and policy gets
 * its own audit entry.
 */
export class OncallUserReferences implements UserReferenceChecker {
  constructor(private readonly deps: { clock: Clock; audit: AuditLog; schedules: ScheduleService; policies: EscalationService }) {}

  async find(db: Kysely<Database>, userId: string): Promise<UserReference[]> {
    const now = this.deps.clock.now();
    const refs: UserReference[] = [];
    const schedules = await oncallRepo.listSchedules(db);
    const byId = new Map(schedules.map((s) => [s.id, s]));
    for (const schedule of schedules) {
      layersOf(schedule).forEach((layer, l) => {
        layer.participants.forEach((p, i) => p === userId && refs.push({ kind: 'schedule', handle: schedule.handle, path: `layers.${l}.participants.${i}` }));
        (layer.shadows ?? []).forEach((p, i) => p === userId && refs.push({ kind: 'schedule', handle: schedule.handle, path: `layers.${l}.shadows.${i}` }));
      });
    }
    for (const o of await this.futureOverrides(db, userId, now)) {
      const schedule = byId.get(o.schedule_id);
      if (schedule) refs.push({ kind: 'schedule', handle: schedule.handle, path: `overrides.${o.id}` });
    }
    for (const policy of await oncallRepo.listPolicies(db)) {
      for (const { target, path } of policyTargets(policy)) if (target.type === 'user' && target.id === userId) refs.push({ kind: 'policy', handle: policy.handle, path });
    }
    return refs;
  }

  async remove(db: Kysely<Database>, acting: Acting, userId: string): Promise<CoverageGap[]> {
    const now = this.deps.clock.now();
    const horizon = { start: now as Instant, end: (now + GAP_HORIZON_DAYS * DAY_MS) as Instant };
    const gaps: CoverageGap[] = [];
    const overrides = await this.futureOverrides(db, userId, now);
    const touched = new Set(overrides.map((o) => o.schedule_id));
    const schedules = (await oncallRepo.listSchedules(db)).filter((s) => touched.has(s.id) || layersOf(s).some((l) => l.participants.includes(userId) || (l.shadows ?? []).includes(userId)));

    for (const schedule of schedules) {
      const before = await this.deps.schedules.definitions(db, [schedule], horizon);
      const gapsBefore = finalSchedule(before.get(schedule.id) as ScheduleDefinition, horizon).gaps;
      const layers = layersOf(schedule);
      const remaining: Layer[] = layers
        .map((l) => ({ ...l, participants: l.participants.filter((p) => p !== userId), ...(l.shadows ? { shadows: l.shadows.filter((p) => p !== userId) } : {}) }))
        .filter((l) => l.participants.length > 0);
      if (JSON.stringify(remaining) !== JSON.stringify(layers)) {
        const updated: ScheduleRow = { ...schedule, layers_json: JSON.stringify(remaining), version: schedule.version + 1, updated_at: now };
        const beforeView = await this.deps.schedules.view(db, schedule);
        await this.deps.schedules.writeSchedule(db, updated);
        await this.audit(db, acting, { action: 'schedule.update', targetType: 'schedule', targetId: schedule.id, before: beforeView, after: await this.deps.schedules.view(db, updated) });
        if (remaining.length < layers.length) {
          gaps.push({ kind: 'schedule', handle: schedule.handle, start: null, end: null, message: `Schedule \`${schedule.handle}\` lost ${layers.length - remaining.length} layer(s) that had no other participant` });
        }
      }
      const mine = overrides.filter((o) => o.schedule_id === schedule.id);
      if (mine.length > 0) {
        // Overrides in progress end now (the past stays as it happened); future ones are deleted.
        for (const o of mine) {
          if (o.start_at < now) await db.updateTable('schedule_overrides').set({ end_at: now }).where('id', '=', o.id).execute();
          else await db.updateTable('schedule_overrides').set({ deleted_at: now }).where('id', '=', o.id).execute();
        }
        await this.audit(db, acting, { action: 'schedule.override.delete', targetType: 'schedule', targetId: schedule.id, before: mine.map((o) => this.deps.schedules.overrideView(o)) });
      }
      const fresh = (await oncallRepo.findSchedule(db, schedule.id)) as ScheduleRow;
      const after = await this.deps.schedules.definitions(db, [fresh], horizon);
      const newGaps = subtractIntervals(finalSchedule(after.get(schedule.id) as ScheduleDefinition, horizon).gaps, gapsBefore);
      for (const g of newGaps) {
        gaps.push({ kind: 'schedule', handle: schedule.handle, start: g.start, end: g.end, message: `Schedule \`${schedule.handle}\` has no one on call ${formatLocalRange(schedule.time_zone, g.start, g.end)}` });
      }
    }

    for (const policy of await oncallRepo.listPolicies(db)) {
      const levels = levelsOf(policy);
      const fallback = fallbackOf(policy);
      const isUser = (t: { type: string; id: string }) => t.type === 'user' && t.id === userId;
      if (!levels.some((l) => l.targets.some(isUser)) && !(fallback && isUser(fallback))) continue;
      const kept = levels.map((l) => ({ ...l, targets: l.targets.filter((t) => !isUser(t)) }));
      kept.forEach((l, i) => {
        if (l.targets.length === 0) gaps.push({ kind: 'policy', handle: policy.handle, start: null, end: null, message: `Level ${i + 1} of escalation policy \`${policy.handle}\` named no one else and was removed` });
      });
      const remaining = kept.filter((l) => l.targets.length > 0);
      if (remaining.length === 0) gaps.push({ kind: 'policy', handle: policy.handle, start: null, end: null, message: `Escalation policy \`${policy.handle}\` has no levels left: it notifies no one` });
      if (fallback && isUser(fallback)) gaps.push({ kind: 'policy', handle: policy.handle, start: null, end: null, message: `Escalation policy \`${policy.handle}\` has no fallback any more` });
      await this.deps.policies.write(db, acting, policy, {
        ...policy,
        levels_json: JSON.stringify(remaining),
        fallback_json: fallback && isUser(fallback) ? null : policy.fallback_json,
        updated_at: now,
      });
    }
    return gaps;
  }

  private async futureOverrides(db: Kysely<Database>, userId: string, now: number): Promise<OverrideRow[]> {
    return db.selectFrom('schedule_overrides').selectAll().where('user_id', '=', userId).where('deleted_at', 'is', null).where('end_at', '>', now).orderBy('id').execute();
  }

  private async audit(db: Kysely<Database>, acting: Acting, entry: AuditRecord): Promise<void> {
    await this.deps.audit.record(db, acting.actor, entry);
  }
}
