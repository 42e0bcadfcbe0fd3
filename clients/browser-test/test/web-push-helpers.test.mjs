// The chat page's Web Push helpers that need no browser (chat-service/src/main/resources/META-INF/resources/
// web-push.js, notify-url.js): the VAPID key's bytes, the conversation a notification's address names, and where
// notify-service is by default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const resources = '../../../chat-service/src/main/resources/META-INF/resources/';
/** A page module without a package.json of its own: imported as ES module text (it imports nothing). */
async function pageModule(name) {
  const source = readFileSync(new URL(resources + name, import.meta.url), 'utf8');
  return import('data:text/javascript,' + encodeURIComponent(source));
}

const { keyBytes, conversationInAddress } = await pageModule('web-push.js');
const { defaultNotifyUrl } = await pageModule('notify-url.js');

test('the VAPID key (base64url, unpadded) becomes its 65 bytes, the first 0x04 (an uncompressed P-256 point)', () => {
  const key = 'BLVa5dYgzQ7o_4v_OEasMb4FxEv0dSzAOz3_DmMBgELXRCe-Odl4aF8nKSCa5mh2EMBZ3FccrVMpAkobkqD1wpQ';
  const bytes = keyBytes(key);
  assert.equal(bytes.length, 65);
  assert.equal(bytes[0], 4);
  assert.deepEqual(Buffer.from(bytes).toString('base64url'), key);
});

test('#conversation=<id> names a conversation, percent-encoded or not; other addresses name none', () => {
  assert.equal(conversationInAddress('#conversation=d%3A1%3A2'), 'd:1:2');
  assert.equal(conversationInAddress('#conversation=g:42'), 'g:42');
  assert.equal(conversationInAddress(''), null);
  assert.equal(conversationInAddress('#other=1'), null);
});

test('notify-service is the page\'s own origin behind the ingress, port 8083 of the host otherwise', () => {
  assert.equal(defaultNotifyUrl(new URL('https://chat.example.com/')), 'https://chat.example.com');
  assert.equal(defaultNotifyUrl(new URL('http://localhost:8080/')), 'http://localhost:8083');
});
