/**
 * Table shapes as Kysely sees them. Both dialects store the same types: ids as text (ULIDs),
 * instants as UTC epoch milliseconds (bigint), booleans as 0/1 integers and JSON as text, so one set
 * of migrations and one set of queries serve SQLite and PostgreSQL (ADR 0002).
 */
export interface UsersTable {
  id: string;
  handle: string;
  email: string;
  name: string;
  time_zone: string;
  role: string;
  password_hash: string | null;
  totp_secret: string | null;
  totp_enabled: number;
  deactivated_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface TeamsTable {
  id: string;
  handle: string;
  name: string;
  description: string;
  deactivated_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
  role: string;
  created_at: number;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  csrf_token: string;
  /** `active`, or `mfa_pending` between a correct password and a correct TOTP code. */
  state: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  token_hash: string;
  /** The first characters of the token, shown in lists so people can tell tokens apart. */
  prefix: string;
  user_id: string;
  role: string;
  team_id: string | null;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface AuditLogTable {
  id: string;
  at: number;
  actor_type: string;
  actor_id: string | null;
  actor_label: string;
  action: string;
  target_type: string;
  target_id: string | null;
  before_json: string | null;
  after_json: string | null;
  ip: string | null;
  request_id: string | null;
}

export interface SetupTokensTable {
  id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface JobsTable {
  id: string;
  task: string;
  /** Unique when set: adding a job with an existing key replaces the pending one. */
  job_key: string | null;
  payload: string;
  run_at: number;
  attempts: number;
  max_attempts: number;
  /** Bumped each time a keyed job is replaced, so a worker finishing an older revision keeps the newer one. */
  revision: number;
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
  /** Set when the job used up its attempts; such jobs are kept for inspection and never run again. */
  failed_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface RuntimeTable {
  name: string;
  value: string;
  updated_at: number;
}

export interface Database {
  users: UsersTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  setup_tokens: SetupTokensTable;
  jobs: JobsTable;
  runtime: RuntimeTable;
}
