import type { Kysely } from 'kysely';
import {
  configApiVersion,
  type ConfigApplyResult,
  type ConfigChange,
  type ConfigDocument,
  type ConfigPlan,
  type TeamDocument,
  type UserDocument,
} from '../../../contracts/config.js';
import { AppError } from '../../../contracts/errors.js';
import type { Role, TeamRole } from '../../../core/auth/roles.js';
import { checkDocuments } from '../../../core/config/check.js';
import { canonicalDocument, sortDocuments } from '../../../core/config/kinds.js';
import { plan } from '../../../core/config/plan.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import { validationError } from '../../platform/http/errors.js';
import type { Acting, CatalogService, UserChanges } from '../catalog/catalog.service.js';

export interface ConfigRequest {
  /** Documents already parsed by `configDocumentSchema` (the route body does it). */
  documents: readonly ConfigDocument[];
  prune: boolean;
}

/** What the server holds, as documents. Deactivated things are kept apart: plan reactivates them. */
interface ServerState {
  active: ConfigDocument[];
  deactivated: ConfigDocument[];
}

const identity = (kind: string, name: string) => `${kind}/${name}`;

/**
 * Config-as-code on the server: export the current state as documents, plan the changes that make
 * it match a set of documents, and apply that plan. Deciding is pure (`core/config/plan.ts`); this
 * service reads the state and carries the changes out through the catalog's `*In` methods, so every
 * change passes the same rules as the API and writes its own audit entry.
 */
export class ConfigService {
  constructor(private readonly deps: { database: FirebreakDatabase; catalog: CatalogService }) {}

  /** Every active User and Team as documents, in kind order then name, each in canonical form. */
  async exportDocuments(): Promise<ConfigDocument[]> {
    // One snapshot, so a Team never lists a member whose User document a concurrent change removed.
    return (await this.deps.database.readSnapshot((db) => this.stateIn(db, new Set()))).active;
  }

  /** What apply would do now. Changes nothing. */
  async plan(acting: Acting, request: ConfigRequest): Promise<ConfigPlan> {
    const state = await this.deps.database.readSnapshot((db) => this.stateIn(db, this.desiredUsers(request)));
    return this.decide(acting, request, state);
  }

  /**
   * Makes the server match the documents, all-or-nothing: the plan is made and carried out in one
   * transaction, so a change that fails (a catalog rule, a conflict) rolls back every change before
   * it. Applying the same documents again finds everything unchanged and writes nothing, not even
   * an audit entry.
   */
  async apply(acting: Acting, request: ConfigRequest): Promise<ConfigApplyResult> {
    const configActing: Acting = { ...acting, actor: { ...acting.actor, label: `${acting.actor.label}, config apply` } };
    return this.deps.database.transaction(async (tx) => {
      const state = await this.stateIn(tx.db, this.desiredUsers(request));
      const result = this.decide(acting, request, state);
      const desired = new Map(request.documents.map((d) => [identity(d.kind, d.metadata.name), canonicalDocument(d)]));
      const existing = new Map([...state.deactivated, ...state.active].map((d) => [identity(d.kind, d.metadata.name), d]));
      for (const change of result.changes) {
        if (change.action === 'unchanged') continue;
        const id = identity(change.kind, change.name);
        try {
          await this.carryOut(tx.db, configActing, change, desired.get(id) ?? null, existing.get(id) ?? null);
        } catch (error) {
          if (error instanceof AppError) {
            throw new AppError(error.code, `Could not ${change.action} ${change.kind} \`${change.name}\`: ${error.message}. Nothing was applied.`, { ...error.details, change: { action: change.action, kind: change.kind, name: change.name } });
          }
          throw error;
        }
      }
      return { ...result, applied: true as const };
    });
  }

  private desiredUsers(request: ConfigRequest): Set<string> {
    return new Set(request.documents.filter((d) => d.kind === 'User').map((d) => d.metadata.name));
  }

  /** Checks the documents against the server's state and plans. Throws VALIDATION_FAILED listing every problem. */
  private decide(acting: Acting, request: ConfigRequest, state: ServerState): ConfigPlan {
    const refs = (docs: ConfigDocument[]) => docs.map((d) => ({ kind: d.kind, name: d.metadata.name }));
    const context = { mode: 'server', active: refs(state.active), deactivated: refs(state.deactivated), prune: request.prune } as const;
    const { issues } = checkDocuments(request.documents, context, (i) => `body.documents.${i}`);
    if (issues.length > 0) {
      throw validationError(issues.map((i) => ({ path: ['body', 'documents', i.index, ...i.path].join('.'), message: i.message })));
    }
    const result = plan(request.documents, state.active, { prune: request.prune, deactivated: state.deactivated });
    const self = acting.principal?.userHandle;
    if (self && result.changes.some((c) => c.action === 'delete' && c.kind === 'User' && c.name === self)) {
      throw new AppError('RULE_VIOLATION', `--prune would deactivate you (\`${self}\`), the user applying this configuration; add your User document`);
    }
    return result;
  }

  /**
   * Reads Users and Teams as documents. A Team lists only members who are active, or who the
   * desired documents bring back (`reactivating`): a deactivated person's membership rows are kept
   * for history but are not part of the team until they return.
   */
  private async stateIn(db: Kysely<Database>, reactivating: ReadonlySet<string>): Promise<ServerState> {
    const repo = this.deps.catalog.repo;
    const users = await repo.listUsers(db, true);
    const teams = await repo.listTeams(db, true);
    const visible = new Set(users.filter((u) => u.deactivated_at === null || reactivating.has(u.handle)).map((u) => u.id));
    const members = await repo.membersOf(db, teams.map((t) => t.id));
    const state: ServerState = { active: [], deactivated: [] };
    for (const u of users) {
      const doc: UserDocument = {
        apiVersion: configApiVersion,
        kind: 'User',
        metadata: { name: u.handle },
        spec: { name: u.name, email: u.email, timeZone: u.time_zone, role: u.role as Role },
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
    return { active: sortDocuments(state.active), deactivated: sortDocuments(state.deactivated) };
  }

  /** Carries out one planned change inside the apply transaction. */
  private async carryOut(db: Kysely<Database>, acting: Acting, change: ConfigChange, desired: ConfigDocument | null, existing: ConfigDocument | null): Promise<void> {
    const catalog = this.deps.catalog;
    const reactivate = change.diff.some((d) => d.field === 'status' && d.after === 'active');
    if (change.kind === 'User') {
      const want = desired as UserDocument | null;
      const have = existing as UserDocument | null;
      if (change.action === 'delete') {
        await catalog.setUserActiveIn(db, acting, change.name, false);
      } else if (change.action === 'create' && want) {
        // Users from config have no password: they log in once an admin sets one (or through SSO).
        await catalog.createUserIn(db, acting, { handle: want.metadata.name, ...want.spec }, null);
      } else if (change.action === 'update' && want && have) {
        if (reactivate) await catalog.setUserActiveIn(db, acting, change.name, true);
        const changes: UserChanges = {};
        if (want.spec.name !== have.spec.name) changes.name = want.spec.name;
        if (want.spec.email !== have.spec.email) changes.email = want.spec.email;
        if (want.spec.timeZone !== have.spec.timeZone) changes.timeZone = want.spec.timeZone;
        if (want.spec.role !== have.spec.role) changes.role = want.spec.role;
        if (Object.keys(changes).length > 0) await catalog.updateUserIn(db, acting, change.name, changes);
      }
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
    }
  }
}
