import { z } from 'zod';
import { handleSchema, instantSchema, refParam, timeZoneSchema } from './common.js';

/**
 * On-call API: schedules (layers, overrides), who is on call, escalation policies, calendar feeds and
 * the on-call hours report. Wall times are `HH:MM`; instants cross the API as ISO 8601 strings.
 * People are referenced by id or handle on input; outputs carry ids plus a `users` map for display.
 */

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:MM, 00:00–23:59');
const hhmmEnd = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be a time of day HH:MM (24:00 allowed as an end)');
const isoWeekday = z.number().int().min(1, 'must be an ISO weekday 1 (Monday) … 7 (Sunday)').max(7, 'must be an ISO weekday 1 (Monday) … 7 (Sunday)');
const isoInstant = z.string().refine((v) => /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 instant such as 2026-11-23T09:00:00Z');
const userRef = z.string().min(1).max(128).describe('user id or handle');

export const restrictionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('daily'), start: hhmm, end: hhmmEnd, days: z.array(isoWeekday).min(1).optional() }),
  z.strictObject({ kind: z.literal('weekly'), startDay: isoWeekday, start: hhmm, endDay: isoWeekday, end: hhmmEnd }),
]);

export const layerInputSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/).optional().describe('Stable id within the schedule; generated when absent'),
  name: z.string().trim().min(1).max(100),
  participants: z.array(userRef).min(1, 'a rotation needs at least one participant'),
  start: isoInstant.describe('Rotation anchor: the first participant’s first turn starts at handoffTime on this date'),
  end: isoInstant.optional(),
  handoffTime: hhmm,
  turn: z.strictObject({ unit: z.enum(['hours', 'days', 'weeks']), count: z.number().int().min(1, 'must be at least 1').max(1000) }),
  restrictions: z.array(restrictionSchema).default([]),
  advance: z.enum(['calendar', 'on-duty']).default('calendar').describe('calendar: turns advance through off-duty time; on-duty: only duty time counts'),
  shadows: z.array(userRef).default([]),
  timeZone: timeZoneSchema.optional().describe('Zone of this layer’s wall times (follow-the-sun); the schedule’s zone when absent'),
});

export const scheduleInputSchema = z.strictObject({
  handle: handleSchema,
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  team: refParam.optional().describe('Owning team id or handle'),
  timeZone: timeZoneSchema,
  layers: z.array(layerInputSchema).min(1, 'a schedule needs at least one layer').describe('Priority order: later layers override earlier ones'),
});
export const scheduleUpdateSchema = scheduleInputSchema.omit({ handle: true }).partial().extend({ team: refParam.nullable().optional().describe('Owning team id or handle; null takes the schedule out of its team (admins only)') }).strict();

export const layerSchema = z.object({
  id: z.string(), name: z.string(), participants: z.array(z.string()), start: instantSchema, end: instantSchema.nullable(), handoffTime: z.string(),
  turn: z.object({ unit: z.enum(['hours', 'days', 'weeks']), count: z.number() }), restrictions: z.array(restrictionSchema),
  advance: z.enum(['calendar', 'on-duty']), shadows: z.array(z.string()), timeZone: z.string().nullable(),
});

export const userSummarySchema = z.object({ id: z.string(), handle: z.string(), name: z.string(), timeZone: z.string() });
export const usersMapSchema = z.record(z.string(), userSummarySchema);

export const scheduleSchema = z.object({
  id: z.string(), handle: z.string(), name: z.string(), description: z.string(), teamId: z.string().nullable(), timeZone: z.string(),
  layers: z.array(layerSchema), createdAt: instantSchema, updatedAt: instantSchema, users: usersMapSchema,
});
export type Schedule = z.infer<typeof scheduleSchema>;

export const overrideInputSchema = z.strictObject({
  user: userRef, start: isoInstant, end: isoInstant, replaces: userRef.optional(), note: z.string().max(500).optional(),
});
export const swapInputSchema = z.strictObject({
  first: z.strictObject({ user: userRef, start: isoInstant, end: isoInstant }).describe('The first person’s shift, which the second person takes'),
  second: z.strictObject({ user: userRef, start: isoInstant, end: isoInstant }).describe('The second person’s shift, which the first person takes'),
  note: z.string().max(500).optional(),
});
export const overrideSchema = z.object({
  id: z.string(), scheduleId: z.string(), userId: z.string(), start: instantSchema, end: instantSchema, replacesUserId: z.string().nullable(),
  swapWith: z.string().nullable(), note: z.string().nullable(), createdBy: z.string().nullable(), createdAt: instantSchema,
});

const entrySourceSchema = z.union([
  z.object({ kind: z.literal('layer'), layerId: z.string() }),
  z.object({ kind: z.literal('override'), overrideId: z.string(), replaces: z.string().optional() }),
]);
export const scheduleEntrySchema = z.object({ start: instantSchema, end: instantSchema, userId: z.string(), source: entrySourceSchema });
const intervalSchema = z.object({ start: instantSchema, end: instantSchema });

export const finalScheduleQuery = z.strictObject({
  from: isoInstant.optional().describe('Default: now'),
  to: isoInstant.optional().describe('Default: from + 14 days; at most 400 days after from'),
});
export const finalScheduleSchema = z.object({
  window: intervalSchema, timeZone: z.string(),
  entries: z.array(scheduleEntrySchema),
  layers: z.array(z.object({ layerId: z.string(), name: z.string(), entries: z.array(scheduleEntrySchema) })),
  shadows: z.array(z.object({ start: instantSchema, end: instantSchema, userId: z.string(), layerId: z.string() })),
  gaps: z.array(intervalSchema),
  overrides: z.array(overrideSchema),
  users: usersMapSchema,
});

export const lintSchema = z.object({
  code: z.enum(['SAME_PERSON_PRIMARY_AND_SECONDARY', 'SCHEDULE_GAP', 'NO_VERIFIED_CONTACT_METHOD', 'ROTATION_TOO_SMALL']),
  message: z.string(), intervals: z.array(intervalSchema), userId: z.string().nullable(), layerId: z.string().nullable(),
  localIntervals: z.array(z.string()).describe('`intervals` as local text in the schedule’s zone, e.g. `2027-03-14 02:00–03:00 America/New_York`'),
});
export const lintsQuery = z.strictObject({
  secondary: refParam.optional().describe('A secondary schedule: also lint the same person on call in both'),
  days: z.coerce.number().int().min(1).max(400).default(90).describe('Days from now to check; default 90'),
});
export const overridesQuery = z.strictObject({
  from: isoInstant.optional().describe('Default: now (current and future overrides)'),
  to: isoInstant.optional().describe('Default: no end'),
});

export const onCallQuery = z.strictObject({
  schedule: refParam.optional(), team: refParam.optional(), policy: refParam.optional(),
  at: isoInstant.optional().describe('Default: now'),
});
export const onCallSchema = z.object({
  at: instantSchema,
  entries: z.array(z.object({
    scheduleId: z.string().nullable(), scheduleHandle: z.string().nullable(), level: z.number().nullable().describe('Escalation level (1-based) for policy queries'),
    userId: z.string(), start: instantSchema.nullable(), end: instantSchema.nullable().describe('When this person’s shift ends'),
  })),
  users: usersMapSchema,
});

export const myOnCallSchema = z.object({
  now: z.array(z.object({ scheduleId: z.string(), scheduleHandle: z.string(), scheduleName: z.string(), start: instantSchema, end: instantSchema })),
  next: z.object({ scheduleId: z.string(), scheduleHandle: z.string(), scheduleName: z.string(), start: instantSchema, end: instantSchema }).nullable(),
  shifts: z.array(z.object({ scheduleId: z.string(), scheduleHandle: z.string(), scheduleName: z.string(), start: instantSchema, end: instantSchema })),
});

export const escalationTargetSchema = z.strictObject({ type: z.enum(['user', 'schedule', 'team']), ref: refParam });
export const escalationPolicyInputSchema = z.strictObject({
  handle: handleSchema,
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  team: refParam.optional(),
  levels: z.array(z.strictObject({
    delayMinutes: z.number().int().min(1, 'must be at least 1 minute').max(1440).describe('Minutes without acknowledgement before the next level'),
    targets: z.array(escalationTargetSchema).min(1, 'a level needs at least one target'),
  })).min(1, 'a policy needs at least one level'),
  repeat: z.number().int().min(0).max(9).default(0).describe('How many more times to run through all levels'),
  fallback: escalationTargetSchema.nullable().default(null).describe('Notified when every level and repeat went unanswered'),
  skipEmptyLevels: z.boolean().default(true).describe('A level that resolves to nobody is skipped immediately'),
});
export const escalationPolicyUpdateSchema = escalationPolicyInputSchema.omit({ handle: true }).partial().extend({ team: refParam.nullable().optional().describe('Owning team id or handle; null takes the policy out of its team (admins only)') }).strict();
export const escalationPolicySchema = z.object({
  id: z.string(), handle: z.string(), name: z.string(), description: z.string(), teamId: z.string().nullable(),
  levels: z.array(z.object({ delayMinutes: z.number(), targets: z.array(z.object({ type: z.enum(['user', 'schedule', 'team']), id: z.string(), handle: z.string(), name: z.string() })) })),
  repeat: z.number(), fallback: z.object({ type: z.enum(['user', 'schedule', 'team']), id: z.string(), handle: z.string(), name: z.string() }).nullable(),
  skipEmptyLevels: z.boolean(), createdAt: instantSchema, updatedAt: instantSchema,
});
export const policyPreviewQuery = z.strictObject({ at: isoInstant.optional().describe('When the alert would fire; default now') });
export const policyPreviewSchema = z.object({
  at: instantSchema,
  steps: z.array(z.object({
    level: z.number().nullable().describe('1-based level; null for the fallback'), round: z.number().describe('0 for the first pass, then each repeat'),
    notifyAt: instantSchema, skipped: z.boolean().describe('True when the level resolved to nobody and is skipped'),
    users: z.array(z.object({ userId: z.string(), via: z.object({ type: z.enum(['user', 'schedule', 'team']), id: z.string() }) })),
  })),
  users: usersMapSchema,
});

export const calendarFeedInputSchema = z.strictObject({ kind: z.enum(['user', 'schedule']), schedule: refParam.optional().describe('Required for kind schedule') });
export const calendarFeedSchema = z.object({
  id: z.string(), kind: z.enum(['user', 'schedule']), subjectId: z.string(), createdAt: instantSchema, revokedAt: instantSchema.nullable(),
});
export const createdCalendarFeedSchema = z.object({ feed: calendarFeedSchema, url: z.string().describe('Secret URL; shown once') });

export const holidayInputSchema = z.strictObject({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'), name: z.string().trim().min(1).max(200) });
export const holidaySchema = z.object({ id: z.string(), date: z.string(), name: z.string() });

export const hoursReportQuery = z.strictObject({
  from: isoInstant, to: isoInstant, team: refParam.optional(), schedule: refParam.optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
export const hoursReportSchema = z.object({
  from: instantSchema, to: instantSchema,
  rules: z.object({ businessHours: z.string().describe('e.g. Mon–Fri 09:00–17:00 in each person’s time zone'), holidays: z.array(holidaySchema) }),
  rows: z.array(z.object({
    userId: z.string(), handle: z.string(), name: z.string(), timeZone: z.string(),
    totalHours: z.number(), weekdayBusinessHours: z.number(), weekdayOffHours: z.number(), weekendHours: z.number(), holidayHours: z.number(),
  })),
});

export const scheduleRefParams = z.strictObject({ schedule: refParam });
export const policyRefParams = z.strictObject({ policy: refParam });
export { userRef, isoInstant, hhmm };
