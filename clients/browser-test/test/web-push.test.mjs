// The chat page's browser notifications (Web Push), in Chromium against the real services: the user turns them on,
// the page subscribes with notify-service's VAPID key and registers the subscription (PUT
// /api/v1/push/devices/current) — checked by reading the user's devices back from notify-service — and a clicked
// notification opens its conversation.
//
// What is stubbed, and only that: the browser's push service. Chromium's PushManager.subscribe asks Google's push
// service for an endpoint, which a closed network (and headless Chromium) cannot reach, so an init script replaces
// PushManager.prototype.subscribe/getSubscription in the page with ones that make a real subscription's shape (a
// P-256 key made by WebCrypto, a 16-byte auth secret, an endpoint on 127.0.0.1, which the test platform's egress
// rules allow). The service worker, the permission, the page's code and notify-service are real.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPerson, scenario, saveConsoleLogs, CHAT_URL, AUTH_URL, NOTIFY_URL, RUN } from '../lib/harness.mjs';

const PASSWORD = 'correct horse battery';

let browser;
let dana;
let eve; // { id, username }: someone Dana has a conversation with
const people = () => [dana].filter(Boolean);

before(async () => {
  assert.ok(NOTIFY_URL, 'PARLEY_NOTIFY_URL is not set: run through BrowserIT (mvn), or see clients/browser-test/README.md');
  browser = await launchBrowser();
  dana = await openPerson(browser, 'dana');
  await dana.context.grantPermissions(['notifications'], { origin: CHAT_URL });
  await dana.context.addInitScript(stubPushService);
});

after(async () => {
  saveConsoleLogs(people());
  await browser?.close();
});

/** Runs in the page before its scripts: the push service stand-in (see the top of this file). */
function stubPushService() {
  if (!window.PushManager) return;
  const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const made = [];
  window.parleyPushStandIn = made; // what the page subscribed with, for the test to read
  PushManager.prototype.subscribe = async function subscribe(options) {
    const keys = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
    const json = {
      endpoint: `http://127.0.0.1:9/push-service-stand-in/${crypto.randomUUID()}`,
      expirationTime: null,
      keys: { p256dh: b64url(await crypto.subtle.exportKey('raw', keys.publicKey)), auth: b64url(crypto.getRandomValues(new Uint8Array(16))) },
    };
    const key = new Uint8Array(options.applicationServerKey);
    made.push({ userVisibleOnly: options.userVisibleOnly, applicationServerKey: b64url(key), subscription: json });
    return { endpoint: json.endpoint, options: { userVisibleOnly: true, applicationServerKey: key.buffer }, toJSON: () => json, unsubscribe: async () => true };
  };
  PushManager.prototype.getSubscription = async function getSubscription() { return null; };
}

// ---- helpers --------------------------------------------------------------------------------------------------
const tid = (id, attrs = '') => `[data-testid="${id}"]${attrs}`;
const find = (person, id, attrs = '') => person.page.locator(tid(id, attrs));
const shown = (locator) => locator.waitFor({ state: 'visible' });

async function rest(method, url, { token, body } = {}) {
  const response = await fetch(url, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${url}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// ---- the story ------------------------------------------------------------------------------------------------
scenario(test, 20, 'turn on browser notifications', people, async () => {
  eve = await rest('POST', `${AUTH_URL}/api/v1/users`, { body: { username: `eve.${RUN}`, password: PASSWORD, displayName: 'Eve Online' } });
  const { page } = dana;
  dana.username = `dana.${RUN}`;
  await page.goto(CHAT_URL + '/');
  await find(dana, 'login-server-toggle').click();
  await find(dana, 'login-auth-url').fill(AUTH_URL);
  await find(dana, 'login-notify-url').fill(NOTIFY_URL);
  await find(dana, 'login-username').fill(dana.username);
  await find(dana, 'login-password').fill(PASSWORD);
  await find(dana, 'login-remember').check();
  await find(dana, 'signup-submit').click();
  await shown(find(dana, 'conn-state', '[data-state="online"]'));
  dana.id = Number(await find(dana, 'me').getAttribute('data-user-id'));

  // offered (the deployment has a VAPID key), asked on the click, registered
  await shown(find(dana, 'push-toggle', '[data-state="off"]'));
  await find(dana, 'push-toggle').click();
  await shown(find(dana, 'push-toggle', '[data-state="on"]'));

  const { publicKey } = await rest('GET', `${NOTIFY_URL}/api/v1/push/vapid-public-key`);
  const made = await page.evaluate(() => window.parleyPushStandIn);
  assert.equal(made.length, 1, 'the page subscribed once');
  assert.equal(made[0].applicationServerKey, publicKey, 'subscribed with notify-service\'s VAPID key');
  assert.equal(made[0].userVisibleOnly, true);

  // the registration reached notify-service: Dana's devices, read with a session of her own from elsewhere
  const browserDevice = await page.evaluate(() => localStorage.getItem('parley.deviceId'));
  const login = await rest('POST', `${AUTH_URL}/api/v1/sessions`, { body: { username: dana.username, password: PASSWORD, deviceId: 'test-runner' } });
  const devices = await rest('GET', `${NOTIFY_URL}/api/v1/push/devices`, { token: login.accessToken });
  const registered = devices.find((d) => d.deviceId === browserDevice);
  assert.ok(registered, `the browser's device ${browserDevice} is registered: ${JSON.stringify(devices)}`);
  assert.equal(registered.provider, 'webpush');
  assert.match(registered.token, /127\.0\.0\.1:9/, 'redacted to the endpoint\'s origin');
  assert.equal(registered.current, false); // asked from the test runner's device
});

scenario(test, 21, 'a clicked notification opens its conversation', people, async () => {
  const cid = `d:${Math.min(dana.id, eve.id)}:${Math.max(dana.id, eve.id)}`;
  const worker = dana.context.serviceWorkers().find((w) => w.url().endsWith('/push-sw.js'))
    ?? await dana.context.waitForEvent('serviceworker', { predicate: (w) => w.url().endsWith('/push-sw.js') });
  // what the worker's notificationclick handler does with the clicked notification (a headless browser has no
  // notification to click): the open tab is told to show the conversation
  await worker.evaluate((conversation) => openConversationFor({ data: { conversation } }).then(() => true), cid);
  await shown(find(dana, 'room', `[data-conversation="${cid}"]`));
  await shown(find(dana, 'room-title').filter({ hasText: 'Eve Online' }));
});

scenario(test, 22, 'pushes are shown, one per conversation (a newer one replaces the older), silent ones not', people, async () => {
  const cid = `d:${Math.min(dana.id, eve.id)}:${Math.max(dana.id, eve.id)}`;
  const worker = dana.context.serviceWorkers().find((w) => w.url().endsWith('/push-sw.js'));
  // what the worker's push handler does with a decrypted payload of notify-service's shape (PushMessage.webPayload)
  const shown = await worker.evaluate(async (conversation) => {
    const message = (body) => ({ title: 'Message from Eve', body, tag: conversation, silent: false, data: { type: 'message', conversation } });
    await showPush(message('first'));
    await showPush(message('second'));
    await showPush({ title: 'sync', body: '', silent: true, data: { type: 'message' } });
    const notifications = await self.registration.getNotifications();
    return notifications.map((n) => ({ title: n.title, body: n.body, tag: n.tag, conversation: n.data?.conversation }));
  }, cid);
  assert.deepEqual(shown, [{ title: 'Message from Eve', body: 'second', tag: cid, conversation: cid }]);
});

scenario(test, 23, 'a notification clicked with no tab open: the new tab opens on its conversation', people, async () => {
  const cid = `d:${Math.min(dana.id, eve.id)}:${Math.max(dana.id, eve.id)}`;
  // the worker opens /#conversation=<id> (clients.openWindow); the page, signed in (kept), opens it
  await dana.page.goto('about:blank'); // as a new tab: the page starts from the beginning
  await dana.page.goto(`${CHAT_URL}/#conversation=${encodeURIComponent(cid)}`);
  await shown(find(dana, 'room', `[data-conversation="${cid}"]`));
  assert.equal(new URL(dana.page.url()).hash, '', 'the address is cleaned after opening');
});
