import { z } from 'zod';

/** Handles name things in URLs, config-as-code (`metadata.name`) and the CLI: `platform`, `ana-lima`. */
export const handleSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be 1–63 lowercase letters, digits or hyphens, starting and ending with a letter or digit');

/** True when `zone` is an IANA time zone name this runtime knows (aliases such as `UTC` included). */
export function isTimeZone(zone: string): boolean {
  if (zone.length === 0 || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Lisbon or America/New_York' });

export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an email address')
  .transform((v) => v.toLowerCase());

/** Instants cross the API as ISO 8601 strings in UTC (`2026-11-21T09:00:00.000Z`). */
export const instantSchema = z.string().describe('ISO 8601 instant, UTC');

/** `id` or handle: routes accept either where a thing has a handle. */
export const refParam = z.string().min(1).max(128);

export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const roleSchema = z.enum(['viewer', 'responder', 'admin', 'owner']);
export const teamRoleSchema = z.enum(['member', 'admin']);
