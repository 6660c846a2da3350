import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateContactMethodBody } from '../../../contracts/notify.js';
import { api, isApiError } from '../../api/client.js';
import { FormAlert } from '../../ui/field.js';
import { Section } from '../../ui/page.js';
import { contactMethodsApi, contactMethodsQuery, notificationRulesQuery } from './contact-methods.api.js';

/** `GET /api/v1/push/config`: the VAPID public key, or null when no web push provider is enabled. */
export const pushConfigQuery = {
  queryKey: ['push-config'] as const,
  queryFn: () => api.get<{ publicKey: string | null }>('/push/config'),
};

/** Whether this browser can receive Web Push at all (iOS only inside the installed app). */
export function pushSupported(): boolean {
  return typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** The VAPID key as `applicationServerKey` takes it: the raw bytes of the base64url text. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const binary = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function sameKey(current: ArrayBuffer | null, wanted: Uint8Array): boolean {
  if (!current) return false;
  const have = new Uint8Array(current);
  return have.length === wanted.length && have.every((b, i) => b === wanted[i]);
}

/** A label that tells devices apart in the list: "Push · Firefox on Android". */
function deviceLabel(): string {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : '';
  return `Push · ${browser}${os ? ` on ${os}` : ''}`;
}

class PushSetupError extends Error {}

/**
 * Asks for permission, subscribes this browser with the instance's VAPID key, adds the subscription
 * as a push contact method and sends its verification code (which arrives as a push notification).
 * Returns what happened, for the notice.
 */
async function enablePush(publicKey: string): Promise<'added' | 'already'> {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') {
    throw new PushSetupError(
      permission === 'denied'
        ? 'Notifications are blocked for Firebreak in this browser. Allow them in the site settings (the icon beside the address), then try again.'
        : 'Firebreak needs permission to show notifications; try again and choose Allow.',
    );
  }
  const registration = (await navigator.serviceWorker.getRegistration('/')) ?? (await navigator.serviceWorker.register('/sw.js'));
  await navigator.serviceWorker.ready;
  const applicationServerKey = keyBytes(publicKey);
  let subscription = await registration.pushManager.getSubscription();
  // A subscription made with other VAPID keys (they were changed) cannot receive Firebreak's pushes.
  if (subscription && !sameKey(subscription.options.applicationServerKey, applicationServerKey)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
  const address = subscription.toJSON() as Extract<CreateContactMethodBody, { type: 'push' }>['address'];
  try {
    const method = await contactMethodsApi.create({ type: 'push', address, label: deviceLabel() });
    await contactMethodsApi.sendCode(method.id);
    return 'added';
  } catch (error) {
    if (isApiError(error, 'CONFLICT')) return 'already';
    throw error;
  }
}

/**
 * "Enable push on this device": pages arrive as notifications with Acknowledge and Resolve buttons
 * (public/sw.js). Explains instead when the browser cannot receive push or the instance has no web
 * push provider.
 */
export function PushDeviceSetup() {
  const queryClient = useQueryClient();
  const supported = pushSupported();
  const config = useQuery({ ...pushConfigQuery, enabled: supported });
  const enable = useMutation({
    mutationFn: enablePush,
    onSettled: () =>
      Promise.all([queryClient.invalidateQueries({ queryKey: contactMethodsQuery.queryKey }), queryClient.invalidateQueries({ queryKey: notificationRulesQuery.queryKey })]),
  });

  let content;
  if (!supported) {
    content = (
      <p className="muted">
        This browser cannot receive push notifications. On an iPhone or iPad, add Firebreak to the Home Screen (Share → Add to Home Screen) and open it from there;
        elsewhere use a current Chrome, Edge, Firefox or Safari.
      </p>
    );
  } else if (config.isPending) {
    content = null;
  } else if (config.isError || config.data.publicKey === null) {
    content = <p className="muted">Push notifications are not set up on this Firebreak instance: an admin must add a Web push (VAPID) notification provider.</p>;
  } else {
    const publicKey = config.data.publicKey;
    content = (
      <>
        <p className="muted">
          Get pages on this device as notifications, with Acknowledge and Resolve buttons. Firebreak sends a code as a first notification: enter it in the new row above to
          verify this device.
        </p>
        {enable.error instanceof PushSetupError ? (
          <div className="alert alert-error" role="alert">
            <p>{enable.error.message}</p>
          </div>
        ) : (
          <FormAlert error={enable.error} />
        )}
        {enable.isSuccess && (
          <p className="alert alert-info" role="status">
            {enable.data === 'added' ? 'Push is enabled on this device. Enter the code from the notification to verify it.' : 'This device is already one of your contact methods (above); verify it there if it is not verified yet.'}
          </p>
        )}
        <button type="button" className="button" onClick={() => enable.mutate(publicKey)} disabled={enable.isPending}>
          {enable.isPending ? 'Enabling…' : 'Enable push on this device'}
        </button>
      </>
    );
  }

  return (
    <Section title="Push on this device" description="Pages as notifications on this phone or computer, from the Firebreak app.">
      {content}
    </Section>
  );
}
