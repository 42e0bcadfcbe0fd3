import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { ParleyNotifyClient, compareNotificationSeq } from '../parley-notify-client.js';
import { ParleyNotifyClient as Reexported } from '../parley-client.js';
import { connectedClients } from '../test-support/connected-clients.mjs';

// The /ws/notify client: notifications once per id, acknowledged by the highest seq (cumulative, coalesced so a
// backlog of 1,000 is one ack, not 1,000 frames past the inbound rate limit), reconnect and token renewal as on
// /ws/chat.

const connected = connectedClients(ParleyNotifyClient, 'ws://chat.test/ws/notify');

const notification = (seq, extra = {}) => ({
  type: 'notification', id: `N${seq}`, seq: `1700000000000-${seq}`, title: `t${seq}`, body: `b${seq}`, ts: 1_700_000_000_000 + seq, ...extra,
});

describe('ParleyNotifyClient', () => {
  it('is exported by parley-client.js too', () => {
    assert.equal(Reexported, ParleyNotifyClient);
  });

  it('connects to /ws/notify with the token and emits each notification once', async () => {
    const { ws, client } = await connected({ ackDelayMs: 0 });
    assert.equal(ws.url, 'ws://chat.test/ws/notify?access_token=T');
    const got = [];
    client.on('notification', (n) => got.push(n.id));
    ws.deliver(notification(1, { data: { conversation: 'd:1:2' } }));
    ws.deliver(notification(1)); // posted while the backlog was read: the same one again
    ws.deliver(notification(2));
    assert.deepEqual(got, ['N1', 'N2']);
  });

  it('acknowledges a backlog with one ack for the highest seq after ackDelayMs', async () => {
    const { ws } = await connected();
    mock.timers.enable({ apis: ['setTimeout'] });
    for (let seq = 1; seq <= 1000; seq++) ws.deliver(notification(seq));
    assert.deepEqual(ws.frames('ack'), []);
    mock.timers.tick(150);
    assert.deepEqual(ws.frames('ack'), [{ type: 'ack', seq: '1700000000000-1000' }]);
  });

  it('with autoAck false acknowledges only what ack() is given, and never moves back', async () => {
    const { ws, client } = await connected({ autoAck: false, ackDelayMs: 0 });
    ws.deliver(notification(1));
    ws.deliver(notification(2));
    assert.deepEqual(ws.frames('ack'), []);
    client.ack('1700000000000-2');
    client.ack('1700000000000-1');
    assert.deepEqual(ws.frames('ack'), [{ type: 'ack', seq: '1700000000000-2' }]);
  });

  it('keeps an ack that could not go out and sends it on the next connection', async () => {
    const { fake, ws, client } = await connected({ autoAck: false });
    client.ack('1700000000000-5');
    ws.drop(4000); // before the timer ended
    const again = await fake.socket(1);
    again.accept();
    assert.deepEqual(again.frames('ack'), [{ type: 'ack', seq: '1700000000000-5' }]);
  });

  it('acknowledges what is due before close()', async () => {
    const { ws, client } = await connected();
    ws.deliver(notification(3));
    client.close();
    assert.deepEqual(ws.frames('ack'), [{ type: 'ack', seq: '1700000000000-3' }]);
  });

  it('reconnects after a lost connection and stops on 4501', async () => {
    const { fake, ws, client } = await connected();
    ws.drop(1006);
    const again = await fake.socket(1);
    again.accept();
    const closed = new Promise((resolve) => client.on('state', (s) => { if (s.state === 'closed') resolve(s); }));
    again.drop(4501, 'session ended');
    assert.deepEqual(await closed, { state: 'closed', code: 4501, reason: 'session ended' });
  });

  it('renews its token on expiring when the token is a function', async () => {
    let n = 0;
    const { ws } = await connected({ token: async () => `T${++n}` });
    ws.deliver({ type: 'expiring', exp: 1_900_000_000 });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(ws.frames('token'), [{ type: 'token', token: 'T2' }]);
  });

  it('orders seqs by their numbers, not as text', () => {
    assert.ok(compareNotificationSeq('1700000000000-10', '1700000000000-9') > 0);
    assert.ok(compareNotificationSeq('999-5', '1000-0') < 0);
    assert.equal(compareNotificationSeq('5-5', '5-5'), 0);
  });
});
