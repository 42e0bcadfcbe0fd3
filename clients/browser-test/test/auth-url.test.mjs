// The chat page's default auth-service URL (chat-service/src/main/resources/META-INF/resources/auth-url.js):
// behind the ingress the page's own origin, on chat-service's own port the host's port 8081. No browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// a page module without a package.json of its own: imported as ES module text
const source = readFileSync(new URL('../../../chat-service/src/main/resources/META-INF/resources/auth-url.js', import.meta.url), 'utf8');
const { defaultAuthUrl } = await import('data:text/javascript,' + encodeURIComponent(source));

test('behind the ingress (https, default port) the page uses its own origin for auth-service', () => {
  assert.equal(defaultAuthUrl(new URL('https://chat.example.com/')), 'https://chat.example.com');
});

test('behind a plain-http ingress on port 80 too', () => {
  assert.equal(defaultAuthUrl(new URL('http://parley.localhost/index.html')), 'http://parley.localhost');
});

test('served by chat-service on its own port the page uses port 8081 of the same host', () => {
  assert.equal(defaultAuthUrl(new URL('http://localhost:8080/')), 'http://localhost:8081');
  assert.equal(defaultAuthUrl(new URL('http://192.168.1.20:18080/')), 'http://192.168.1.20:8081');
});
