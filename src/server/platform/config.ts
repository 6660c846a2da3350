import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Every environment variable Firebreak reads, validated once at start-up. README.md documents each
 * one; keep the two in step.
 */
const intFrom = (def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const boolFrom = (def: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      if (['1', 'true', 'yes', 'on'].includes(v.toLowerCase())) return true;
      if (['0', 'false', 'no', 'off'].includes(v.toLowerCase())) return false;
      ctx.addIssue({ code: 'custom', message: `must be true or false, got "${v}"` });
      return z.NEVER;
    });

const envSchema = z.object({
  PORT: intFrom(8080, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^postgres(ql)?:\/\/.+/.test(v), 'must be a postgres:// URL (leave it unset for the embedded SQLite database)'),
  FIREBREAK_DATA_DIR: z.string().default('./data'),
  FIREBREAK_PUBLIC_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^https?:\/\/[^/]+/.test(v), 'must be an http:// or https:// URL'),
  FIREBREAK_SECRET_KEY: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FIREBREAK_SESSION_HOURS: intFrom(168, 1, 24 * 90),
  FIREBREAK_TRUST_PROXY: boolFrom(false),
  FIREBREAK_ALLOW_PRIVATE_WEBHOOKS: boolFrom(false),
  FIREBREAK_BODY_LIMIT_BYTES: intFrom(1024 * 1024, 1024, 64 * 1024 * 1024),
  FIREBREAK_LOGIN_RATE_LIMIT: intFrom(10, 1, 10000),
  FIREBREAK_PUBLIC_RATE_LIMIT: intFrom(600, 1, 1_000_000),
  FIREBREAK_STATUS_PAGE_RATE_LIMIT: intFrom(6000, 1, 100_000_000),
  FIREBREAK_INTAKE_RATE_LIMIT: intFrom(6000, 1, 100_000_000),
  FIREBREAK_INTAKE_SMTP_PORT: intFrom(-1, 0, 65535),
  FIREBREAK_INTAKE_SMTP_HOST: z.string().default('0.0.0.0'),
  FIREBREAK_INTAKE_EMAIL_DOMAIN: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(v), 'must be a domain name such as alerts.example.com'),
  FIREBREAK_JOB_CONCURRENCY: intFrom(64, 1, 256),
  FIREBREAK_JOB_POLL_MS: intFrom(1000, 10, 60000),
  FIREBREAK_SHUTDOWN_TIMEOUT_MS: intFrom(10000, 100, 120000),
  FIREBREAK_SMTP_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^smtps?:\/\/[^/?#]+/.test(v), 'must be an smtp:// or smtps:// URL, such as smtp://user:pass@mail.example.com:587'),
  FIREBREAK_HEARTBEAT_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^https?:\/\/[^/?#]+/.test(v), 'must be an http:// or https:// URL, such as https://hc-ping.com/<uuid>'),
  FIREBREAK_HEARTBEAT_INTERVAL_SECONDS: intFrom(60, 10, 86400),
  FIREBREAK_EMAIL_FROM: z
    .string()
    .optional()
    .transform((v) => v?.trim() || 'Firebreak <firebreak@localhost>')
    .refine((v) => /^[^@<>\s]+@[^@<>\s]+$|^[^<>]*<[^@<>\s]+@[^@<>\s]+>$/.test(v), 'must be an address such as firebreak@example.com or "Firebreak <firebreak@example.com>"'),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  sqlitePath: string;
  publicUrl: string;
  secretKey: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  sessionHours: number;
  trustProxy: boolean;
  bodyLimitBytes: number;
  loginRateLimitPerMinute: number;
  publicRateLimitPerMinute: number;
  /** Requests per minute per address to public status pages: their own budget, apart from intake's and the API's. */
  statusPageRateLimitPerMinute: number;
  /** Events per minute per integration (token bucket: bursts up to this many), per node. */
  intakeRateLimitPerMinute: number;
  /** Email intake: the SMTP port to listen on (0: any free port); null when email intake is off. */
  intakeSmtpPort: number | null;
  intakeSmtpHost: string;
  /** The domain shown in email integrations' addresses (`<key>@<domain>`). */
  intakeEmailDomain: string;
  jobConcurrency: number;
  jobPollMs: number;
  shutdownTimeoutMs: number;
  /** Where email is sent (verification codes, notifications); unset: email delivery is off. Holds credentials: never log it. */
  smtpUrl: string | undefined;
  /** The From address of every email Firebreak sends. */
  emailFrom: string;
  /** Outgoing webhooks (backlog) may post to loopback, private and link-local addresses (SSRF guard off). */
  allowPrivateWebhooks?: boolean;
  /** Outbound heartbeat: GET this URL every interval (a dead man's switch at an outside monitor); unset: off. May hold a token: log only its origin. */
  heartbeatUrl?: string | undefined;
  heartbeatIntervalSeconds?: number;
  /** Lower password-hashing cost; only tests set it. */
  fastPasswordHashing: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment. Throws a `ConfigError` listing every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const dataDir = resolve(e.FIREBREAK_DATA_DIR);
  const shownHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? 'localhost' : e.HOST;
  const publicUrl = (e.FIREBREAK_PUBLIC_URL || `http://${shownHost}:${e.PORT}`).replace(/\/+$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL || undefined,
    dataDir,
    sqlitePath: resolve(dataDir, 'firebreak.db'),
    publicUrl,
    secretKey: e.FIREBREAK_SECRET_KEY || undefined,
    logLevel: e.LOG_LEVEL,
    sessionHours: e.FIREBREAK_SESSION_HOURS,
    trustProxy: e.FIREBREAK_TRUST_PROXY,
    allowPrivateWebhooks: e.FIREBREAK_ALLOW_PRIVATE_WEBHOOKS,
    bodyLimitBytes: e.FIREBREAK_BODY_LIMIT_BYTES,
    loginRateLimitPerMinute: e.FIREBREAK_LOGIN_RATE_LIMIT,
    publicRateLimitPerMinute: e.FIREBREAK_PUBLIC_RATE_LIMIT,
    statusPageRateLimitPerMinute: e.FIREBREAK_STATUS_PAGE_RATE_LIMIT,
    intakeRateLimitPerMinute: e.FIREBREAK_INTAKE_RATE_LIMIT,
    intakeSmtpPort: e.FIREBREAK_INTAKE_SMTP_PORT === -1 ? null : e.FIREBREAK_INTAKE_SMTP_PORT,
    intakeSmtpHost: e.FIREBREAK_INTAKE_SMTP_HOST,
    intakeEmailDomain: e.FIREBREAK_INTAKE_EMAIL_DOMAIN || new URL(publicUrl).hostname,
    jobConcurrency: e.FIREBREAK_JOB_CONCURRENCY,
    jobPollMs: e.FIREBREAK_JOB_POLL_MS,
    shutdownTimeoutMs: e.FIREBREAK_SHUTDOWN_TIMEOUT_MS,
    smtpUrl: e.FIREBREAK_SMTP_URL || undefined,
    emailFrom: e.FIREBREAK_EMAIL_FROM,
    heartbeatUrl: e.FIREBREAK_HEARTBEAT_URL || undefined,
    heartbeatIntervalSeconds: e.FIREBREAK_HEARTBEAT_INTERVAL_SECONDS,
    fastPasswordHashing: false,
  };
}
