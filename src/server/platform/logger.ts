import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs. Levels mean what their names say: debug for detail, info for things an
 * operator wants to see (started, migrated), warn for something degraded that Firebreak handled,
 * error for a failure that needs attention, fatal just before the process exits.
 */
export function createLogger(level: string, stream?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'firebreak' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label.toUpperCase() }) },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password', 'token', '*.token'], censor: '[redacted]' },
    },
    stream ?? pino.destination({ fd: 1, sync: false }),
  );
}

export type { Logger };
