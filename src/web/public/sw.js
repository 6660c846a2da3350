// Firebreak's service worker: shows what the server pushes (Web Push, RFC 8030) as notifications, and
// acknowledges or resolves an alert from the notification's buttons without opening the app.
//
// It is served as-is from the site root (Vite copies src/web/public), so its scope is the whole app.
// It caches nothing: the app needs the server to be useful, and a stale cached app during an
// incident would be worse than an honest "cannot reach Firebreak".
//
// The payload (src/server/modules/providers/webpush/webpush.channel.ts, `PushPayload`):
//   { subject, body, url, kind, alertNumber, tag, actions: { acknowledge, resolve } | null, test, shadow }
// `actions` are the person's own signed one-click links: POST /a/<token> acts as them, once, with no
// cookie or CSRF token (the token is the credential), so a worker can use them as they are.

/* global self -- the ServiceWorkerGlobalScope */

// PNG: some platforms (Android's notification shade, older Safari) draw no SVG notification icons.
const ICON = '/icon-192.png';
// The small monochrome badge Android shows in the status bar: white on transparent.
const BADGE = '/badge-96.png';

self.addEventListener('install', () => {
  // A new version takes over at once: there is no cache whose versions could be mixed.
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

/** The pushed message, or a plain one when the payload is missing or not ours. */
function readPayload(data) {
  const fallback = { subject: 'Firebreak', body: '', url: '/', kind: 'notification', alertNumber: null, tag: null, actions: null, test: false, shadow: false };
  if (!data) return fallback;
  try {
    const parsed = data.json();
    return parsed && typeof parsed === 'object' ? { ...fallback, ...parsed } : fallback;
  } catch {
    return { ...fallback, body: data.text() };
  }
}

self.addEventListener('push', (event) => {
  const message = readPayload(event.data);
  // A real page stays on screen until the person answers it and rings again when it replaces an
  // earlier notification about the same alert; drills and shadow copies do not.
  const urgent = message.kind === 'page' && !message.test && !message.shadow;
  const options = {
    body: message.body,
    icon: ICON,
    badge: BADGE,
    data: { url: message.url || '/', actions: message.actions, tag: message.tag, alertNumber: message.alertNumber },
    requireInteraction: urgent,
    actions: message.actions
      ? [
          { action: 'acknowledge', title: 'Acknowledge' },
          { action: 'resolve', title: 'Resolve' },
        ]
      : [],
  };
  if (message.tag) {
    options.tag = message.tag;
    options.renotify = urgent; // renotify needs a tag
  }
  // Browsers require every push to show a notification (userVisibleOnly): always show one.
  event.waitUntil(self.registration.showNotification(message.subject || 'Firebreak', options));
});

self.addEventListener('notificationclick', (event) => {
  const notification = event.notification;
  const data = notification.data || {};
  notification.close();
  if (event.action === 'acknowledge' || event.action === 'resolve') {
    event.waitUntil(act(event.action, data));
  } else {
    event.waitUntil(openPage(data.url || '/'));
  }
});

const VERBS = { acknowledge: 'Acknowledge', resolve: 'Resolve' };

/**
 * POSTs the signed link and shows the outcome in place of the page's notification (same tag). The
 * server answers an HTML page whose first paragraph says what happened (acknowledged, already
 * resolved, link used or expired); its status says whether it worked.
 */
async function act(action, data) {
  const link = data.actions && data.actions[action];
  const what = data.alertNumber ? `alert #${data.alertNumber}` : 'the alert';
  if (!link) return openPage(data.url || '/');
  // A link on another origin (Firebreak's public URL differs from where this app was installed)
  // would act but hide its answer behind CORS: open its confirmation page instead.
  if (new URL(link).origin !== self.location.origin) return self.clients.openWindow(link);
  let response;
  try {
    // Browsers end a worker that runs too long: give up well before, and say so.
    response = await fetch(link, { method: 'POST', credentials: 'omit', redirect: 'error', cache: 'no-store', signal: AbortSignal.timeout(15_000) });
  } catch {
    // Offline or timed out: most likely the link was not used, so the person can act from the alert page.
    return showOutcome(`Could not ${action} ${what}`, 'Firebreak could not be reached from here. Tap to open the alert and try again.', data, data.url || link);
  }
  const text = firstParagraph(await response.text().catch(() => ''));
  if (response.ok) return showOutcome(`${VERBS[action]}d ${what}`, text || `Done: ${what} is ${action}d.`, data, data.url);
  return showOutcome(`${VERBS[action]} did not go through`, text || `Firebreak answered ${response.status}. Tap to open the alert.`, data, data.url);
}

function showOutcome(title, body, data, url) {
  const options = { body, icon: ICON, badge: BADGE, data: { url: url || '/', actions: null, tag: data.tag, alertNumber: data.alertNumber }, requireInteraction: false };
  if (data.tag) options.tag = data.tag;
  return self.registration.showNotification(title, options);
}

/** The text of the first <p> of the server's outcome page (it escapes what it writes). */
function firstParagraph(html) {
  const match = /<p>([\s\S]*?)<\/p>/.exec(html);
  if (!match) return '';
  const entities = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
  return match[1].replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#39);/g, (e) => entities[e]).trim();
}

/** Focuses a window of the app already showing the page, or navigates one, or opens a new one. */
async function openPage(url) {
  const target = new URL(url, self.location.origin);
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const client of windows) {
    if (client.url === target.href && 'focus' in client) return client.focus();
  }
  const sameOrigin = target.origin === self.location.origin;
  const existing = windows.find((client) => new URL(client.url).origin === self.location.origin);
  if (sameOrigin && existing && 'navigate' in existing) {
    const navigated = await existing.navigate(target.href).catch(() => null);
    if (navigated) return navigated.focus();
  }
  return self.clients.openWindow(target.href);
}
