import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../platform/config.js';

describe('email intake configuration', () => {
  it('is off by default; the address domain defaults to the public URL’s host', () => {
    const config = loadConfig({ FIREBREAK_PUBLIC_URL: 'https://firebreak.example.com:8443/' });
    expect(config).toMatchObject({ intakeSmtpPort: null, intakeSmtpHost: '0.0.0.0', intakeEmailDomain: 'firebreak.example.com' });
  });

  it('reads the port (0: any free port), host and domain', () => {
    expect(loadConfig({ FIREBREAK_INTAKE_SMTP_PORT: '2525', FIREBREAK_INTAKE_SMTP_HOST: '127.0.0.1', FIREBREAK_INTAKE_EMAIL_DOMAIN: 'alerts.example.com' })).toMatchObject({ intakeSmtpPort: 2525, intakeSmtpHost: '127.0.0.1', intakeEmailDomain: 'alerts.example.com' });
    expect(loadConfig({ FIREBREAK_INTAKE_SMTP_PORT: '0' }).intakeSmtpPort).toBe(0);
  });

  it('names every bad setting at once', () => {
    try {
      loadConfig({ FIREBREAK_INTAKE_SMTP_PORT: '70000', FIREBREAK_INTAKE_EMAIL_DOMAIN: 'not a domain' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.split(':')[0])).toEqual(['FIREBREAK_INTAKE_SMTP_PORT', 'FIREBREAK_INTAKE_EMAIL_DOMAIN']);
    }
  });
});
