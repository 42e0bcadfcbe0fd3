// The chat page's service worker: shows Web Push notifications while no Parley page is open, and opens the
// conversation when one is clicked. Registered by web-push.js when the user turns notifications on.
//
// notify-service pushes one notification per device without an open connection, collapsed per conversation: its
// payload (docs/protocol.md, Push) is {"title","body","tag","badge"?,"silent","data":{"type","conversation",…}}, and
// the tag (the conversation id) makes a newer push replace the older one instead of stacking a burst.

const OPEN_CONVERSATION = 'parley.open-conversation'; // the message web-push.js listens for

self.addEventListener('install', () => self.skipWaiting()); // a new version takes over without waiting for tabs to close
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => event.waitUntil(showPush(payloadOf(event.data))));

/** The push's JSON payload; a push that is not JSON is shown as text. */
function payloadOf(data) {
  try {
    return data ? data.json() : {};
  } catch {
    return { body: data.text() };
  }
}

/** Shows what a push says; a silent (data-only) push shows nothing — the app syncs when it is opened. */
async function showPush(payload) {
  if (payload.silent) return;
  await self.registration.showNotification(payload.title || 'Parley', {
    body: payload.body || '',
    tag: payload.tag,
    renotify: Boolean(payload.tag), // a replaced notification still alerts: it is a new message
    data: payload.data || {},
  });
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(openConversationFor(event.notification));
});

/**
 * The page for a clicked notification: a Parley tab already open is asked to show the conversation (and focused);
 * otherwise a new one opens on it (`/#conversation=<id>`, which the page reads when it starts).
 */
async function openConversationFor(notification) {
  const conversation = notification.data?.conversation;
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
  if (open) {
    if (conversation) open.postMessage({ type: OPEN_CONVERSATION, conversation });
    try { await open.focus(); } catch { /* focusing needs the click's user activation; the message went anyway */ }
    return open;
  }
  const path = conversation ? `/#conversation=${encodeURIComponent(conversation)}` : '/';
  return self.clients.openWindow(new URL(path, self.location.origin).href);
}
