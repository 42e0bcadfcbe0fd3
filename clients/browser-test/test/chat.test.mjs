// The chat page as two (then three) people use it, each in their own browser context, on the real services.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPerson, scenario, saveConsoleLogs, CHAT_URL, AUTH_URL, RUN } from '../lib/harness.mjs';

let browser;
let alice;
let bob;
const everyone = () => [alice, bob].filter(Boolean);

before(async () => {
  browser = await launchBrowser();
  alice = await openPerson(browser, 'alice');
  bob = await openPerson(browser, 'bob');
});

after(async () => {
  saveConsoleLogs(everyone());
  await browser?.close();
});

const PASSWORD = 'correct horse battery';

async function signUp(person, displayName) {
  const { page } = person;
  person.username = `${person.name}.${RUN}`;
  person.displayName = displayName;
  await page.goto(CHAT_URL + '/');
  await page.locator('#auth summary').click();
  await page.locator('#auth-url').fill(AUTH_URL);
  await page.locator('#username').fill(person.username);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#display-name').fill(displayName);
  await page.locator('#sign-up').click();
  await page.locator('#conn[data-state="connected"]').waitFor();
  person.id = Number(await page.locator('#my-id').textContent());
}

async function openDirect(person, other) {
  await person.page.locator('#direct-user').fill(String(other.id));
  await person.page.locator('#new-direct button[type=submit]').click();
  await person.page.locator('#room').waitFor();
}

async function send(person, text) {
  await person.page.locator('#body').fill(text);
  await person.page.locator('#body').press('Enter');
}

const bubble = (person, text) => person.page.locator('#messages .msg', { hasText: text });

scenario(test, 1, 'sign up two people', everyone, async () => {
  await signUp(alice, 'Alice Liddell');
  await signUp(bob, 'Bob Builder');
  assert.ok(alice.id > 0 && bob.id > 0 && alice.id !== bob.id, `two distinct user ids: ${alice.id}, ${bob.id}`);
  await alice.page.locator('#me', { hasText: 'Alice Liddell' }).waitFor();
});

scenario(test, 2, 'chat both ways live', everyone, async () => {
  await openDirect(alice, bob);
  await send(alice, 'Hi Bob, it is Alice');
  await bubble(alice, 'Hi Bob, it is Alice').locator('.meta', { hasText: '✓' }).waitFor();
  // Bob has the page open on nothing in particular: the conversation appears in his list, live
  const fromAlice = bob.page.locator('#conversations li', { hasText: 'Hi Bob, it is Alice' });
  await fromAlice.waitFor();
  await fromAlice.click();
  await bubble(bob, 'Hi Bob, it is Alice').waitFor();
  await send(bob, 'Hello Alice!');
  await bubble(alice, 'Hello Alice!').waitFor();
  assert.equal(await bubble(alice, 'Hello Alice!').getAttribute('class'), 'msg', "Bob's message is not Alice's own");
});
