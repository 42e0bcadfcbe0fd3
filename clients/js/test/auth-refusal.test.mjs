import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ParleyClient, ParleyNotifyClient } from '../parley-client.js';
import { fakeWebSocket } from '../test-support/fake-websocket.mjs';

// chat-service refuses an upgrade with a bad, expired or revoked token with HTTP 401 (403 for an app token). A
// browser's WebSocket shows that as a close (1006) before open, like a network failure; the client then asks the
// server over HTTP (authCheck) and stops on 401/403 instead of retrying for ever. A socket that never opened for
// another reason (authCheck says 0, 200, 503) is retried with back-off as before.

const clients = [];
afterEach(() => { while (clients.length) clients.pop().close(); });

function setup(Client, options = {}) {
  const fake = fakeWebSocket();
  const checked = [];
  const { status = 401, ...rest } = options;
  const client = new Client({
    url: 'ws://chat.test/ws/chat', token: 'DEAD', WebSocket: fake.WebSocket,
    backoff: { initialMs: 1, maxMs: 5 }, random: () => 0.5,
    authCheck: async (token) => { checked.push(token); return typeof status === 'function' ? status(token) : status; },
    ...rest,
  });
  clients.push(client);
  const states = [];
  client.on('state', (s) => states.push(s));
  return { fake, client, states, checked };
}

/** Resolves once the client reaches the state, or rejects after a while. */
function until(client, state) {
  return new Promise((resolve, reject) => {
    if (client.state === state) { resolve(); return; }
    const timer = setTimeout(() => reject(new Error(`never ${state} (still ${client.state})`)), 2000);
    const off = client.on('state', (s) => { if (s.state === state) { clearTimeout(timer); off(); resolve(); } });
  });
}

describe('an upgrade refused for the token', () => {
  it('stops with a fixed token: state closed with code 401, connect() and waiting sends rejected', async () => {
    const { fake, client, states, checked } = setup(ParleyClient);
    const connecting = client.connect();
    const waiting = client.send({ to: { user: 2 }, body: 'x' });
    (await fake.socket(0)).drop(1006); // refused before open
    await assert.rejects(connecting, (e) => e.code === 'CLOSED');
    await assert.rejects(waiting, (e) => e.code === 'CLOSED');
    assert.deepEqual(checked, ['DEAD']);
    assert.equal(states.at(-1).state, 'closed');
    assert.equal(states.at(-1).code, 401);
    assert.match(states.at(-1).reason, /sign in again/);
    assert.equal(fake.sockets.length, 1); // no second attempt
  });

  it('says 403 for an app token', async () => {
    const { fake, client, states } = setup(ParleyClient, { status: 403 });
    client.connect();
    (await fake.socket(0)).drop(1006);
    await until(client, 'closed');
    assert.equal(states.at(-1).code, 403);
  });

  it('with a token function: tries once more at once with a fresh token, and connects if it is accepted', async () => {
    let n = 0;
    const { fake, client, checked } = setup(ParleyClient, { token: async () => `T${++n}`, status: (t) => (t === 'T1' ? 401 : 200) });
    const connecting = client.connect();
    (await fake.socket(0)).drop(1006);
    const second = await fake.socket(1);
    assert.match(second.url, /access_token=T2$/);
    second.accept();
    await connecting;
    assert.deepEqual(checked, ['T1']);
  });

  it('with a token function that returns the refused token again: stops without another attempt', async () => {
    const { fake, client, states } = setup(ParleyClient, { token: async () => 'SAME' });
    client.connect();
    (await fake.socket(0)).drop(1006);
    await until(client, 'closed');
    assert.equal(states.at(-1).code, 401);
    assert.equal(fake.sockets.length, 1);
  });

  it('with a token function whose fresh tokens are refused too: stops after the second', async () => {
    let n = 0;
    const { fake, client } = setup(ParleyClient, { token: async () => `T${++n}` });
    client.connect();
    (await fake.socket(0)).drop(1006);
    (await fake.socket(1)).drop(1006);
    await until(client, 'closed');
    assert.equal(fake.sockets.length, 2);
  });

  it('keeps reconnecting with back-off when the server does not refuse the token (network, draining node)', async () => {
    for (const status of [0, 200, 503]) {
      const { fake, client, states } = setup(ParleyClient, { status });
      client.connect();
      (await fake.socket(0)).drop(1006);
      (await fake.socket(1)).drop(1006);
      await fake.socket(2);
      assert.ok(states.some((s) => s.state === 'reconnecting' && s.delayMs !== undefined), `status ${status}`);
      assert.notEqual(client.state, 'closed');
      client.close();
    }
  });

  it('does not ask about the token when an open connection closes (the server says 4501 for a session that ended)', async () => {
    const { fake, client, checked } = setup(ParleyClient, { status: 401 });
    client.connect();
    const ws = await fake.socket(0);
    ws.accept();
    ws.drop(1006);
    await fake.socket(1);
    assert.deepEqual(checked, []);
  });

  it('the /ws/notify client stops the same way', async () => {
    const { fake, client, states } = setup(ParleyNotifyClient, { url: 'ws://chat.test/ws/notify' });
    client.connect();
    (await fake.socket(0)).drop(1006);
    await until(client, 'closed');
    assert.equal(states.at(-1).code, 401);
    assert.equal(fake.sockets.length, 1);
  });
});

describe('a real refused upgrade', () => {
  // A real WebSocket (Node's; behind --experimental-websocket on Node 20) against an HTTP server that refuses every
  // upgrade with 401 and answers the default authCheck's GET /api/v1/conversations with 401 too, as chat-service
  // does for a revoked token: the client must stop after one attempt.
  it('stops after one attempt, with the default authCheck', async () => {
    const script = fileURLToPath(new URL('../test-support/refused-upgrade.mjs', import.meta.url));
    const { NODE_TEST_CONTEXT, ...env } = process.env; // a plain script, not a test file reporting to this runner
    // Node 22+ has the WebSocket global; Node 20 needs the flag
    const flags = typeof globalThis.WebSocket === 'function' ? [] : ['--experimental-websocket', '--no-warnings'];
    const child = spawn(process.execPath, [...flags, script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (d) => { errors += d; });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, errors);
    const report = JSON.parse(out.trim().split('\n').at(-1));
    assert.equal(report.finalState.state, 'closed');
    assert.equal(report.finalState.code, 401);
    assert.equal(report.upgrades, 1);
    assert.deepEqual(report.probes, ['GET /api/v1/conversations Bearer REVOKED']);
  });
});
