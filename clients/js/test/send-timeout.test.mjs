import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { ParleyClient } from '../parley-client.js';
import { connectedClients } from '../test-support/connected-clients.mjs';

// send() (and edit, delete) wait for `sent` and resend across reconnects; a timeout or an AbortSignal ends the wait:
// the promise rejects with TIMEOUT / ABORTED and the frame is not sent again. A `sent` that comes later is still an
// event (the message may have been stored).

const connected = connectedClients(ParleyClient, 'ws://chat.test/ws/chat', { synced: true });

describe('send() timeout and abort', () => {
  it('rejects with TIMEOUT when no sent comes within timeoutMs, and stops resending it', async () => {
    const { fake, ws, client } = await connected();
    mock.timers.enable({ apis: ['setTimeout'] });
    const sending = client.send({ to: { user: 2 }, body: 'hi' }, { timeoutMs: 5000 });
    mock.timers.tick(4999);
    assert.equal(client.pending.size, 1);
    mock.timers.tick(1);
    await assert.rejects(sending, (e) => e.name === 'ParleyError' && e.code === 'TIMEOUT');
    mock.timers.reset();
    ws.drop(1006);
    const again = await fake.socket(1);
    again.accept();
    assert.deepEqual(again.frames('send'), []); // given up: not sent again
  });

  it('the client-wide sendTimeoutMs applies to every send, edit and delete', async () => {
    const { client } = await connected({ sendTimeoutMs: 1000 });
    mock.timers.enable({ apis: ['setTimeout'] });
    const send = client.send({ to: { user: 2 }, body: 'hi' });
    const edit = client.edit({ conversation: 'd:1:2', target: 'M1', body: 'fixed' });
    const del = client.delete({ conversation: 'd:1:2', target: 'M1' });
    mock.timers.tick(1000);
    for (const p of [send, edit, del]) await assert.rejects(p, (e) => e.code === 'TIMEOUT');
  });

  it('resolves normally when sent comes in time (the timer is cleared)', async () => {
    const { ws, client } = await connected();
    mock.timers.enable({ apis: ['setTimeout'] });
    const sending = client.send({ to: { user: 2 }, body: 'hi' }, { timeoutMs: 5000 });
    const [frame] = ws.frames('send');
    ws.deliver({ type: 'sent', clientMsgId: frame.clientMsgId, id: 'M1', conversation: 'd:1:2', seq: 1, ts: 1 });
    assert.equal((await sending).id, 'M1');
    mock.timers.tick(10_000); // nothing left to fire
  });

  it('rejects with ABORTED (the signal\'s reason as cause) when the signal aborts; a later sent is still an event', async () => {
    const { ws, client } = await connected();
    const events = [];
    client.on('sent', (s) => events.push(s.clientMsgId));
    const controller = new AbortController();
    const sending = client.send({ to: { user: 2 }, body: 'hi' }, { signal: controller.signal });
    const [frame] = ws.frames('send');
    controller.abort(new Error('user cancelled'));
    await assert.rejects(sending, (e) => e.code === 'ABORTED' && e.cause?.message === 'user cancelled');
    assert.equal(client.pending.size, 0);
    ws.deliver({ type: 'sent', clientMsgId: frame.clientMsgId, id: 'M1', conversation: 'd:1:2', seq: 1, ts: 1 });
    assert.deepEqual(events, [frame.clientMsgId]);
  });

  it('an already aborted signal rejects at once and sends nothing', async () => {
    const { ws, client } = await connected();
    await assert.rejects(client.send({ to: { user: 2 }, body: 'x' }, { signal: AbortSignal.abort() }), (e) => e.code === 'ABORTED');
    assert.deepEqual(ws.frames('send'), []);
  });

  it('refuses a negative sendTimeoutMs', () => {
    assert.throws(() => new ParleyClient({ url: 'ws://x', token: 't', WebSocket: class {}, sendTimeoutMs: -1 }), /sendTimeoutMs/);
  });
});
