// The JavaScript client (clients/js) against the real services, in node (no browser): what its own suite can only
// play with a stand-in — topic subscriptions settled by chat-service's answers (FORBIDDEN, subscribed, a withdrawn
// grant that is not subscribed again after a reconnect), /ws/notify, and a revoked token that stops the client.
// Node's own WebSocket (BrowserIT sets NODE_OPTIONS for Node 20). Every step waits on a condition, never on time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ParleyClient, ParleyNotifyClient } from '../../js/parley-client.js';
import { CHAT_URL, AUTH_URL, RUN, WAIT_MS } from '../lib/harness.mjs';

const ADMIN_KEY = process.env.PARLEY_ADMIN_KEY;
const PASSWORD = 'correct horse battery';
const WS_URL = CHAT_URL.replace(/^http/, 'ws');

let ann;      // { id, username, accessToken }
let app;      // { appId, token }
const clients = [];

/** A WebSocket that remembers what the client sent on it (frames parsed), one list per socket. */
const sockets = [];
class RecordingWebSocket extends globalThis.WebSocket {
  constructor(url) {
    super(url);
    this.sentFrames = [];
    sockets.push(this);
  }

  send(data) {
    this.sentFrames.push(JSON.parse(data));
    super.send(data);
  }
}

async function rest(method, url, { token, headers = {}, body, expect } = {}) {
  const response = await fetch(url, {
    method,
    headers: { ...headers, ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (expect !== undefined) assert.equal(response.status, expect, `${method} ${url}: ${text}`);
  else assert.ok(response.ok, `${method} ${url}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function signIn(username, deviceId) {
  return rest('POST', `${AUTH_URL}/api/v1/sessions`, { body: { username, password: PASSWORD, deviceId } });
}

/** Resolves with the first value of the client's `type` event that passes `accept`; fails after WAIT_MS. */
function next(client, type, accept = () => true) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no '${type}' event within ${WAIT_MS} ms`)); }, WAIT_MS);
    const off = client.on(type, (value) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

/** The promise, or a failure naming `what` if it has not settled within WAIT_MS (a client that never stops). */
function within(promise, what) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not within ${WAIT_MS} ms`)), WAIT_MS); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function chatClient(token, options = {}) {
  const client = new ParleyClient({ url: `${WS_URL}/ws/chat`, token, WebSocket: RecordingWebSocket, ...options });
  clients.push(client);
  return client;
}

before(async () => {
  assert.ok(ADMIN_KEY, 'PARLEY_ADMIN_KEY is not set: run through BrowserIT (mvn)');
  assert.equal(typeof globalThis.WebSocket, 'function', 'no WebSocket in this node: Node 20 needs --experimental-websocket');
  const username = `ann.${RUN}`;
  const user = await rest('POST', `${AUTH_URL}/api/v1/users`, { body: { username, password: PASSWORD } });
  ann = { id: Number(user.id), username, accessToken: (await signIn(username, 'node-1')).accessToken };
  const created = await rest('POST', `${AUTH_URL}/api/v1/apps`, { headers: { 'X-Admin-Key': ADMIN_KEY }, body: { name: `live ${RUN}` } });
  const minted = await rest('POST', `${AUTH_URL}/api/v1/apps/${created.appId}/tokens`, { headers: { 'X-Api-Key': created.apiKey } });
  app = { appId: created.appId, token: minted.accessToken };
});

after(() => { while (clients.length) clients.pop().close(); });

test('subscribe(): FORBIDDEN without access, subscribed once granted, and a withdrawn grant is not asked again after a reconnect', async () => {
  const client = chatClient(ann.accessToken);
  await within(client.connect(), 'connecting');

  const refused = client.subscribe(app.appId, ['news']);
  await assert.rejects(within(refused.ready, 'the refused subscription'), (e) => e.code === 'FORBIDDEN');
  assert.equal(refused.state, 'refused');

  await rest('POST', `${CHAT_URL}/api/v1/apps/${app.appId}/grants`, { token: app.token, body: { users: [ann.id] }, expect: 204 });
  const granted = client.subscribe(app.appId, ['news', 'prices']);
  const answer = await within(granted.ready, 'the granted subscription');
  assert.deepEqual([...answer.topics].sort(), ['news', 'prices']);

  const publication = next(client, 'publication', (p) => p.topic === 'news');
  await rest('POST', `${CHAT_URL}/api/v1/apps/${app.appId}/topics/news/publications`, { token: app.token, body: { data: 'hello' }, expect: 202 });
  assert.equal((await publication).data, 'hello');

  const withdrawn = next(client, 'unsubscribed', (f) => f.reason === 'FORBIDDEN');
  await rest('DELETE', `${CHAT_URL}/api/v1/apps/${app.appId}/grants/${ann.id}`, { token: app.token, expect: 204 });
  assert.deepEqual([...(await withdrawn).topics].sort(), ['news', 'prices']);
  assert.equal(granted.state, 'withdrawn');

  // a reconnect (the client's socket closed under it): it resumes, and asks for none of the withdrawn topics
  const before = sockets.length;
  const resumed = next(client, 'synced');
  sockets.at(-1).close(4000, 'test: reconnect');
  await resumed;
  assert.equal(sockets.length, before + 1);
  assert.deepEqual(sockets.at(-1).sentFrames.filter((f) => f.type === 'subscribe'), []);
  client.close();
});

test('ParleyNotifyClient: a notification arrives once and, acknowledged, is not sent again to a new connection', async () => {
  await rest('POST', `${CHAT_URL}/api/v1/apps/${app.appId}/grants`, { token: app.token, body: { users: [ann.id] }, expect: 204 });
  const post = (id, title) => rest('POST', `${CHAT_URL}/api/v1/apps/${app.appId}/notifications`,
    { token: app.token, body: { id, users: [ann.id], title, body: `${title} body`, data: { n: title } }, expect: 202 });

  const first = new ParleyNotifyClient({ url: `${WS_URL}/ws/notify`, token: ann.accessToken, WebSocket: RecordingWebSocket });
  clients.push(first);
  await first.connect();
  const arrived = next(first, 'notification', (n) => n.title === 'first');
  await post(`first-${RUN}`, 'first');
  const note = await arrived;
  assert.deepEqual(note.data, { n: 'first' });
  const socket = sockets.at(-1);
  await new Promise((resolve, reject) => { // the coalesced ack goes out within ackDelayMs: wait for it
    const deadline = Date.now() + WAIT_MS;
    const look = () => {
      if (socket.sentFrames.some((f) => f.type === 'ack' && f.seq === note.seq)) resolve();
      else if (Date.now() > deadline) reject(new Error('no ack for the notification'));
      else setTimeout(look, 10);
    };
    look();
  });
  first.close();

  const second = new ParleyNotifyClient({ url: `${WS_URL}/ws/notify`, token: ann.accessToken, WebSocket: RecordingWebSocket });
  clients.push(second);
  const seen = [];
  second.on('notification', (n) => seen.push(n.title));
  await second.connect();
  const later = next(second, 'notification', (n) => n.title === 'second');
  await post(`second-${RUN}`, 'second');
  await later;
  assert.deepEqual(seen, ['second'], 'the acknowledged one came not again');
  second.close();
});

test('a revoked token: the client stops after one refused upgrade, with state closed 401', async () => {
  const session = await signIn(ann.username, 'node-2');
  await rest('DELETE', `${AUTH_URL}/api/v1/sessions/current`, { token: session.accessToken, expect: 204 });
  // revocation reaches chat-service within 1 s: wait until its REST side refuses the token too
  const deadline = Date.now() + WAIT_MS;
  while ((await fetch(`${CHAT_URL}/api/v1/conversations`, { headers: { Authorization: `Bearer ${session.accessToken}` } })).status !== 401) {
    assert.ok(Date.now() < deadline, 'chat-service never refused the revoked token');
    await new Promise((r) => setTimeout(r, 50));
  }
  const client = chatClient(session.accessToken, { backoff: { initialMs: 50, maxMs: 100 } });
  const states = [];
  client.on('state', (s) => states.push(s));
  const before = sockets.length;
  await assert.rejects(within(client.connect(), 'the client stopping'), (e) => e.code === 'CLOSED');
  assert.equal(states.at(-1).state, 'closed');
  assert.equal(states.at(-1).code, 401);
  assert.equal(sockets.length, before + 1, 'one attempt, no retries');
});
