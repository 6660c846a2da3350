import type { Kysely } from 'kysely';
import {
  configApiVersion,
  configContactMethodTypes,
  contactMethodKey,
  findContactMethod,
  type ConfigApplyResult,
  type ConfigChange,
  type ConfigDocument,
  type ConfigPlan,
  type ConfigWarning,
  type ContactMethodSpec,
  type EscalationPolicyDocument,
  type EscalationTargetSpec,
  type ScheduleDocument,
  type ScheduleLayerSpec,
  type TeamDocument,
  type UserDocument,
} from '../../../contracts/config.js';
import { AppError, type FieldIssue } from '../../../contracts/errors.js';
import type { ContactMethod, NotificationRules } from '../../../contracts/notify.js';
import type { Role, TeamRole } from '../../../core/auth/roles.js';
import { checkDocuments } from '../../../core/config/check.js';
import { canonicalDocument, sortDocuments, targetOf } from '../../../core/config/kinds.js';
import { LINT_DAYS, lintDocuments } from '../../../core/config/lint.js';
import { plan, type PlanResult } from '../../../core/config/plan.js';
import type { EscalationTarget } from '../../../core/oncall/escalation-preview.js';
import { DAY_MS, isoFromInstant, type Override } from '../../../core/oncall/index.js';
import type { Clock } from '../../platform/clock.js';
import type { FirebreakDatabase, Tx } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import { validationError } from '../../platform/http/errors.js';
import type { Acting, CatalogService, UserChanges } from '../catalog/catalog.service.js';
import type { NotifyService } from '../notify/notify.service.js';
import { fallbackOf, iso, layersOf, levelsOf, oncallRepo, toEngineOverride } from '../oncall/oncall.repo.js';
import type { LayerInput } from '../oncall/schedule.service.js';
import type { Oncall } from '../oncall/oncall.services.js';

export interface ConfigRequest {
  /** Documents already parsed by `configDocumentSchema` (the route body does it). */
  documents: readonly ConfigDocument[];
  prune: boolean;
}

/** A person's notification setup as the server holds it, for warnings and apply. */
interface Person {
  id: string;
  methods: ContactMethod[];
  rules: NotificationRules;
}

/** What the server holds, as documents. Deactivated things are kept apart: plan reactivates them. */
interface ServerState {
  active: ConfigDocument[];
  deactivated: ConfigDocument[];
  /** By user handle. */
  people: Map<string, Person>;
  /** Schedule handle → id, and user id → handle, for live overrides in lints. */
  scheduleIds: Map<string, string>;
  userHandles: Map<string, string>;
}

const identity = (kind: string, name: string) => `${kind}/${name}`;

/** Types config manages; a person's push and webhook methods are left alone (contracts/config.ts). */
const managed = (type: string) => (configContactMethodTypes as readonly string[]).includes(type);

const sameMethod = (a: { type: string; address: string }, b: { type: string; address: string }) => a.type === b.type && a.address === b.address;

/**
 * Config-as-code on the server: export the current state as documents, plan the changes that make
 * it match a set of documents, and apply that plan. Deciding is pure (`core/config/plan.ts`); this
 * service reads the state and carries the changes out through the `*In` methods of the catalog,
 * notify and on-call services, so every change passes the same rules as the API and writes its own
 * audit entry.
 */
export class ConfigService {
  constructor(private readonly deps: { database: FirebreakDatabase; clock: Clock; catalog: CatalogService; notify: NotifyService; oncall: Pick<Oncall, 'schedules' | 'policies'> }) {}

  /**
   * Every active User and Team, every Schedule and EscalationPolicy, as documents in kind order then
   * name, each in canonical form. A person's notification rules are left out when one of them uses
   * a push or webhook method, which config cannot name.
   */
  async exportDocuments(): Promise<ConfigDocument[]> {
    // One snapshot, so a Team never lists a member whose User document a concurrent change removed.
    const state = await this.deps.database.readSnapshot((db) => this.stateIn(db, new Set()));
    return state.active.map((d) => {
      if (d.kind !== 'User' || d.spec.notificationRules === undefined) return d;
      const rules = [...d.spec.notificationRules.high, ...d.spec.notificationRules.low];
      if (rules.every((r) => managed(r.contactMethod.slice(0, r.contactMethod.indexOf(':'))))) return d;
      const { notificationRules: _unexportable, ...spec } = d.spec;
      return { ...d, spec };
    });
  }

  /** What apply would do now, with warnings (schedule lints over the next 90 days, unverified methods). Changes nothing. */
  async plan(acting: Acting, request: ConfigRequest): Promise<ConfigPlan> {
    return this.deps.database.readSnapshot(async (db) => {
      const state = await this.stateIn(db, this.desiredUsers(request));
      const result = this.decide(acting, request, state);
      return { ...result, warnings: await this.warningsIn(db, request, state) };
    });
  }

  /**
   * Makes the server match the documents, all-or-nothing: the plan is made and carried out in one
   * transaction, so a change that fails (a catalog, notify or on-call rule, a conflict) rolls back
   * every change before it. Applying the same documents again finds everything unchanged and writes
   * nothing, not even an audit entry.
   */
  async apply(acting: Acting, request: ConfigRequest): Promise<ConfigApplyResult> {
    const configActing: Acting = { ...acting, actor: { ...acting.actor, label: `${acting.actor.label}, config apply` } };
    return this.deps.database.transaction(async (tx) => {
      const state = await this.stateIn(tx.db, this.desiredUsers(request));
      const result = this.decide(acting, request, state);
      const warnings = await this.warningsIn(tx.db, request, state);
      const desired = new Map(request.documents.map((d) => [identity(d.kind, d.metadata.name), canonicalDocument(d)]));
      const existing = new Map([...state.deactivated, ...state.active].map((d) => [identity(d.kind, d.metadata.name), d]));
      for (const change of result.changes) {
        if (change.action === 'unchanged') continue;
        const id = identity(change.kind, change.name);
        try {
          await this.carryOut(tx, configActing, change, desired.get(id) ?? null, existing.get(id) ?? null);
        } catch (error) {
          if (error instanceof AppError) {
            throw new AppError(error.code, `Could not ${change.action} ${change.kind} \`${change.name}\`: ${error.message}. Nothing was applied.`, { ...error.details, change: { action: change.action, kind: change.kind, name: change.name } });
          }
          throw error;
        }
      }
      return { ...result, warnings, applied: true as const };
    });
  }

  private desiredUsers(request: ConfigRequest): Set<string> {
    return new Set(request.documents.filter((d) => d.kind === 'User').map((d) => d.metadata.name));
  }

  /** Checks the documents against the server's state and plans. Throws VALIDATION_FAILED listing every problem. */
  private decide(acting: Acting, request: ConfigRequest, state: ServerState): PlanResult {
    const refs = (docs: ConfigDocument[]) => docs.map((d) => ({ kind: d.kind, name: d.metadata.name }));
    const context = { mode: 'server', active: refs(state.active), deactivated: refs(state.deactivated), prune: request.prune } as const;
    const { issues } = checkDocuments(request.documents, context, (i) => `body.documents.${i}`);
    const problems: FieldIssue[] = issues.map((i) => ({ path: ['body', 'documents', i.index, ...i.path].join('.'), message: i.message }));
    if (problems.length > 0) throw validationError(problems);
    const result = plan(request.documents, state.active, { prune: request.prune, deactivated: state.deactivated });
    const self = acting.principal?.userHandle;
    if (self && result.changes.some((c) => c.action === 'delete' && c.kind === 'User' && c.name === self)) {
      throw new AppError('RULE_VIOLATION', `--prune would deactivate you (\`${self}\`), the user applying this configuration; add your User document`);
    }
    return result;
  }

  /**
   * Reads everything config manages as documents. A Team lists only members who are active, or who
   * the desired documents bring back (`reactivating`): a deactivated person's membership rows are
   * kept for history but are not part of the team until they return. People are named by handle.
   */
  private async stateIn(db: Kysely<Database>, reactivating: ReadonlySet<string>): Promise<ServerState> {
    const repo = this.deps.catalog.repo;
    const { notify } = this.deps;
    const users = await repo.listUsers(db, true);
    const teams = await repo.listTeams(db, true);
    const visible = new Set(users.filter((u) => u.deactivated_at === null || reactivating.has(u.handle)).map((u) => u.id));
    const members = await repo.membersOf(db, teams.map((t) => t.id));
    const userHandles = new Map(users.map((u) => [u.id, u.handle]));
    const teamHandles = new Map(teams.map((t) => [t.id, t.handle]));
    const state: ServerState = { active: [], deactivated: [], people: new Map(), scheduleIds: new Map(), userHandles };

    for (const u of users) {
      const methods = await notify.listContactMethods(db, u.id);
      const rules = await notify.rulesView(db, u.id);
      state.people.set(u.handle, { id: u.id, methods, rules });
      const configMethods = methods.filter((m) => managed(m.type)).map((m) => ({ type: m.type, address: m.address, ...(m.label ? { label: m.label } : {}) }) as ContactMethodSpec);
      // Rules on push or webhook methods are named `type:<redacted address>`: plan shows them as they
      // are; export leaves such rules out (see exportDocuments).
      const ruleSpec = (list: NotificationRules['high']) => list.map((r) => ({ afterMinutes: r.delayMinutes, contactMethod: contactMethodKey(r.contactMethod) }));
      const hasRules = rules.high.length + rules.low.length > 0;
      const doc: UserDocument = {
        apiVersion: configApiVersion,
        kind: 'User',
        metadata: { name: u.handle },
        spec: {
          name: u.name,
          email: u.email,
          timeZone: u.time_zone,
          role: u.role as Role,
          ...(configMethods.length > 0 ? { contactMethods: configMethods } : {}),
          ...(hasRules ? { notificationRules: { high: ruleSpec(rules.high), low: ruleSpec(rules.low) } } : {}),
        },
      };
      (u.deactivated_at === null ? state.active : state.deactivated).push(canonicalDocument(doc));
    }
    for (const t of teams) {
      const doc: TeamDocument = {
        apiVersion: configApiVersion,
        kind: 'Team',
        metadata: { name: t.handle },
        spec: {
          name: t.name,
          description: t.description,
          members: members.filter((m) => m.team_id === t.id && visible.has(m.user_id)).map((m) => ({ user: m.handle, role: m.role as TeamRole })),
        },
      };
      (t.deactivated_at === null ? state.active : state.deactivated).push(canonicalDocument(doc));
    }

    const handleOf = (id: string) => userHandles.get(id) ?? id;
    const schedules = await oncallRepo.listSchedules(db);
    const scheduleHandles = new Map(schedules.map((s) => [s.id, s.handle]));
    for (const s of schedules) {
      state.scheduleIds.set(s.handle, s.id);
      const layers = layersOf(s).map(
        (l): ScheduleLayerSpec => ({
          id: l.id,
          name: l.name ?? l.id,
          participants: l.participants.map(handleOf),
          start: isoFromInstant(l.start),
          ...(l.end !== undefined ? { end: isoFromInstant(l.end) } : {}),
          handoffTime: l.handoffTime,
          turn: { unit: l.turn.unit, count: l.turn.count },
          restrictions: l.restrictions.map((r) =>
            r.kind === 'daily'
              ? { kind: 'daily' as const, start: r.start, end: r.end, ...(r.days ? { days: [...r.days] } : {}) }
              : { kind: 'weekly' as const, startDay: r.startDay, start: r.start, endDay: r.endDay, end: r.end },
          ),
          advance: l.advance,
          shadows: (l.shadows ?? []).map(handleOf),
          ...(l.timeZone !== undefined ? { timeZone: l.timeZone } : {}),
        }),
      );
      const doc: ScheduleDocument = {
        apiVersion: configApiVersion,
        kind: 'Schedule',
        metadata: { name: s.handle },
        spec: { name: s.name, description: s.description, ...(s.team_id !== null ? { team: teamHandles.get(s.team_id) ?? s.team_id } : {}), timeZone: s.time_zone, layers },
      };
      state.active.push(canonicalDocument(doc));
    }
    const targetSpec = (t: EscalationTarget): EscalationTargetSpec =>
      t.type === 'user' ? { user: handleOf(t.id) } : t.type === 'schedule' ? { schedule: scheduleHandles.get(t.id) ?? t.id } : { team: teamHandles.get(t.id) ?? t.id };
    for (const p of await oncallRepo.listPolicies(db)) {
      const fallback = fallbackOf(p);
      const doc: EscalationPolicyDocument = {
        apiVersion: configApiVersion,
        kind: 'EscalationPolicy',
        metadata: { name: p.handle },
        spec: {
          name: p.name,
          description: p.description,
          ...(p.team_id !== null ? { team: teamHandles.get(p.team_id) ?? p.team_id } : {}),
          levels: levelsOf(p).map((l) => ({ delayMinutes: l.delayMinutes, targets: l.targets.map(targetSpec) })),
          repeat: p.repeat_count,
          ...(fallback !== null ? { fallback: targetSpec(fallback) } : {}),
          skipEmptyLevels: p.skip_empty_levels === 1,
        },
      };
      state.active.push(canonicalDocument(doc));
    }
    return { ...state, active: sortDocuments(state.active), deactivated: sortDocuments(state.deactivated) };
  }

  // ---- warnings

  /**
   * Lints of the Schedules and EscalationPolicies in the request over the next 90 days (with the
   * live overrides of schedules that exist, and the schedules and policies on the server that the
   * documents escalate between), and the contact methods in the request that are not verified.
   */
  private async warningsIn(db: Kysely<Database>, request: ConfigRequest, state: ServerState): Promise<ConfigWarning[]> {
    const now = this.deps.clock.now();
    const named = new Set(request.documents.map((d) => identity(d.kind, d.metadata.name)));
    // What stays on the server besides the documents: context for policies that escalate between schedules.
    const context = request.prune ? [] : state.active.filter((d) => (d.kind === 'Schedule' || d.kind === 'EscalationPolicy') && !named.has(identity(d.kind, d.metadata.name)));
    const linted = request.documents.filter((d) => d.kind === 'Schedule').map((d) => state.scheduleIds.get(d.metadata.name)).filter((id): id is string => id !== undefined);
    const overrides = new Map<string, Override[]>();
    const live = await oncallRepo.overridesIn(db, [...linted, ...context.flatMap((d) => (d.kind === 'Schedule' ? [state.scheduleIds.get(d.metadata.name) ?? ''] : []))], { start: now, end: now + LINT_DAYS * DAY_MS });
    const scheduleHandle = new Map([...state.scheduleIds].map(([handle, id]) => [id, handle]));
    for (const row of live) {
      const o = toEngineOverride(row);
      const handle = scheduleHandle.get(row.schedule_id) ?? row.schedule_id;
      const byHandle = { ...o, userId: state.userHandles.get(o.userId) ?? o.userId, ...(o.replaces !== undefined ? { replaces: state.userHandles.get(o.replaces) ?? o.replaces } : {}) };
      overrides.set(handle, [...(overrides.get(handle) ?? []), byHandle]);
    }
    const users = new Map(request.documents.flatMap((d) => (d.kind === 'User' ? [[d.metadata.name, d] as const] : [])));
    const lints = lintDocuments(request.documents, {
      now,
      context,
      overrides: (name) => overrides.get(name) ?? [],
      hasVerifiedHighUrgencyMethod: (handle) => this.verifiedAfterApply(state.people.get(handle), users.get(handle)),
    });
    const warnings: ConfigWarning[] = lints.map((l) => {
      const d = request.documents[l.index] as ConfigDocument;
      return {
        code: l.code,
        kind: d.kind,
        name: d.metadata.name,
        path: l.path.join('.'),
        message: l.message,
        intervals: l.intervals.map((i) => ({ start: iso(i.start), end: iso(i.end) })),
        localIntervals: l.localIntervals,
      };
    });
    for (const d of users.values()) {
      const methods = state.people.get(d.metadata.name)?.methods ?? [];
      (d.spec.contactMethods ?? []).forEach((m, index) => {
        const have = methods.find((x) => sameMethod(x, m));
        if (have?.verified) return;
        const what = `\`${d.metadata.name}\`’s ${m.type} method ${m.address}${m.label ? ` (“${m.label}”)` : ''}`;
        warnings.push({
          code: 'CONTACT_METHOD_UNVERIFIED',
          kind: 'User',
          name: d.metadata.name,
          path: `spec.contactMethods.${index}.address`,
          message: `${what} ${have ? 'is not verified' : 'will be added unverified'}: it receives no pages until ${d.metadata.name} verifies it (Settings → Contact methods)`,
          intervals: [],
          localIntervals: [],
        });
      });
    }
    return warnings;
  }

  /**
   * Whether a person will have a high-urgency rule that uses a verified method once the documents
   * are applied: their rules as the document states them (or as they are, when it leaves rules out),
   * over their verified methods that the document keeps. New people and new methods are unverified.
   */
  private verifiedAfterApply(person: Person | undefined, doc: UserDocument | undefined): boolean {
    if (person === undefined) return false;
    const wanted = doc?.spec.contactMethods;
    const kept = person.methods.filter((m) => m.verified && (wanted === undefined || !managed(m.type) || wanted.some((w) => sameMethod(w, m))));
    const rules = doc?.spec.notificationRules;
    if (rules === undefined) return person.rules.high.some((r) => kept.some((m) => m.id === r.contactMethodId));
    return rules.high.some((r) => {
      const found = findContactMethod(wanted ?? [], r.contactMethod);
      const spec = 'index' in found ? wanted?.[found.index] : undefined;
      return spec !== undefined && kept.some((m) => sameMethod(m, spec));
    });
  }

  // ---- apply

  /** Carries out one planned change inside the apply transaction. */
  private async carryOut(tx: Tx, acting: Acting, change: ConfigChange, desired: ConfigDocument | null, existing: ConfigDocument | null): Promise<void> {
    const db = tx.db;
    const { catalog } = this.deps;
    const { schedules, policies } = this.deps.oncall;
    const reactivate = change.diff.some((d) => d.field === 'status' && d.after === 'active');
    if (change.kind === 'User') {
      const want = desired as UserDocument | null;
      const have = existing as UserDocument | null;
      if (change.action === 'delete') {
        await catalog.setUserActiveIn(db, acting, change.name, false);
        return;
      }
      if (!want) return;
      if (change.action === 'create') {
        // Users from config have no password: they log in once an admin sets one (or through SSO).
        const { contactMethods: _methods, notificationRules: _rules, ...profile } = want.spec;
        await catalog.createUserIn(db, acting, { handle: want.metadata.name, ...profile }, null);
      } else if (have) {
        if (reactivate) await catalog.setUserActiveIn(db, acting, change.name, true);
        const changes: UserChanges = {};
        if (want.spec.name !== have.spec.name) changes.name = want.spec.name;
        if (want.spec.email !== have.spec.email) changes.email = want.spec.email;
        if (want.spec.timeZone !== have.spec.timeZone) changes.timeZone = want.spec.timeZone;
        if (want.spec.role !== have.spec.role) changes.role = want.spec.role;
        if (Object.keys(changes).length > 0) await catalog.updateUserIn(db, acting, change.name, changes);
      }
      await this.applyNotificationSetup(tx, acting, want);
      return;
    }
    if (change.kind === 'Team') {
      const want = desired as TeamDocument | null;
      const have = existing as TeamDocument | null;
      if (change.action === 'delete') {
        await catalog.setTeamActiveIn(db, acting, change.name, false);
        return;
      }
      if (!want) return;
      if (change.action === 'create') {
        await catalog.createTeamIn(db, acting, { handle: want.metadata.name, name: want.spec.name, description: want.spec.description ?? '' });
      } else if (have) {
        if (reactivate) await catalog.setTeamActiveIn(db, acting, change.name, true);
        const name = want.spec.name !== have.spec.name ? want.spec.name : undefined;
        const description = (want.spec.description ?? '') !== (have.spec.description ?? '') ? (want.spec.description ?? '') : undefined;
        if (name !== undefined || description !== undefined) await catalog.updateTeamIn(db, acting, change.name, { name, description });
      }
      const had = new Map((have?.spec.members ?? []).map((m) => [m.user, m.role]));
      const wanted = new Map((want.spec.members ?? []).map((m) => [m.user, m.role]));
      for (const user of had.keys()) if (!wanted.has(user)) await catalog.removeMemberIn(db, acting, change.name, user);
      for (const [user, role] of wanted) if (had.get(user) !== role) await catalog.putMemberIn(db, acting, change.name, user, role);
      return;
    }
    if (change.kind === 'Schedule') {
      const want = desired as ScheduleDocument | null;
      if (change.action === 'delete') {
        await schedules.deleteIn(db, acting, change.name);
        return;
      }
      if (!want) return;
      const input = {
        name: want.spec.name,
        description: want.spec.description ?? '',
        ...(want.spec.team !== undefined ? { team: want.spec.team } : {}),
        timeZone: want.spec.timeZone,
        layers: want.spec.layers.map(layerInput),
      };
      if (change.action === 'create') await schedules.createIn(db, acting, { handle: want.metadata.name, ...input });
      // Documents state the whole thing: no `team` means the schedule belongs to no team (admins only).
      else await schedules.updateIn(db, acting, change.name, { ...input, team: want.spec.team ?? null });
      return;
    }
    if (change.kind === 'EscalationPolicy') {
      const want = desired as EscalationPolicyDocument | null;
      if (change.action === 'delete') {
        await policies.deleteIn(db, acting, change.name);
        return;
      }
      if (!want) return;
      const input = {
        name: want.spec.name,
        description: want.spec.description ?? '',
        ...(want.spec.team !== undefined ? { team: want.spec.team } : {}),
        levels: want.spec.levels.map((l) => ({ delayMinutes: l.delayMinutes, targets: l.targets.map(targetInput) })),
        repeat: want.spec.repeat,
        fallback: want.spec.fallback !== undefined ? targetInput(want.spec.fallback) : null,
        skipEmptyLevels: want.spec.skipEmptyLevels,
      };
      if (change.action === 'create') await policies.createIn(db, acting, { handle: want.metadata.name, ...input });
      else await policies.updateIn(db, acting, change.name, { ...input, team: want.spec.team ?? null });
    }
  }

  /**
   * Makes a person's contact methods and rules match the document, where it states them. Methods
   * are matched by type and address, so applying again never adds a second copy and a kept method
   * keeps its verification; only labels are updated in place. Removals come first (they free room
   * under the per-person limit), rules last (they name methods by id).
   */
  private async applyNotificationSetup(tx: Tx, acting: Acting, want: UserDocument): Promise<void> {
    const { notify, catalog } = this.deps;
    const handle = want.metadata.name;
    const wanted = want.spec.contactMethods;
    if (wanted === undefined) return;
    const userId = (await catalog.requireUser(tx.db, handle)).id;
    const current = await notify.listContactMethods(tx.db, userId);
    for (const m of current) if (managed(m.type) && !wanted.some((w) => sameMethod(w, m))) await notify.deleteContactMethodIn(tx, acting, handle, m.id);
    for (const w of wanted) {
      const have = current.find((m) => sameMethod(m, w));
      if (!have) await notify.createContactMethodIn(tx, acting, handle, w);
      else if (have.label !== (w.label ?? '')) await notify.updateContactMethodIn(tx, acting, handle, have.id, { label: w.label ?? '' });
    }
    const rules = want.spec.notificationRules;
    if (rules === undefined) return;
    const methods = await notify.listContactMethods(tx.db, userId);
    const idOf = (ref: string) => {
      const found = findContactMethod(wanted, ref);
      const spec = 'index' in found ? wanted[found.index] : undefined;
      return methods.find((m) => spec !== undefined && sameMethod(m, spec))?.id ?? '';
    };
    const body = {
      high: rules.high.map((r) => ({ delayMinutes: r.afterMinutes, contactMethodId: idOf(r.contactMethod) })),
      low: rules.low.map((r) => ({ delayMinutes: r.afterMinutes, contactMethodId: idOf(r.contactMethod) })),
    };
    const now = await notify.rulesView(tx.db, userId);
    const same = (a: Array<{ delayMinutes: number; contactMethodId: string }>, b: NotificationRules['high']) =>
      a.length === b.length && a.every((r, i) => r.delayMinutes === b[i]?.delayMinutes && r.contactMethodId === b[i]?.contactMethodId);
    if (!same(body.high, now.high) || !same(body.low, now.low)) await notify.replaceRulesIn(tx, acting, handle, body);
  }
}

/** A document layer as the on-call API takes it: people by handle, instants as ISO text. */
function layerInput(l: ScheduleLayerSpec): LayerInput {
  return {
    id: l.id,
    name: l.name,
    participants: l.participants,
    start: l.start,
    ...(l.end !== undefined ? { end: l.end } : {}),
    handoffTime: l.handoffTime,
    turn: l.turn,
    restrictions: l.restrictions ?? [],
    advance: l.advance,
    shadows: l.shadows ?? [],
    ...(l.timeZone !== undefined ? { timeZone: l.timeZone } : {}),
  };
}

function targetInput(t: EscalationTargetSpec): { type: 'user' | 'schedule' | 'team'; ref: string } {
  const { kind, name } = targetOf(t);
  return { type: kind === 'User' ? 'user' : kind === 'Schedule' ? 'schedule' : 'team', ref: name };
}
