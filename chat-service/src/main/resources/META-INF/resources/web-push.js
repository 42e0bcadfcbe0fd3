// Browser notifications through Web Push: the page's offer (a header button), the subscription with the
// deployment's VAPID key, its registration at notify-service (PUT /api/v1/push/devices/current, provider webpush),
// and the conversation a clicked notification asks to open (push-sw.js).
//
// Permission is asked only when the user clicks the button: browsers ignore (or penalise) a prompt no gesture asked
// for. A browser that already granted it is registered again silently on every sign-in, so the device stays
// registered for its new session (sign-out removes the registration at notify-service).

const WORKER = '/push-sw.js';
const OPEN_CONVERSATION = 'parley.open-conversation';

export const webPushSupported = () => window.isSecureContext && 'serviceWorker' in navigator && 'PushManager' in window
  && 'Notification' in window;

/** The VAPID key (base64url) as the bytes pushManager.subscribe takes. */
export function keyBytes(base64url) {
  const text = atob(base64url.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(base64url.length / 4) * 4, '='));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

const sameKey = (a, b) => a && b && a.byteLength === b.byteLength && new Uint8Array(a).every((x, i) => x === b[i]);

/** This browser's subscription for the key: the one it has, or a new one (one made with another key is replaced). */
async function subscription(vapidPublicKey) {
  const registration = await navigator.serviceWorker.register(WORKER);
  await navigator.serviceWorker.ready;
  const key = keyBytes(vapidPublicKey);
  let current = await registration.pushManager.getSubscription();
  if (current && !sameKey(current.options?.applicationServerKey, key)) {
    await current.unsubscribe();
    current = null;
  }
  return current ?? registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
}

/** The user asked for notifications: permission, subscription, registration. Resolves with the permission. */
export async function enableWebPush(vapidPublicKey, register) {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission;
  await register((await subscription(vapidPublicKey)).toJSON());
  return permission;
}

/** After sign-in: if notifications were turned on in this browser, register the subscription for this session. */
export async function renewWebPush(vapidPublicKey, register) {
  if (Notification.permission !== 'granted') return false;
  const registration = await navigator.serviceWorker.getRegistration(WORKER);
  if (!registration) return false;
  await register((await subscription(vapidPublicKey)).toJSON());
  return true;
}

/** The conversation named in the address (`#conversation=<id>`: a notification clicked while no tab was open). */
export function conversationInAddress(hash = location.hash) {
  const match = /^#conversation=([^&]+)$/.exec(hash);
  return match ? decodeURIComponent(match[1]) : null;
}

/** Calls `open(conversation)` when the service worker says a notification for it was clicked. */
export function onNotificationClick(open) {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data?.type === OPEN_CONVERSATION && typeof event.data.conversation === 'string') open(event.data.conversation);
  });
  navigator.serviceWorker.startMessages();
}
