import type { ChannelMessage } from '../../notify/channels/channel.js';

/**
 * The Adaptive Card (schema 1.4, what Teams renders) for one message: the subject (`id` `subject`), for
 * a page its service and severity, the text (`id` `text`), and buttons. Teams' Acknowledge and Resolve
 * are `Action.OpenUrl` buttons to the recipient's own signed one-click links (ADR 0023): they open the
 * confirmation page in a browser, so Firebreak needs no inbound Bot Framework endpoint and no token
 * validation for them. Shadow copies and resolved notices get only the link to the alert. Pure.
 */
export function teamsCard(message: ChannelMessage): Record<string, unknown> {
  const page = message.page;
  const body: Array<Record<string, unknown>> = [{ type: 'TextBlock', id: 'subject', text: message.subject, weight: 'Bolder', size: 'Medium', wrap: true }];
  const actions: Array<Record<string, unknown>> = [];
  if (page) {
    body.push({
      type: 'FactSet',
      facts: [
        { title: 'Service', value: page.serviceName },
        { title: 'Severity', value: page.severity },
      ],
    });
    if (page.test) body.push({ type: 'TextBlock', text: 'A test page: no one needs to act on it.', isSubtle: true, wrap: true });
    if (page.shadow) body.push({ type: 'TextBlock', text: 'You are shadowing: this copy is for your information, not yours to answer.', isSubtle: true, wrap: true });
    if (page.status === 'triggered' && !page.shadow && page.actions) {
      actions.push({ type: 'Action.OpenUrl', title: 'Acknowledge', url: page.actions.acknowledge, style: 'positive' }, { type: 'Action.OpenUrl', title: 'Resolve', url: page.actions.resolve });
    }
    actions.push({ type: 'Action.OpenUrl', title: `Open alert #${page.alertNumber}`, url: page.url });
  }
  body.push({ type: 'TextBlock', id: 'text', text: message.text, wrap: true });
  return { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.4', body, ...(actions.length > 0 ? { actions } : {}) };
}
