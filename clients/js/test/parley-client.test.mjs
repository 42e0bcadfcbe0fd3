import { describe, it, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { ParleyClient, ParleyError, CloseCodes } from '../parley-client.js';

import { fakeWebSocket } from '../test-support/fake-websocket.mjs';

/** A message frame as chat-service sends it. */
function message(conversation, seq, extra = {}) {
  return {
    type: 'message',
    id: `2026010112000000000000000${String(seq).padStart(9, '0')}`.slice(-34) + (extra.idSuffix ?? ''),
    conversation, seq, from: 2, to: { user: 1 }, body: `hello ${seq}`, kind: 'text', ts: 1_700_000_000_000 + seq,
    ...extra,
  };
}

/** A localStorage-like store. */
function memoryStorage() {
  const map = new Map();
  return {
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => map.set(k, String(v)),
    removeItem: (k) => map.delete(k),
  };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** Resolves once condition() is true (checked every millisecond), fails after 2 s. */
async function until(condition, what) {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await tick(1);
  }
}

const clients = [];

/**
 * A client on a fake WebSocket, with fast back-off so reconnect tests run in milliseconds. The stand-in is no HTTP
 * server, so nobody answers the question "was the token refused?" (authCheck) unless a test plays that part too.
 */
function setup(options = {}) {
  const fake = fakeWebSocket();
  const client = new ParleyClient({
    url: 'ws://chat.test/ws/chat', token: 'T0K/EN', WebSocket: fake.WebSocket,
    backoff: { initialMs: 5, maxMs: 40 }, random: () => 0.5, authCheck: false, ...options,
  });
  clients.push(client);
  const states = [];
  client.on('state', (s) => states.push(s));
  return { fake, client, states };
}

/** Connects and answers the first sync, as the server would. */
async function connected(options) {
  const t = setup(options);
  const ready = t.client.connect();
  const ws = await t.fake.socket(0);
  ws.accept();
  await ready;
  ws.deliver({ type: 'synced' });
  return { ...t, ws };
}

afterEach(() => {
  while (clients.length) clients.pop().close();
  mock.timers.reset(); // after close(): the clients' ack timers may be mocked ones
});

/** From here on setTimeout is the test's clock (mock.timers.tick); the heartbeat's setInterval stays real. */
function fakeTimers() {
  mock.timers.enable({ apis: ['setTimeout'] });
  return (ms) => mock.timers.tick(ms);
}

describe('token renewal', () => {
  it('presents a fresh token from the token function when the server says the current one is expiring', async () => {
    let issued = 0;
    const { ws, client } = await connected({ token: async () => `T${++issued}` });
    const notices = [];
    client.on('expiring', (f) => notices.push(f.exp));
    ws.deliver({ type: 'expiring', exp: 1_900_000_000 });
    await tick();
    assert.deepEqual(notices, [1_900_000_000]);
    assert.deepEqual(ws.frames('token'), [{ type: 'token', token: 'T2' }]); // T1 opened the connection
  });

  it('sends nothing with a fixed token: the server ends the connection at expiry', async () => {
    const { ws } = await connected();
    ws.deliver({ type: 'expiring', exp: 1_900_000_000 });
    await tick();
    assert.deepEqual(ws.frames('token'), []);
  });
});

describe('connecting', () => {
  it('puts the token in the access_token parameter and syncs on open', async () => {
    const { ws } = await connected();
    assert.equal(ws.url, 'ws://chat.test/ws/chat?access_token=T0K%2FEN');
    assert.deepEqual(ws.sent[0], { type: 'sync', cursors: {} });
  });

  it('asks a token function for a fresh token on every attempt', async () => {
    let n = 0;
    const { fake, client } = setup({ token: async () => `t${++n}` });
    client.connect();
    (await fake.socket(0)).drop(4000);
    assert.match((await fake.socket(1)).url, /access_token=t2$/);
  });

  it('refuses to start without a WebSocket constructor', () => {
    assert.throws(() => new ParleyClient({ url: 'ws://x', token: 't', WebSocket: null }), /no WebSocket/);
  });
});

describe('receiving', () => {
  it('with ackDelayMs 0, acknowledges every message at once with its conversation and seq', async () => {
    const { ws, client } = await connected({ ackDelayMs: 0 });
    const got = [];
    client.on('message', (m) => got.push(m.seq));
    for (const seq of [1, 2, 3]) ws.deliver(message('d:1:2', seq));
    assert.deepEqual(got, [1, 2, 3]);
    assert.deepEqual(ws.frames('ack'), [1, 2, 3].map((seq) => ({ type: 'ack', conversation: 'd:1:2', seq })));
  });

  it('drops duplicates by id but acknowledges them again (the first ack may have been lost)', async () => {
    const { ws, client } = await connected({ ackDelayMs: 0 });
    const got = [];
    client.on('message', (m) => got.push(m.id));
    const m = message('d:1:2', 1);
    ws.deliver(m);
    ws.deliver(m);
    ws.deliver({ ...m });
    assert.deepEqual(got, [m.id]);
    assert.equal(ws.frames('ack').length, 3);
  });

  it('detects a seq gap, syncs from the cursor, and moves the cursor once the gap is filled', async () => {
    const { ws, client } = await connected();
    const tickMs = fakeTimers();
    const gaps = [];
    client.on('gap', (g) => gaps.push(g));
    ws.deliver(message('g:team', 4));
    ws.deliver(message('g:team', 7)); // 5 and 6 missing
    assert.deepEqual(gaps, [{ conversation: 'g:team', from: 5, to: 6 }]);
    assert.deepEqual(ws.frames('sync').at(-1), { type: 'sync', cursors: { 'g:team': 4 } });
    tickMs(150);
    assert.deepEqual(ws.frames('ack'), [{ type: 'ack', conversation: 'g:team', seq: 4 }]); // not past the gap
    ws.deliver(message('g:team', 5));
    ws.deliver(message('g:team', 6));
    ws.deliver(message('g:team', 7)); // the replay of 7: a duplicate now
    ws.deliver({ type: 'synced' });
    assert.deepEqual(ws.frames('ack').at(-1), { type: 'ack', conversation: 'g:team', seq: 7 });
    assert.equal(client.cursors.get('g:team'), 7);
    assert.equal(ws.frames('sync').length, 2); // the one on open and the one for the gap
  });

  it('steps over a gap that a complete sync could not fill', async () => {
    const { ws, client } = await connected();
    ws.deliver(message('g:team', 1));
    ws.deliver(message('g:team', 3));
    ws.deliver({ type: 'synced' }); // the server had no seq 2
    assert.equal(client.cursors.get('g:team'), 3);
    assert.deepEqual(ws.frames('ack').at(-1), { type: 'ack', conversation: 'g:team', seq: 3 });
  });

  it('syncs again while the server says more', async () => {
    const { ws } = await connected();
    ws.deliver(message('d:1:2', 1));
    ws.deliver({ type: 'synced', more: true });
    assert.deepEqual(ws.frames('sync').at(-1), { type: 'sync', cursors: { 'd:1:2': 1 } });
    assert.equal(ws.frames('sync').length, 2);
  });

  it('emits other server frames by their type', async () => {
    const { ws, client } = await connected();
    const seen = [];
    client.on('typing', (f) => seen.push(f));
    ws.deliver({ type: 'typing', conversation: 'd:1:2', user: 2 });
    assert.deepEqual(seen, [{ type: 'typing', conversation: 'd:1:2', user: 2 }]);
  });
});

describe('cursors and resume', () => {
  it('syncs with its cursors after a reconnect', async () => {
    const { fake, ws, states } = await connected();
    ws.deliver(message('d:1:2', 1));
    ws.deliver(message('d:1:2', 2));
    ws.deliver(message('g:team', 10));
    ws.drop(CloseCodes.RECONNECT_ELSEWHERE, 'draining');
    assert.equal(states.at(-1).state, 'reconnecting');
    const again = await fake.socket(1);
    again.accept();
    assert.deepEqual(again.sent[0], { type: 'sync', cursors: { 'd:1:2': 2, 'g:team': 10 } });
    assert.equal(states.at(-1).state, 'connected');
  });

  it('persists cursors in the given storage and starts from them', async () => {
    const storage = memoryStorage();
    const first = await connected({ storage, storageKey: 'parley.cursors.1' });
    first.ws.deliver(message('d:1:2', 41));
    first.ws.deliver(message('d:1:2', 42));
    first.client.close();
    assert.deepEqual(JSON.parse(storage.getItem('parley.cursors.1')), { 'd:1:2': 42 });

    const second = await connected({ storage, storageKey: 'parley.cursors.1' });
    assert.deepEqual(second.ws.sent[0], { type: 'sync', cursors: { 'd:1:2': 42 } });
  });

  it('forgets the cursor of a conversation the server says it may no longer sync', async () => {
    const { ws, client } = await connected();
    ws.deliver(message('g:old', 3));
    ws.deliver({ type: 'error', code: 'FORBIDDEN', message: 'not a member of g:old; skipped', ref: 'g:old' });
    assert.equal(client.cursors.has('g:old'), false);
  });
});

describe('sending', () => {
  it('resolves send() with the sent frame and moves the cursor with it', async () => {
    const { ws, client } = await connected();
    const done = client.send({ to: { user: 2 }, body: 'hi' });
    const [frame] = ws.frames('send');
    assert.match(frame.clientMsgId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(frame, { type: 'send', clientMsgId: frame.clientMsgId, to: { user: 2 }, body: 'hi' });
    const sent = { type: 'sent', clientMsgId: frame.clientMsgId, id: 'M1', conversation: 'd:1:2', seq: 1, ts: 5 };
    ws.deliver(sent);
    assert.deepEqual(await done, sent);
    assert.equal(client.cursors.get('d:1:2'), 1);
    client.flushAcks();
    assert.deepEqual(ws.frames('ack'), [{ type: 'ack', conversation: 'd:1:2', seq: 1 }]); // we have our own message
  });

  it('resends an unanswered send after a reconnect with the same clientMsgId, and resolves once', async () => {
    const { fake, ws, client } = await connected();
    const sentEvents = [];
    client.on('sent', (s) => sentEvents.push(s));
    const done = client.send({ to: { group: 'team' }, body: 'important', kind: 'text' });
    const original = ws.frames('send')[0];
    ws.drop(1006); // lost before the server answered

    const again = await fake.socket(1);
    again.accept();
    assert.deepEqual(again.sent.map((f) => f.type), ['sync', 'send']); // resume first, then resend
    assert.deepEqual(again.frames('send')[0], original);

    const answer = { type: 'sent', clientMsgId: original.clientMsgId, id: 'M9', conversation: 'g:team', seq: 3, ts: 1 };
    again.deliver(answer);
    again.deliver(answer); // a second answer (to a second resend) changes nothing
    assert.deepEqual(await done, answer);
    assert.equal(sentEvents.length, 1);

    again.drop(1006);
    const third = await fake.socket(2);
    third.accept();
    assert.equal(third.frames('send').length, 0); // answered: never sent again
  });

  it('queues a send made while disconnected until the connection opens', async () => {
    const { fake, client } = setup();
    const done = client.send({ to: { user: 7 }, body: 'early' });
    client.connect();
    const ws = await fake.socket(0);
    ws.accept();
    const [frame] = ws.frames('send');
    ws.deliver({ type: 'sent', clientMsgId: frame.clientMsgId, id: 'M2', conversation: 'd:1:7', seq: 1, ts: 1 });
    assert.equal((await done).id, 'M2');
  });

  it('rejects a send the server refuses, and retries one it could not take right now', async () => {
    const { ws, client } = await connected();
    const bad = client.send({ to: { user: 999 }, body: 'x' });
    const badId = ws.frames('send')[0].clientMsgId;
    ws.deliver({ type: 'error', code: 'NOT_FOUND', message: 'no user 999', ref: badId });
    await assert.rejects(bad, (e) => e instanceof ParleyError && e.code === 'NOT_FOUND');

    const busy = client.send({ to: { user: 2 }, body: 'y' });
    const busyId = ws.frames('send')[1].clientMsgId;
    ws.deliver({ type: 'error', code: 'UNAVAILABLE', message: 'retry', ref: busyId });
    await tick(1100);
    assert.equal(ws.frames('send').filter((f) => f.clientMsgId === busyId).length, 2);
    ws.deliver({ type: 'sent', clientMsgId: busyId, id: 'M3', conversation: 'd:1:2', seq: 1, ts: 1 });
    assert.equal((await busy).id, 'M3');
  });
});

describe('acknowledging (coalesced: one ack per conversation per ackDelayMs)', () => {
  const ack = (conversation, seq) => ({ type: 'ack', conversation, seq });

  it('acknowledges a burst with one ack for the highest seq once ackDelayMs (150 ms) is over', async () => {
    const { ws } = await connected();
    const tickMs = fakeTimers();
    for (let seq = 1; seq <= 5; seq++) ws.deliver(message('g:team', seq));
    assert.deepEqual(ws.frames('ack'), []);
    tickMs(149);
    assert.deepEqual(ws.frames('ack'), []);
    tickMs(1);
    assert.deepEqual(ws.frames('ack'), [ack('g:team', 5)]);
    tickMs(1000);
    assert.equal(ws.frames('ack').length, 1); // nothing new: no more acks
  });

  it('starts the timer with the first unacknowledged message and does not restart it', async () => {
    const { ws } = await connected({ ackDelayMs: 100 });
    const tickMs = fakeTimers();
    ws.deliver(message('d:1:2', 1));
    tickMs(60);
    ws.deliver(message('d:1:2', 2)); // a busy conversation: no debounce that would put its ack off for ever
    tickMs(40);
    assert.deepEqual(ws.frames('ack'), [ack('d:1:2', 2)]);
    ws.deliver(message('d:1:2', 3)); // the next period starts with the next unacknowledged message
    tickMs(99);
    assert.equal(ws.frames('ack').length, 1);
    tickMs(1);
    assert.deepEqual(ws.frames('ack'), [ack('d:1:2', 2), ack('d:1:2', 3)]);
  });

  it('keeps one timer per conversation', async () => {
    const { ws } = await connected();
    const tickMs = fakeTimers();
    ws.deliver(message('d:1:2', 1));
    tickMs(100);
    ws.deliver(message('g:team', 8));
    ws.deliver(message('d:1:2', 2));
    tickMs(50);
    assert.deepEqual(ws.frames('ack'), [ack('d:1:2', 2)]);
    tickMs(100);
    assert.deepEqual(ws.frames('ack'), [ack('d:1:2', 2), ack('g:team', 8)]);
  });

  it('acknowledges its own sends the same way (they take a seq in the conversation)', async () => {
    const { ws, client } = await connected();
    const tickMs = fakeTimers();
    const done = client.send({ to: { user: 2 }, body: 'hi' });
    const [frame] = ws.frames('send');
    ws.deliver({ type: 'sent', clientMsgId: frame.clientMsgId, id: 'M1', conversation: 'd:1:2', seq: 1, ts: 5 });
    ws.deliver(message('d:1:2', 2));
    await done;
    assert.deepEqual(ws.frames('ack'), []);
    tickMs(150);
    assert.deepEqual(ws.frames('ack'), [ack('d:1:2', 2)]);
  });

  it('acknowledges again when a message comes again after its ack (a retransmission: the ack was lost)', async () => {
    const { ws } = await connected();
    const tickMs = fakeTimers();
    const m = message('d:1:2', 1);
    ws.deliver(m);
    tickMs(150);
    ws.deliver(m);
    ws.deliver(m);
    tickMs(150);
    assert.deepEqual(ws.frames('ack'), [ack('d:1:2', 1), ack('d:1:2', 1)]);
  });

  it('never acknowledges past a gap, and acknowledges at once when the sync that fills it completes', async () => {
    const { ws, client } = await connected();
    const tickMs = fakeTimers();
    ws.deliver(message('g:team', 1));
    ws.deliver(message('g:team', 4)); // 2 and 3 missing: a sync goes out
    tickMs(150);
    assert.deepEqual(ws.frames('ack'), [ack('g:team', 1)]);
    ws.deliver(message('g:team', 5));
    ws.deliver(message('g:team', 2)); // the sync's replay
    ws.deliver(message('g:team', 3));
    assert.equal(ws.frames('ack').length, 1); // the timer runs
    ws.deliver({ type: 'synced' });
    assert.deepEqual(ws.frames('ack'), [ack('g:team', 1), ack('g:team', 5)]); // flushed: no wait
    tickMs(1000);
    assert.equal(ws.frames('ack').length, 2); // the flushed timer is gone
    assert.equal(client.cursors.get('g:team'), 5);
  });

  it('acknowledges what a sync replayed as soon as it completes', async () => {
    const { fake, client } = setup();
    client.connect();
    const ws = await fake.socket(0);
    ws.accept();
    const tickMs = fakeTimers();
    for (let seq = 1; seq <= 3; seq++) ws.deliver(message('d:1:2', seq));
    for (let seq = 10; seq <= 11; seq++) ws.deliver(message('g:team', seq));
    assert.deepEqual(ws.frames('ack'), []);
    ws.deliver({ type: 'synced' });
    assert.deepEqual(ws.frames('ack'), [ack('d:1:2', 3), ack('g:team', 11)]);
    tickMs(150);
    assert.equal(ws.frames('ack').length, 2);
  });

  it('flushes due acks before close() closes the socket', async () => {
    const { ws, client } = await connected();
    fakeTimers();
    ws.deliver(message('d:1:2', 1));
    ws.deliver(message('d:1:2', 2));
    ws.deliver(message('g:team', 3));
    client.close();
    assert.deepEqual(ws.frames('ack'), [ack('d:1:2', 2), ack('g:team', 3)]); // FakeWebSocket refuses sends once closed
    assert.equal(ws.closedByClient.code, 1000);
  });

  it('flushes due acks when the page is hidden or left', async () => {
    const page = new EventTarget();
    const document = new EventTarget();
    document.visibilityState = 'visible';
    const saved = { add: globalThis.addEventListener, remove: globalThis.removeEventListener, document: globalThis.document };
    globalThis.addEventListener = page.addEventListener.bind(page);
    globalThis.removeEventListener = page.removeEventListener.bind(page);
    globalThis.document = document;
    try {
      const { ws } = await connected();
      fakeTimers();
      ws.deliver(message('d:1:2', 1));
      document.dispatchEvent(new Event('visibilitychange')); // still visible: nothing
      assert.deepEqual(ws.frames('ack'), []);
      document.visibilityState = 'hidden';
      document.dispatchEvent(new Event('visibilitychange'));
      assert.deepEqual(ws.frames('ack'), [ack('d:1:2', 1)]);
      ws.deliver(message('d:1:2', 2));
      page.dispatchEvent(new Event('pagehide'));
      assert.deepEqual(ws.frames('ack'), [ack('d:1:2', 1), ack('d:1:2', 2)]);
    } finally {
      while (clients.length) clients.pop().close(); // removes its listeners while the stand-ins are installed
      globalThis.addEventListener = saved.add;
      globalThis.removeEventListener = saved.remove;
      if (saved.document === undefined) delete globalThis.document; else globalThis.document = saved.document;
    }
  });

  it('keeps an ack due across a reconnect and sends it when the resuming sync completes (real timers)', async () => {
    const { fake, ws } = await connected({ ackDelayMs: 20 });
    ws.deliver(message('d:1:2', 1));
    ws.deliver(message('d:1:2', 2));
    ws.drop(1006); // before the timer: the connection is gone, its ack with it
    await tick(60);
    assert.deepEqual(ws.frames('ack'), []);
    const again = await fake.socket(1);
    again.accept();
    assert.deepEqual(again.sent[0], { type: 'sync', cursors: { 'd:1:2': 2 } });
    assert.deepEqual(again.frames('ack'), []);
    again.deliver({ type: 'synced' });
    assert.deepEqual(again.frames('ack'), [ack('d:1:2', 2)]);
  });

  it('sends the ack when a real timer of ackDelayMs ends', async () => {
    const { ws } = await connected({ ackDelayMs: 20 });
    for (let seq = 1; seq <= 3; seq++) ws.deliver(message('d:1:2', seq));
    assert.deepEqual(ws.frames('ack'), []);
    await tick(60); // a timer set after the client's: it fires after it, however slow the machine
    assert.deepEqual(ws.frames('ack'), [ack('d:1:2', 3)]);
  });

  it('refuses a negative ackDelayMs', () => {
    assert.throws(() => new ParleyClient({ url: 'ws://x', token: 't', WebSocket: class {}, ackDelayMs: -1 }), /ackDelayMs/);
  });
});

describe('edits, receipts, typing and topics', () => {
  it('edits and deletes like sends: resolved by sent, resent with the same clientMsgId after a reconnect', async () => {
    const { fake, ws, client } = await connected();
    const edited = client.edit({ conversation: 'd:1:2', target: 'M1', body: 'fixed' });
    const deleted = client.delete({ conversation: 'd:1:2', target: 'M1' });
    const [edit] = ws.frames('edit');
    const [del] = ws.frames('delete');
    assert.deepEqual(edit, { type: 'edit', clientMsgId: edit.clientMsgId, conversation: 'd:1:2', target: 'M1', body: 'fixed' });
    assert.deepEqual(del, { type: 'delete', clientMsgId: del.clientMsgId, conversation: 'd:1:2', target: 'M1' });
    ws.deliver({ type: 'sent', clientMsgId: edit.clientMsgId, id: 'M2', conversation: 'd:1:2', seq: 2, ts: 1 });
    assert.equal((await edited).seq, 2);
    ws.drop(1006);
    const again = await fake.socket(1);
    again.accept();
    assert.deepEqual(again.frames('delete'), [del]); // unanswered: sent again, same clientMsgId
    again.deliver({ type: 'sent', clientMsgId: del.clientMsgId, id: 'M3', conversation: 'd:1:2', seq: 3, ts: 2 });
    assert.equal((await deleted).id, 'M3');
  });

  it('sends read receipts and typing without waiting for an answer', async () => {
    const { ws, client } = await connected();
    client.read('g:team', 7);
    client.typing('g:team');
    assert.deepEqual(ws.frames('read'), [{ type: 'read', conversation: 'g:team', seq: 7 }]);
    assert.deepEqual(ws.frames('typing'), [{ type: 'typing', conversation: 'g:team' }]);
  });

  it('subscribes to topics again on every new connection, without the ones it left', async () => {
    const { fake, ws, client } = await connected();
    const publications = [];
    client.on('publication', (p) => publications.push(p));
    client.subscribe('app_1', ['prices', 'news']);
    client.unsubscribe('app_1', ['news']);
    assert.deepEqual(ws.frames('subscribe'), [{ type: 'subscribe', appId: 'app_1', topics: ['prices', 'news'] }]);
    assert.deepEqual(ws.frames('unsubscribe'), [{ type: 'unsubscribe', appId: 'app_1', topics: ['news'] }]);
    ws.deliver({ type: 'publication', appId: 'app_1', topic: 'prices', data: '42' });
    assert.equal(publications.length, 1);
    ws.drop(4006); // shed: reconnect elsewhere
    const again = await fake.socket(1);
    again.accept();
    assert.deepEqual(again.frames('subscribe'), [{ type: 'subscribe', appId: 'app_1', topics: ['prices'] }]);
  });
});

describe('read marks', () => {
  it('sends a read mark only when it moves forward (a UI may call read() on every render)', async () => {
    const { ws, client } = await connected();
    assert.equal(client.read('d:1:2', 5), true);
    assert.equal(client.read('d:1:2', 5), false);
    assert.equal(client.read('d:1:2', 3), false);
    assert.equal(client.read('d:1:2', 6), true);
    assert.equal(client.read('g:7', 1), true);
    assert.deepEqual(ws.frames('read').map((f) => [f.conversation, f.seq]), [['d:1:2', 5], ['d:1:2', 6], ['g:7', 1]]);
  });

  it('sends a read mark made while disconnected on the next connection, only the highest', async () => {
    const { fake, ws, client } = await connected();
    ws.drop(1006);
    client.read('d:1:2', 4);
    client.read('d:1:2', 9);
    assert.deepEqual(ws.frames('read'), []);
    const again = await fake.socket(1);
    again.accept();
    assert.deepEqual(again.frames('read'), [{ type: 'read', conversation: 'd:1:2', seq: 9 }]);
    again.drop(1006);
    const third = await fake.socket(2);
    third.accept();
    assert.deepEqual(third.frames('read'), []); // went out already: not repeated
  });
});

describe('browser offline', () => {
  it('drops the open socket when the browser goes offline and reconnects (and syncs) when it is back', async () => {
    const { fake, ws, client, states } = await connected();
    client.onOffline();
    assert.equal(ws.closedByClient?.code, 4000);
    assert.equal(states.at(-1).state, 'reconnecting');
    assert.equal(states.at(-1).reason, 'browser offline');
    client.onOnline();
    const again = await fake.socket(1);
    again.accept();
    assert.equal(client.state, 'connected');
    assert.equal(again.frames('sync').length, 1);
  });

  it('ignores the offline event when there is no socket (closed for good)', async () => {
    const { client, states } = await connected();
    client.close();
    const before = states.length;
    client.onOffline();
    assert.equal(states.length, before);
  });
});

describe('reconnecting', () => {
  it('does not reconnect after 4501 and rejects what is still waiting', async () => {
    const { fake, ws, client, states } = await connected();
    const waiting = client.send({ to: { user: 2 }, body: 'x' });
    ws.drop(CloseCodes.SESSION_ENDED, 'session revoked');
    await assert.rejects(waiting, (e) => e.code === 'CLOSED');
    await tick(100); // many back-off periods
    assert.equal(fake.sockets.length, 1);
    assert.deepEqual(states.at(-1), { state: 'closed', code: 4501, reason: 'session revoked' });
  });

  it('reconnects on 4000-4499 codes and on network loss', async () => {
    const { fake, ws } = await connected();
    ws.drop(CloseCodes.SLOW_CONSUMER);
    (await fake.socket(1)).drop(1006);
    (await fake.socket(2)).drop(4499);
    await fake.socket(3);
  });

  it('backs off exponentially with jitter up to the cap, and starts over once caught up', async () => {
    const { fake, client, states } = setup({ backoff: { initialMs: 4, maxMs: 40, factor: 2, jitter: 0.5 } });
    client.connect();
    for (let n = 0; n < 6; n++) (await fake.socket(n)).drop(1006); // refused every time
    const delays = states.filter((s) => s.state === 'reconnecting' && s.delayMs !== undefined).map((s) => s.delayMs);
    // base 4, 8, 16, 32, 40, 40; with random() = 0.5 each is base * (0.5 + 0.5 * 0.5)
    assert.deepEqual(delays, [3, 6, 12, 24, 30, 30]);

    const ws = await fake.socket(6);
    ws.accept();
    ws.deliver({ type: 'synced' });
    ws.drop(1006);
    assert.equal(states.at(-1).delayMs, 3);
  });

  it('jitter spreads the delays between (1 - jitter) and 1 of the base', () => {
    const low = new ParleyClient({ url: 'ws://x', token: 't', WebSocket: class {}, random: () => 0 });
    const high = new ParleyClient({ url: 'ws://x', token: 't', WebSocket: class {}, random: () => 0.999999 });
    assert.equal(low.nextDelay(3), 2000);
    assert.equal(high.nextDelay(3), 4000);
    assert.equal(high.nextDelay(30), 30000);
  });

  it('pings while connected and treats a silent connection as dead', async () => {
    // 100 ms, not less: an interval that fires more than two periods late would find the socket silent before its
    // first ping. The steps wait on conditions, not on time.
    const { fake, ws } = await connected({ heartbeatMs: 100 });
    await until(() => ws.frames('ping').length >= 1, 'a ping went out');
    ws.deliver({ type: 'pong' });
    const heard = Date.now();
    // no more answers: after two silent heartbeats the client gives up on it, and not before
    await until(() => ws.closedByClient, 'the silent socket was dropped');
    assert.equal(ws.closedByClient.reason, 'heartbeat timeout');
    assert.ok(Date.now() - heard >= 190, 'dropped only after two heartbeats without a word');
    await fake.socket(1);
  });

  it('close() stops everything', async () => {
    const { fake, ws, client, states } = await connected();
    client.close();
    assert.equal(ws.closedByClient.code, 1000);
    assert.equal(states.at(-1).state, 'closed');
    await tick(50);
    assert.equal(fake.sockets.length, 1);
  });
});
