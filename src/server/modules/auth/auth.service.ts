import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import * as OTPAuth from 'otpauth';
import type { SessionInfo } from '../../../contracts/auth.js';
import { AppError } from '../../../contracts/errors.js';
import type { ApiToken } from '../../../contracts/tokens.js';
import { lowerRole, roleAtLeast, type Principal, type Role } from '../../../core/auth/roles.js';
import type { Clock } from '../../platform/clock.js';
import { hashPassword, hashToken, randomToken, verifyPassword, type SecretBox } from '../../platform/crypto.js';
import type { FirebreakDatabase } from '../../platform/db/database.js';
import type { ApiTokensTable, Database } from '../../platform/db/schema.js';
import type { AuthResult, Authenticator } from '../../platform/http/app.js';
import type { Actor } from '../../platform/http/route.js';
import type { IdGenerator } from '../../platform/ids.js';
import { systemActor, type AuditLog } from '../audit/audit.repo.js';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { UserRow } from '../catalog/catalog.repo.js';

export const SESSION_COOKIE = 'firebreak_session';

/** The session cookie's value, parsed from the Cookie header on demand. */
export function sessionCookieOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  return header ? request.server.parseCookie(header)[SESSION_COOKIE] : undefined;
}
export const TOKEN_PREFIX = 'fbk_';
const SETUP_TOKEN_TTL_MS = 7 * 24 * 3600_000;
// Writing last-seen/last-used on every request would turn every read into a write; once a minute is enough.
const TOUCH_INTERVAL_MS = 60_000;

export interface AuthDeps {
  database: FirebreakDatabase;
  clock: Clock;
  ids: IdGenerator;
  audit: AuditLog;
  catalog: CatalogService;
  secrets: SecretBox;
  sessionHours: number;
  fastPasswordHashing: boolean;
}

export interface NewSession {
  /** The cookie value; only its hash is stored. */
  token: string;
  expiresAt: number;
  info: SessionInfo;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Authentication: passwords (scrypt), optional TOTP, cookie sessions, API tokens and the one-time
 * first-run setup link. Tokens and session cookies are random 256-bit values stored only as hashes.
 */
export class AuthService implements Authenticator {
  private readonly dummyHash: Promise<string>;

  constructor(private readonly deps: AuthDeps) {
    // Compared against when the email is unknown, so a wrong email takes as long as a wrong password.
    this.dummyHash = hashPassword(randomToken(), deps.fastPasswordHashing);
  }

  private get db() {
    return this.deps.database.db;
  }

  // ---- first-run setup

  async setupRequired(): Promise<boolean> {
    return (await this.deps.catalog.repo.countUsers(this.db)) === 0;
  }

  /**
   * On an empty database, issues a new one-time setup token (replacing any earlier one) and returns it
   * for the start-up log. Returns null once any user exists.
   */
  async issueSetupToken(): Promise<string | null> {
    if (!(await this.setupRequired())) return null;
    const token = randomToken();
    const now = this.deps.clock.now();
    await this.deps.database.transaction(async (tx) => {
      await tx.db.deleteFrom('setup_tokens').execute();
      await tx.db.insertInto('setup_tokens').values({ id: this.deps.ids(), token_hash: hashToken(token), created_at: now, expires_at: now + SETUP_TOKEN_TTL_MS, used_at: null }).execute();
    });
    return token;
  }

  async completeSetup(
    input: { token: string; handle: string; name: string; email: string; timeZone: string; password: string },
    client: { ip: string | null; userAgent: string | null; requestId: string },
  ): Promise<NewSession> {
    const passwordHash = await hashPassword(input.password, this.deps.fastPasswordHashing);
    const now = this.deps.clock.now();
    const userId = await this.deps.database.transaction(async (tx) => {
      if (!(await this.setupRequiredIn(tx.db))) throw new AppError('SETUP_COMPLETED', 'Firebreak is already set up; log in instead');
      const row = await tx.db.selectFrom('setup_tokens').selectAll().where('token_hash', '=', hashToken(input.token)).executeTakeFirst();
      if (!row || row.used_at !== null || row.expires_at <= now) {
        throw new AppError('UNAUTHENTICATED', 'This setup link is not valid (it may have expired, or the server restarted and printed a new one)');
      }
      await tx.db.updateTable('setup_tokens').set({ used_at: now }).where('id', '=', row.id).execute();
      const actor: Actor = { ...systemActor('first-run setup'), ip: client.ip, requestId: client.requestId };
      const user = await this.deps.catalog.createUserIn(tx.db, { actor, principal: null }, { ...input, role: 'owner' }, passwordHash);
      return user.id;
    });
    return this.startSession(userId, client);
  }

  private async setupRequiredIn(db: Kysely<Database>): Promise<boolean> {
    return (await this.deps.catalog.repo.countUsers(db)) === 0;
  }

  // ---- login and sessions

  async login(email: string, password: string, totpCode: string | undefined, client: { ip: string | null; userAgent: string | null; requestId: string }): Promise<NewSession> {
    const user = await this.deps.catalog.repo.findUserByEmail(this.db, email);
    const hash = user?.password_hash ?? (await this.dummyHash);
    const passwordOk = await verifyPassword(password, hash);
    // One answer for unknown email, wrong password, deactivated account and password-less account.
    if (!user || !user.password_hash || !passwordOk || user.deactivated_at !== null) {
      throw new AppError('UNAUTHENTICATED', 'Email or password is incorrect');
    }
    if (user.totp_enabled === 1) {
      if (!totpCode) throw new AppError('MFA_REQUIRED', 'Enter the 6-digit code from your authenticator app');
      if (!this.totpValid(user, totpCode)) throw new AppError('MFA_REQUIRED', 'That code is not valid; enter the current code from your authenticator app');
    }
    const session = await this.startSession(user.id, client);
    await this.deps.audit.record(this.db, { type: 'user', id: user.id, label: user.handle, ip: client.ip, requestId: client.requestId }, { action: 'session.login', targetType: 'user', targetId: user.id });
    return session;
  }

  private async startSession(userId: string, client: { ip: string | null; userAgent: string | null }): Promise<NewSession> {
    const token = randomToken();
    const csrf = randomToken();
    const now = this.deps.clock.now();
    const expiresAt = now + this.deps.sessionHours * 3600_000;
    const id = this.deps.ids();
    await this.db
      .insertInto('sessions')
      .values({ id, token_hash: hashToken(token), user_id: userId, csrf_token: csrf, state: 'active', created_at: now, expires_at: expiresAt, last_seen_at: now, ip: client.ip, user_agent: client.userAgent?.slice(0, 300) ?? null })
      .execute();
    const user = await this.deps.catalog.getUser(userId);
    return { token, expiresAt, info: { user, csrfToken: csrf, authenticatedBy: 'session', tokenScope: null } };
  }

  async logout(sessionToken: string | undefined): Promise<void> {
    if (!sessionToken) return;
    await this.db.deleteFrom('sessions').where('token_hash', '=', hashToken(sessionToken)).execute();
  }

  async sessionInfo(principal: Principal, csrfToken: string | null): Promise<SessionInfo> {
    const user = await this.deps.catalog.getUser(principal.userId);
    return {
      user,
      csrfToken: csrfToken ?? '',
      authenticatedBy: principal.kind,
      tokenScope: principal.kind === 'token' ? { role: principal.role, teamId: principal.teamScope } : null,
    };
  }

  /** Resolves the caller: `Authorization: Bearer <token>` first, then the session cookie. */
  async authenticate(request: FastifyRequest): Promise<AuthResult | null> {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match?.[1]) throw new AppError('UNAUTHENTICATED', 'Authorization header must be `Bearer <token>`');
      return this.authenticateToken(match[1]);
    }
    const cookie = sessionCookieOf(request);
    if (!cookie) return null;
    return this.authenticateSession(cookie);
  }

  private async authenticateSession(token: string): Promise<AuthResult | null> {
    const now = this.deps.clock.now();
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['sessions.id as session_id', 'sessions.csrf_token', 'sessions.expires_at', 'sessions.last_seen_at', 'users.id', 'users.handle', 'users.name', 'users.role', 'users.deactivated_at'])
      .where('sessions.token_hash', '=', hashToken(token))
      .where('sessions.state', '=', 'active')
      .executeTakeFirst();
    if (!row || row.expires_at <= now || row.deactivated_at !== null) return null;
    if (now - row.last_seen_at > TOUCH_INTERVAL_MS) await this.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', row.session_id).execute();
    const adminOfTeams = await this.deps.catalog.repo.adminTeamIds(this.db, row.id);
    return {
      principal: { kind: 'session', userId: row.id, userHandle: row.handle, userName: row.name, role: row.role as Role, teamScope: null, adminOfTeams, credentialId: row.session_id },
      csrfToken: row.csrf_token,
    };
  }

  private async authenticateToken(token: string): Promise<AuthResult> {
    const now = this.deps.clock.now();
    const row = token.startsWith(TOKEN_PREFIX)
      ? await this.db
          .selectFrom('api_tokens')
          .innerJoin('users', 'users.id', 'api_tokens.user_id')
          .select(['api_tokens.id as token_id', 'api_tokens.role as token_role', 'api_tokens.team_id', 'api_tokens.expires_at', 'api_tokens.revoked_at', 'api_tokens.last_used_at', 'users.id', 'users.handle', 'users.name', 'users.role', 'users.deactivated_at'])
          .where('api_tokens.token_hash', '=', hashToken(token))
          .executeTakeFirst()
      : undefined;
    if (!row || row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now) || row.deactivated_at !== null) {
      throw new AppError('UNAUTHENTICATED', 'The API token is not valid');
    }
    if (row.last_used_at === null || now - row.last_used_at > TOUCH_INTERVAL_MS) await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.token_id).execute();
    const adminTeams = await this.deps.catalog.repo.adminTeamIds(this.db, row.id);
    return {
      principal: {
        kind: 'token',
        userId: row.id,
        userHandle: row.handle,
        userName: row.name,
        // A token never carries more than its owner holds now: demoting a person demotes their tokens.
        role: lowerRole(row.token_role as Role, row.role as Role),
        teamScope: row.team_id,
        adminOfTeams: row.team_id === null ? adminTeams : adminTeams.filter((t) => t === row.team_id),
        credentialId: row.token_id,
      },
      csrfToken: null,
    };
  }

  // ---- password and TOTP

  async changePassword(principal: Principal, actor: Actor, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.deps.catalog.requireUser(this.db, principal.userId);
    if (!user.password_hash || !(await verifyPassword(currentPassword, user.password_hash))) throw new AppError('UNAUTHENTICATED', 'The current password is incorrect');
    const hash = await hashPassword(newPassword, this.deps.fastPasswordHashing);
    await this.deps.database.transaction(async (tx) => {
      await tx.db.updateTable('users').set({ password_hash: hash, updated_at: this.deps.clock.now() }).where('id', '=', user.id).execute();
      // Other sessions end: a changed password should lock out whoever else had it.
      await tx.db.deleteFrom('sessions').where('user_id', '=', user.id).where('id', '!=', principal.kind === 'session' ? principal.credentialId : '').execute();
      await this.deps.audit.record(tx.db, actor, { action: 'user.password.change', targetType: 'user', targetId: user.id });
    });
  }

  /** Starts TOTP enrolment: a new secret, stored encrypted, not yet required at login. */
  async startTotp(principal: Principal, actor: Actor): Promise<{ secret: string; otpauthUrl: string }> {
    const user = await this.deps.catalog.requireUser(this.db, principal.userId);
    if (user.totp_enabled === 1) throw new AppError('CONFLICT', 'Two-factor authentication is already on; turn it off first to enrol a new device');
    const secret = new OTPAuth.Secret({ size: 20 });
    const totp = this.totp(user, secret);
    await this.deps.database.transaction(async (tx) => {
      await tx.db.updateTable('users').set({ totp_secret: this.deps.secrets.seal(secret.base32), updated_at: this.deps.clock.now() }).where('id', '=', user.id).execute();
      await this.deps.audit.record(tx.db, actor, { action: 'user.totp.start', targetType: 'user', targetId: user.id });
    });
    return { secret: secret.base32, otpauthUrl: totp.toString() };
  }

  async enableTotp(principal: Principal, actor: Actor, code: string): Promise<void> {
    const user = await this.deps.catalog.requireUser(this.db, principal.userId);
    if (!user.totp_secret) throw new AppError('RULE_VIOLATION', 'Start two-factor setup first (POST /api/v1/auth/totp/setup)');
    if (!this.totpValid(user, code)) throw new AppError('VALIDATION_FAILED', 'That code is not valid', { issues: [{ path: 'body.code', message: 'does not match; check the device clock' }] });
    await this.deps.database.transaction(async (tx) => {
      await tx.db.updateTable('users').set({ totp_enabled: 1, updated_at: this.deps.clock.now() }).where('id', '=', user.id).execute();
      await this.deps.audit.record(tx.db, actor, { action: 'user.totp.enable', targetType: 'user', targetId: user.id });
    });
  }

  async disableTotp(principal: Principal, actor: Actor, password: string): Promise<void> {
    const user = await this.deps.catalog.requireUser(this.db, principal.userId);
    if (!user.password_hash || !(await verifyPassword(password, user.password_hash))) throw new AppError('UNAUTHENTICATED', 'The password is incorrect');
    await this.deps.database.transaction(async (tx) => {
      await tx.db.updateTable('users').set({ totp_enabled: 0, totp_secret: null, updated_at: this.deps.clock.now() }).where('id', '=', user.id).execute();
      await this.deps.audit.record(tx.db, actor, { action: 'user.totp.disable', targetType: 'user', targetId: user.id });
    });
  }

  private totp(user: UserRow, secret: OTPAuth.Secret): OTPAuth.TOTP {
    return new OTPAuth.TOTP({ issuer: 'Firebreak', label: user.email, algorithm: 'SHA1', digits: 6, period: 30, secret });
  }

  private totpValid(user: UserRow, code: string): boolean {
    if (!user.totp_secret) return false;
    const secret = OTPAuth.Secret.fromBase32(this.deps.secrets.open(user.totp_secret));
    // One step either side tolerates a phone clock 30 s off.
    return this.totp(user, secret).validate({ token: code, window: 1, timestamp: this.deps.clock.now() }) !== null;
  }

  // ---- API tokens

  async createToken(
    principal: Principal,
    actor: Actor,
    input: { name: string; role: Role; team?: string | undefined; expiresInDays?: number | undefined },
  ): Promise<{ token: ApiToken; secret: string }> {
    if (!roleAtLeast(principal.role, input.role)) throw new AppError('FORBIDDEN', `A token cannot carry more than your own role (${principal.role})`);
    if (principal.teamScope !== null && input.team === undefined) throw new AppError('FORBIDDEN', 'A team-scoped token can only create tokens scoped to its team');
    const secret = randomToken(TOKEN_PREFIX);
    const now = this.deps.clock.now();
    return this.deps.database.transaction(async (tx) => {
      let teamId: string | null = null;
      if (input.team !== undefined) {
        teamId = (await this.deps.catalog.requireTeam(tx.db, input.team)).id;
        if (principal.teamScope !== null && principal.teamScope !== teamId) throw new AppError('FORBIDDEN', 'A team-scoped token can only create tokens for its own team');
      }
      const row: ApiTokensTable = {
        id: this.deps.ids(),
        name: input.name,
        token_hash: hashToken(secret),
        prefix: secret.slice(0, TOKEN_PREFIX.length + 6),
        user_id: principal.userId,
        role: input.role,
        team_id: teamId,
        created_at: now,
        expires_at: input.expiresInDays ? now + input.expiresInDays * 86_400_000 : null,
        last_used_at: null,
        revoked_at: null,
      };
      await tx.db.insertInto('api_tokens').values(row).execute();
      const token = this.tokenView(row, principal.userHandle);
      await this.deps.audit.record(tx.db, actor, { action: 'token.create', targetType: 'api_token', targetId: row.id, after: token });
      return { token, secret };
    });
  }

  async listTokens(principal: Principal, all: boolean): Promise<ApiToken[]> {
    if (all && !roleAtLeast(principal.role, 'admin')) throw new AppError('FORBIDDEN', 'Only admins can list everyone’s tokens');
    let q = this.db.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id').selectAll('api_tokens').select('users.handle').orderBy('api_tokens.id', 'desc');
    if (!all) q = q.where('api_tokens.user_id', '=', principal.userId);
    const rows = await q.execute();
    return rows.map((r) => this.tokenView(r, r.handle));
  }

  async revokeToken(principal: Principal, actor: Actor, id: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const row = await tx.db.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id').selectAll('api_tokens').select('users.handle').where('api_tokens.id', '=', id).executeTakeFirst();
      if (!row || (row.user_id !== principal.userId && !roleAtLeast(principal.role, 'admin'))) throw new AppError('NOT_FOUND', `API token \`${id}\` does not exist`);
      if (row.revoked_at !== null) return;
      const before = this.tokenView(row, row.handle);
      const now = this.deps.clock.now();
      await tx.db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).execute();
      await this.deps.audit.record(tx.db, actor, { action: 'token.revoke', targetType: 'api_token', targetId: id, before, after: { ...before, revokedAt: iso(now) } });
    });
  }

  /** Creates a token directly in the database, for `firebreak user create --with-token` (no principal yet). */
  async createTokenForUser(db: Kysely<Database>, user: UserRow, name: string, actor: Actor): Promise<string> {
    const secret = randomToken(TOKEN_PREFIX);
    const row: ApiTokensTable = {
      id: this.deps.ids(), name, token_hash: hashToken(secret), prefix: secret.slice(0, TOKEN_PREFIX.length + 6), user_id: user.id, role: user.role,
      team_id: null, created_at: this.deps.clock.now(), expires_at: null, last_used_at: null, revoked_at: null,
    };
    await db.insertInto('api_tokens').values(row).execute();
    await this.deps.audit.record(db, actor, { action: 'token.create', targetType: 'api_token', targetId: row.id, after: this.tokenView(row, user.handle) });
    return secret;
  }

  private tokenView(row: ApiTokensTable, userHandle: string): ApiToken {
    return {
      id: row.id, name: row.name, prefix: row.prefix, userId: row.user_id, userHandle, role: row.role as Role, teamId: row.team_id,
      createdAt: iso(row.created_at) as string, expiresAt: iso(row.expires_at), lastUsedAt: iso(row.last_used_at), revokedAt: iso(row.revoked_at),
    };
  }
}
