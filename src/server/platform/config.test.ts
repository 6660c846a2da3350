import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('has working defaults: port 8080, embedded SQLite under ./data', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.sqlitePath.endsWith('/data/firebreak.db')).toBe(true);
    expect(config.publicUrl).toBe('http://localhost:8080');
  });

  it('switches to PostgreSQL with DATABASE_URL alone', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/fb' }).databaseUrl).toBe('postgres://u@db:5432/fb');
  });

  it('reports every problem at once, naming each variable', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', FIREBREAK_SECRET_KEY: 'short' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'FIREBREAK_SECRET_KEY']) expect(problems).toContain(name);
    }
  });

  it('leaves email off unless FIREBREAK_SMTP_URL names an smtp:// or smtps:// server', () => {
    expect(loadConfig({})).toMatchObject({ smtpUrl: undefined, emailFrom: 'Firebreak <firebreak@localhost>' });
    expect(loadConfig({ FIREBREAK_SMTP_URL: 'smtps://u:p@mail.example.com:465', FIREBREAK_EMAIL_FROM: 'pager@example.com' })).toMatchObject({ smtpUrl: 'smtps://u:p@mail.example.com:465', emailFrom: 'pager@example.com' });
    expect(() => loadConfig({ FIREBREAK_SMTP_URL: 'mail.example.com:25', FIREBREAK_EMAIL_FROM: 'nobody' })).toThrow(/FIREBREAK_SMTP_URL[\s\S]*FIREBREAK_EMAIL_FROM/);
  });

  it('strips a trailing slash from the public URL', () => {
    expect(loadConfig({ FIREBREAK_PUBLIC_URL: 'https://oncall.example.com/' }).publicUrl).toBe('https://oncall.example.com');
  });
});
