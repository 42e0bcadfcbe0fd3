import { afterEach, mock } from 'node:test';
import { fakeWebSocket } from './fake-websocket.mjs';

/**
 * `connected(options)` for a test file: a client of `Client` on a fake WebSocket, its first socket accepted (and,
 * with `synced`, answered with `synced`), quick back-off and fixed jitter. Clients made through it are closed, and
 * mocked timers reset, after each test.
 */
export function connectedClients(Client, url, { synced = false } = {}) {
  const clients = [];
  afterEach(() => {
    while (clients.length) clients.pop().close();
    mock.timers.reset();
  });
  return async function connected(options = {}) {
    const fake = fakeWebSocket();
    const client = new Client({
      url, token: 'T', WebSocket: fake.WebSocket, authCheck: false,
      backoff: { initialMs: 1, maxMs: 5 }, random: () => 0.5, ...options,
    });
    clients.push(client);
    const ready = client.connect();
    const ws = await fake.socket(0);
    ws.accept();
    await ready;
    if (synced) ws.deliver({ type: 'synced' });
    return { fake, client, ws };
  };
}
