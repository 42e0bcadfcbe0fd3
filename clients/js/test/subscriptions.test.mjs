import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { ParleyClient, Subscription } from '../parley-client.js';
import { fakeWebSocket } from '../test-support/fake-websocket.mjs';

// subscribe() answers a Subscription whose `ready` settles with the server's answer: `subscribed`, or the `error`
// that refuses it (which carries no ref: answers come in the order of the requests). Topics the app withdrew
// (`unsubscribed` with a reason) or refused are not subscribed again after a reconnect.

const clients = [];
afterEach(() => { while (clients.length) clients.pop().close(); });

async function connected() {
  const fake = fakeWebSocket();
  const client = new ParleyClient({
    url: 'ws://chat.test/ws/chat', token: 'T', WebSocket: fake.WebSocket, authCheck: false,
    backoff: { initialMs: 1, maxMs: 5 }, random: () => 0.5,
  });
  clients.push(client);
  const ready = client.connect();
  const ws = await fake.socket(0);
  ws.accept();
  await ready;
  return { fake, client, ws };
}

/** The next socket, accepted (a reconnect). */
async function reconnected(fake, n) {
  const ws = await fake.socket(n);
  ws.accept();
  return ws;
}

const settledState = (promise) => Promise.race([
  promise.then(() => 'resolved', () => 'rejected'),
  new Promise((r) => setImmediate(() => r('pending'))),
]);

describe('subscribe() answers a subscription', () => {
  it('resolves ready with the subscribed frame', async () => {
    const { ws, client } = await connected();
    const sub = client.subscribe('app_1', ['prices']);
    assert.ok(sub instanceof Subscription);
    assert.equal(await settledState(sub.ready), 'pending');
    ws.deliver({ type: 'subscribed', appId: 'app_1', topics: ['prices'] });
    assert.deepEqual(await sub.ready, { type: 'subscribed', appId: 'app_1', topics: ['prices'] });
    assert.equal(sub.state, 'subscribed');
  });

  it('rejects ready with FORBIDDEN, and does not subscribe to those topics again after a reconnect', async () => {
    const { fake, ws, client } = await connected();
    const allowed = client.subscribe('app_1', ['prices']);
    const forbidden = client.subscribe('app_2', ['secrets']);
    ws.deliver({ type: 'subscribed', appId: 'app_1', topics: ['prices'] });
    ws.deliver({ type: 'error', code: 'FORBIDDEN', message: 'you may not subscribe to the topics of app app_2' });
    await allowed.ready;
    await assert.rejects(forbidden.ready, (e) => e.code === 'FORBIDDEN');
    assert.equal(forbidden.state, 'refused');
    ws.drop(4000);
    const again = await reconnected(fake, 1);
    assert.deepEqual(again.frames('subscribe'), [{ type: 'subscribe', appId: 'app_1', topics: ['prices'] }]);
  });

  it('settles each request by its own answer, in order, when several wait', async () => {
    const { ws, client } = await connected();
    const first = client.subscribe('app_1', ['a']);
    const second = client.subscribe('app_1', ['b']);
    const third = client.subscribe('app_1', ['c']);
    ws.deliver({ type: 'subscribed', appId: 'app_1', topics: ['a'] });
    ws.deliver({ type: 'error', code: 'LIMIT_EXCEEDED', message: 'a connection may subscribe to at most 100 topics' });
    ws.deliver({ type: 'subscribed', appId: 'app_1', topics: ['c'] });
    assert.deepEqual((await first.ready).topics, ['a']);
    await assert.rejects(second.ready, (e) => e.code === 'LIMIT_EXCEEDED');
    assert.deepEqual((await third.ready).topics, ['c']);
  });

  it('leaves an error about something else (it has a ref) to the request it names', async () => {
    const { ws, client } = await connected();
    const sub = client.subscribe('app_1', ['a']);
    ws.deliver({ type: 'error', code: 'FORBIDDEN', message: 'not a member', ref: 'g:7' }); // a refused sync cursor
    assert.equal(await settledState(sub.ready), 'pending');
    ws.deliver({ type: 'subscribed', appId: 'app_1', topics: ['a'] });
    await sub.ready;
  });

  it('made while disconnected: goes out on connect and settles with that answer', async () => {
    const { fake, ws, client } = await connected();
    ws.drop(1006);
    const sub = client.subscribe('app_1', ['news']);
    const again = await reconnected(fake, 1);
    assert.deepEqual(again.frames('subscribe'), [{ type: 'subscribe', appId: 'app_1', topics: ['news'] }]);
    again.deliver({ type: 'subscribed', appId: 'app_1', topics: ['news'] });
    await sub.ready;
  });

  it('unanswered when the connection drops: sent again, settled by the next connection', async () => {
    const { fake, ws, client } = await connected();
    const sub = client.subscribe('app_1', ['news']);
    ws.drop(4001);
    const again = await reconnected(fake, 1);
    again.deliver({ type: 'error', code: 'FORBIDDEN', message: 'you may not subscribe to the topics of app app_1' });
    await assert.rejects(sub.ready, (e) => e.code === 'FORBIDDEN');
  });

  it('is rejected with CLOSED when the client closes before the answer', async () => {
    const { client } = await connected();
    const sub = client.subscribe('app_1', ['news']);
    client.close();
    await assert.rejects(sub.ready, (e) => e.code === 'CLOSED');
  });

  it('sub.unsubscribe() leaves its topics, and they are not subscribed again', async () => {
    const { fake, ws, client } = await connected();
    const sub = client.subscribe('app_1', ['a', 'b']);
    ws.deliver({ type: 'subscribed', appId: 'app_1', topics: ['a', 'b'] });
    await sub.ready;
    client.subscribe('app_1', ['c']);
    ws.deliver({ type: 'subscribed', appId: 'app_1', topics: ['c'] });
    sub.unsubscribe();
    assert.deepEqual(ws.frames('unsubscribe'), [{ type: 'unsubscribe', appId: 'app_1', topics: ['a', 'b'] }]);
    ws.drop(4000);
    const again = await reconnected(fake, 1);
    assert.deepEqual(again.frames('subscribe'), [{ type: 'subscribe', appId: 'app_1', topics: ['c'] }]);
  });
});

describe('topics withdrawn by the app', () => {
  it('are not subscribed again on reconnect after unsubscribed with a reason', async () => {
    const { fake, ws, client } = await connected();
    const withdrawnEvents = [];
    client.on('unsubscribed', (f) => withdrawnEvents.push(f));
    const kept = client.subscribe('app_1', ['prices']);
    const lost = client.subscribe('app_2', ['alerts', 'news']);
    ws.deliver({ type: 'subscribed', appId: 'app_1', topics: ['prices'] });
    ws.deliver({ type: 'subscribed', appId: 'app_2', topics: ['alerts', 'news'] });
    await Promise.all([kept.ready, lost.ready]);
    const withdrawal = { type: 'unsubscribed', appId: 'app_2', topics: ['alerts', 'news'], reason: 'FORBIDDEN' };
    ws.deliver(withdrawal);
    assert.deepEqual(withdrawnEvents, [withdrawal]);
    assert.equal(lost.state, 'withdrawn');
    ws.drop(4000);
    const again = await reconnected(fake, 1);
    assert.deepEqual(again.frames('subscribe'), [{ type: 'subscribe', appId: 'app_1', topics: ['prices'] }]);
  });

  it('a resubscribe refused with FORBIDDEN after a reconnect drops the app: not asked again on the next one', async () => {
    const { fake, ws, client } = await connected();
    const sub = client.subscribe('app_2', ['alerts']);
    ws.deliver({ type: 'subscribed', appId: 'app_2', topics: ['alerts'] });
    await sub.ready;
    ws.drop(4000);
    const second = await reconnected(fake, 1); // access was withdrawn while we were away
    assert.equal(second.frames('subscribe').length, 1);
    second.deliver({ type: 'error', code: 'FORBIDDEN', message: 'you may not subscribe to the topics of app app_2' });
    assert.equal(sub.state, 'withdrawn');
    second.drop(4000);
    const third = await reconnected(fake, 2);
    assert.deepEqual(third.frames('subscribe'), []);
  });
});
