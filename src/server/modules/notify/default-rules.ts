import type { ContactMethodType, NotificationRuleInput, Urgency } from '../../../contracts/notify.js';

/**
 * When each type of method is used by default, in minutes after a notification starts; absent: not
 * used for that urgency. High urgency reaches for every silent channel at once, then rings the phone:
 * SMS after 1 minute, a call after 3. Low urgency never rings a phone.
 */
const DEFAULT_DELAYS: Record<Urgency, Partial<Record<ContactMethodType, number>>> = {
  high: { push: 0, email: 0, slack: 0, teams: 0, mattermost: 0, webhook: 0, sms: 1, voice: 3 },
  low: { push: 0, email: 0, slack: 0, teams: 0, mattermost: 0 },
};

/**
 * Default notification rules for a person's contact methods, in order of delay (methods of equal
 * delay keep the order given). Pure.
 *
 * @example
 *   defaultRules([{ id: 'm1', type: 'email' }])
 *   // { high: [{ delayMinutes: 0, contactMethodId: 'm1' }], low: [{ delayMinutes: 0, contactMethodId: 'm1' }] }
 */
export function defaultRules(methods: readonly { id: string; type: ContactMethodType }[]): Record<Urgency, NotificationRuleInput[]> {
  const build = (urgency: Urgency) =>
    methods
      .flatMap((m) => {
        const delay = DEFAULT_DELAYS[urgency][m.type];
        return delay === undefined ? [] : [{ delayMinutes: delay, contactMethodId: m.id }];
      })
      .sort((a, b) => a.delayMinutes - b.delayMinutes);
  return { high: build('high'), low: build('low') };
}
