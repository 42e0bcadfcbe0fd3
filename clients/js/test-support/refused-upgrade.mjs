// Run by test/auth-refusal.test.mjs in a child node with --experimental-websocket (Node 20 has no WebSocket without it):
// an HTTP server that refuses every WebSocket upgrade with 401, as chat-service does for a revoked token, and a
// ParleyClient with Node's real WebSocket and the default authCheck. Prints one JSON line: what happened.
import http from 'node:http';
import { ParleyClient } from '../parley-client.js';

const probes = [];
let upgrades = 0;
const server = http.createServer((req, res) => {
  probes.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
  res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"code":"TOKEN_REVOKED","message":"revoked"}');
});
server.on('upgrade', (req, socket) => {
  upgrades++;
  socket.end('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));

const client = new ParleyClient({
  url: `ws://127.0.0.1:${server.address().port}/ws/chat`, token: 'REVOKED', backoff: { initialMs: 10, maxMs: 20 },
});
const states = [];
client.on('state', (s) => states.push(s));
const failsafe = setTimeout(() => { client.close(); }, 5000); // a client that never stops fails the test, not hangs it
await client.connect().catch(() => {});
clearTimeout(failsafe);
server.close();
console.log(JSON.stringify({ finalState: states.at(-1), upgrades, probes }));
