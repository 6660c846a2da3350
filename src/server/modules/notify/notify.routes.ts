import { z } from 'zod';
import { listOf, refParam } from '../../../contracts/common.js';
import {
  contactMethodSchema,
  createContactMethodBody,
  defaultsAppliedSchema,
  notificationRulesSchema,
  notificationSettingsBody,
  notificationSettingsSchema,
  putNotificationRulesBody,
  testNotificationSchema,
  updateContactMethodBody,
  verificationSentSchema,
  verifyContactMethodBody,
} from '../../../contracts/notify.js';
import type { Principal } from '../../../core/auth/roles.js';
import { defineRoute, type Actor, type AnyRoute, type AuthRule, type RouteContext } from '../../platform/http/route.js';
import type { NotifyService } from './notify.service.js';

const methodId = z.string().min(1).max(64);

/** Whose notification setup a mount acts on: the caller's own, or any person's (admins). */
interface Mount {
  base: string;
  /** `My…` or `User…` in operation ids. */
  opPrefix: 'My' | 'User';
  tag: string;
  read: AuthRule;
  write: AuthRule;
  userParams: z.ZodType<{ user?: string }> | undefined;
  methodParams: z.ZodType<{ user?: string; id: string }>;
  whose: string;
  target(ctx: RouteContext<{ user?: string }, unknown, unknown>): string;
}

/**
 * Contact methods, notification rules and notification settings, mounted twice from one table:
 * `/api/v1/me/…` for everyone's own (viewer and up, team-scoped tokens included), and
 * `/api/v1/users/{user}/…` for admins managing anyone's. Two mounts rather than one route with a
 * "self or admin" check, so each rule is exactly what `x-firebreak-auth` documents and the
 * authorization matrix verifies.
 */
export function notifyRoutes(notify: NotifyService): AnyRoute[] {
  const own: Mount = {
    base: '/api/v1/me',
    opPrefix: 'My',
    tag: 'Notifications (you)',
    read: { role: 'viewer', scope: 'team' },
    write: { role: 'viewer', scope: 'team' },
    userParams: undefined,
    methodParams: z.strictObject({ id: methodId }),
    whose: 'your',
    target: (ctx) => ctx.principal!.userId,
  };
  const anyone: Mount = {
    base: '/api/v1/users/{user}',
    opPrefix: 'User',
    tag: 'Notifications (admin)',
    read: { role: 'admin' },
    write: { role: 'admin' },
    userParams: z.strictObject({ user: refParam }),
    methodParams: z.strictObject({ user: refParam, id: methodId }),
    whose: 'a person’s',
    target: (ctx) => ctx.params.user!,
  };
  return [...mountRoutes(notify, own), ...mountRoutes(notify, anyone)];
}

const acting = (ctx: { actor: Actor; principal: Principal | null }) => ({ actor: ctx.actor, principal: ctx.principal });

function mountRoutes(notify: NotifyService, m: Mount): AnyRoute[] {
  const methods = `${m.base}/contact-methods`;
  const one = `${methods}/{id}`;
  return [
    defineRoute({
      method: 'GET', path: methods, operationId: `list${m.opPrefix}ContactMethods`, summary: `List ${m.whose} contact methods`, tag: m.tag,
      auth: m.read, params: m.userParams, success: { status: 200, schema: listOf(contactMethodSchema) }, errors: ['NOT_FOUND'],
      handler: async (ctx) => ({ items: await notify.list(acting(ctx), m.target(ctx)) }),
    }),
    defineRoute({
      method: 'POST', path: methods, operationId: `create${m.opPrefix}ContactMethod`, summary: `Add a contact method (${m.whose}); it must be verified before it receives pages`, tag: m.tag,
      description: 'The `address` depends on `type`: an email address; an E.164 phone number (`+14155550100`) for sms and voice; the `PushSubscription.toJSON()` object for push; a Slack member ID; a Teams object ID or user principal name; a Mattermost username or user ID; an https URL for a webhook.',
      auth: m.write, params: m.userParams, body: createContactMethodBody, success: { status: 201, schema: contactMethodSchema }, errors: ['NOT_FOUND', 'CONFLICT', 'RULE_VIOLATION'],
      handler: async (ctx) => notify.create(acting(ctx), m.target(ctx), ctx.body),
    }),
    defineRoute({
      method: 'POST', path: `${methods}/defaults`, operationId: `apply${m.opPrefix}NotificationDefaults`, summary: `Add an email method from the account email and default rules (${m.whose})`, tag: m.tag,
      description: 'Adds an (unverified) email contact method for the account email unless one exists, and default notification rules for each urgency that has none. Rules already set are kept.',
      auth: m.write, params: m.userParams, success: { status: 200, schema: defaultsAppliedSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async (ctx) => notify.applyDefaults(acting(ctx), m.target(ctx)),
    }),
    defineRoute({
      method: 'PATCH', path: one, operationId: `update${m.opPrefix}ContactMethod`, summary: `Change a contact method’s label or address (${m.whose}); a new address must be verified again`, tag: m.tag,
      auth: m.write, params: m.methodParams, body: updateContactMethodBody, success: { status: 200, schema: contactMethodSchema }, errors: ['NOT_FOUND', 'CONFLICT'],
      handler: async (ctx) => notify.update(acting(ctx), m.target(ctx), ctx.params.id, ctx.body),
    }),
    defineRoute({
      method: 'DELETE', path: one, operationId: `delete${m.opPrefix}ContactMethod`, summary: `Remove a contact method and the notification rules that use it (${m.whose})`, tag: m.tag,
      auth: m.write, params: m.methodParams, success: { status: 204, schema: null }, errors: ['NOT_FOUND'],
      handler: async (ctx) => notify.remove(acting(ctx), m.target(ctx), ctx.params.id),
    }),
    defineRoute({
      method: 'POST', path: `${one}/verification`, operationId: `send${m.opPrefix}VerificationCode`, summary: `Send a 6-digit verification code through the contact method (${m.whose})`, tag: m.tag,
      description: 'The code lasts 15 minutes and allows 5 attempts; asking again replaces it (at most once a minute). Answers 422 RULE_VIOLATION with `details.reason` CHANNEL_NOT_CONFIGURED when this instance cannot deliver to this type of method.',
      auth: m.write, params: m.methodParams, success: { status: 202, schema: verificationSentSchema }, errors: ['NOT_FOUND', 'CONFLICT', 'RULE_VIOLATION', 'RATE_LIMITED'],
      handler: async (ctx) => notify.sendVerification(acting(ctx), m.target(ctx), ctx.params.id),
    }),
    defineRoute({
      method: 'POST', path: `${one}/verify`, operationId: `verify${m.opPrefix}ContactMethod`, summary: `Enter the verification code (${m.whose})`, tag: m.tag,
      description: 'A wrong or expired code answers 400 VALIDATION_FAILED naming `body.code`; after 5 attempts the code stops working (422 RULE_VIOLATION) and a new one must be sent.',
      auth: m.write, params: m.methodParams, body: verifyContactMethodBody, success: { status: 200, schema: contactMethodSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async (ctx) => notify.verify(acting(ctx), m.target(ctx), ctx.params.id, ctx.body.code),
    }),
    defineRoute({
      method: 'POST', path: `${one}/test`, operationId: `send${m.opPrefix}TestNotification`, summary: `Send a test notification to a verified contact method (${m.whose})`, tag: m.tag,
      auth: m.write, params: m.methodParams, success: { status: 202, schema: testNotificationSchema }, errors: ['NOT_FOUND', 'RULE_VIOLATION'],
      handler: async (ctx) => notify.sendTest(acting(ctx), m.target(ctx), ctx.params.id),
    }),
    defineRoute({
      method: 'GET', path: `${m.base}/notification-rules`, operationId: `get${m.opPrefix}NotificationRules`, summary: `Get ${m.whose} notification rules for high and low urgency`, tag: m.tag,
      auth: m.read, params: m.userParams, success: { status: 200, schema: notificationRulesSchema }, errors: ['NOT_FOUND'],
      handler: async (ctx) => notify.getRules(acting(ctx), m.target(ctx)),
    }),
    defineRoute({
      method: 'PUT', path: `${m.base}/notification-rules`, operationId: `replace${m.opPrefix}NotificationRules`, summary: `Replace ${m.whose} notification rules for both urgencies`, tag: m.tag,
      description: 'Each rule reads “after `delayMinutes` minutes, notify via `contactMethodId`”. Every method must be the person’s own; unverified ones are accepted, flagged `verified: false` and skipped when paging.',
      auth: m.write, params: m.userParams, body: putNotificationRulesBody, success: { status: 200, schema: notificationRulesSchema }, errors: ['NOT_FOUND'],
      handler: async (ctx) => notify.replaceRules(acting(ctx), m.target(ctx), ctx.body),
    }),
    defineRoute({
      method: 'GET', path: `${m.base}/notification-settings`, operationId: `get${m.opPrefix}NotificationSettings`, summary: `Get ${m.whose} quiet hours and handoff notification settings`, tag: m.tag,
      auth: m.read, params: m.userParams, success: { status: 200, schema: notificationSettingsSchema }, errors: ['NOT_FOUND'],
      handler: async (ctx) => notify.getSettings(acting(ctx), m.target(ctx)),
    }),
    defineRoute({
      method: 'PUT', path: `${m.base}/notification-settings`, operationId: `put${m.opPrefix}NotificationSettings`, summary: `Set ${m.whose} quiet hours and handoff notifications`, tag: m.tag,
      auth: m.write, params: m.userParams, body: notificationSettingsBody, success: { status: 200, schema: notificationSettingsSchema }, errors: ['NOT_FOUND'],
      handler: async (ctx) => notify.putSettings(acting(ctx), m.target(ctx), ctx.body),
    }),
  ];
}
