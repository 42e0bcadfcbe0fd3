// The chat page as three people use it — Alice and Bob at a desk, Carol on a phone (390 px) — each in their own
// browser context, on the real services. Selectors are the page's data-testids (chat-service/src/main/resources/META-INF/resources).
// Every step waits for what a person would see; nothing waits for time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPerson, newPage, scenario, expectNotice, saveConsoleLogs, CHAT_URL, AUTH_URL, RUN } from '../lib/harness.mjs';

const PASSWORD = 'correct horse battery';
const PHONE = { width: 390, height: 800 };

let browser;
let alice;
let bob;
let carol;
const everyone = () => [alice, bob, carol].filter(Boolean);

before(async () => {
  browser = await launchBrowser();
  alice = await openPerson(browser, 'alice');
  bob = await openPerson(browser, 'bob');
  carol = await openPerson(browser, 'carol', { viewport: PHONE });
});

after(async () => {
  saveConsoleLogs(everyone());
  await browser?.close();
});

// ---- what a person sees -------------------------------------------------------------------------------------
const tid = (id, attrs = '') => `[data-testid="${id}"]${attrs}`;
const find = (person, id, attrs = '') => person.page.locator(tid(id, attrs));
const connState = (person, state) => find(person, 'conn-state', `[data-state="${state}"]`);
/** A message bubble by (a unique part of) its text, with optional attribute conditions (e.g. '[data-deleted="true"]'). */
const bubble = (person, text, attrs = '') => find(person, 'message', attrs).filter({ hasText: text });
const ownStatus = (person, text, status) => bubble(person, text).locator(tid('message-status', `[data-status="${status}"]`));
const conversationItem = (person, cid) => find(person, 'conversation-item', `[data-conversation="${cid}"]`);
const contactDot = (person, other, presence) =>
  find(person, 'contact-item', `[data-username="${other.username}"]`).locator(tid('presence-dot', `[data-presence="${presence}"]`));
const shown = (locator) => locator.waitFor({ state: 'visible' });
const gone = (locator) => locator.waitFor({ state: 'detached' });

// ---- what a person does -------------------------------------------------------------------------------------
async function signUp(person, displayName, { remember }) {
  const { page } = person;
  person.username = `${person.name}.${RUN}`;
  person.displayName = displayName;
  await page.goto(CHAT_URL + '/');
  await find(person, 'login-server-toggle').click();
  await find(person, 'login-auth-url').fill(AUTH_URL);
  await find(person, 'login-username').fill(person.username);
  await find(person, 'login-password').fill(PASSWORD);
  await find(person, 'login-display-name').fill(displayName);
  if (remember) await find(person, 'login-remember').check();
  await find(person, 'signup-submit').click();
  await shown(connState(person, 'online'));
  person.id = Number(await find(person, 'me').getAttribute('data-user-id'));
}

async function send(person, text) {
  await find(person, 'composer-input').fill(text);
  await find(person, 'composer-input').press('Enter');
  await shown(ownStatus(person, text, 'sent').or(ownStatus(person, text, 'read'))); // stored on the server
}

async function lookUp(person, other, button) {
  await find(person, 'user-search-input').fill(other.username);
  await find(person, button).click();
}

let direct;   // Alice and Bob's conversation id, d:<lo>:<hi>
let group;    // the tea party's conversation id, g:<gid>
const teaParty = `Tea party ${RUN}`;

// ---- the story ----------------------------------------------------------------------------------------------
scenario(test, 1, 'sign up three people', everyone, async () => {
  await signUp(alice, 'Alice Liddell', { remember: true });
  await signUp(bob, 'Bob Builder', { remember: false });
  await signUp(carol, 'Carol Lewis', { remember: false });
  assert.equal(new Set([alice.id, bob.id, carol.id]).size, 3, `three distinct user ids: ${alice.id}, ${bob.id}, ${carol.id}`);
  await shown(find(alice, 'me').filter({ hasText: 'Alice Liddell' }));
  await find(alice, 'auth-form').waitFor({ state: 'hidden' });
  direct = `d:${Math.min(alice.id, bob.id)}:${Math.max(alice.id, bob.id)}`;
});

scenario(test, 2, 'add each other as contacts by username and see each other online', everyone, async () => {
  await lookUp(alice, { username: `nobody.${RUN}` }, 'add-contact-button');
  await expectNotice(alice, 'NOT_FOUND', `Nobody is called “nobody.${RUN}”`);
  await lookUp(alice, bob, 'add-contact-button');
  await shown(contactDot(alice, bob, 'pending')); // Bob has not added Alice back: no presence flows yet
  await lookUp(bob, alice, 'add-contact-button');
  await shown(contactDot(bob, alice, 'online'));
  await shown(contactDot(alice, bob, 'online'));
  await shown(find(alice, 'contact-item', `[data-username="${bob.username}"]`).filter({ hasText: 'Bob Builder' }));
});

scenario(test, 3, 'chat both ways live, with read ticks', everyone, async () => {
  await lookUp(alice, bob, 'open-direct-button');
  await shown(find(alice, 'room', `[data-conversation="${direct}"]`));
  await shown(find(alice, 'room-title').filter({ hasText: 'Bob Builder' }));
  await send(alice, 'Hi Bob, it is Alice');
  // Bob has no conversation open: Alice's message arrives in his list, unread, and Alice sees it stored, not read
  const unread = conversationItem(bob, direct).locator(tid('conversation-unread', '[data-count="1"]'));
  await shown(unread);
  await shown(conversationItem(bob, direct).locator(tid('conversation-preview')).filter({ hasText: 'Hi Bob, it is Alice' }));
  await shown(conversationItem(bob, direct).locator(tid('conversation-title')).filter({ hasText: 'Alice Liddell' }));
  assert.equal(await bubble(alice, 'Hi Bob, it is Alice').locator(tid('message-status')).getAttribute('data-status'), 'sent',
    'not read before Bob opened the conversation');
  // Bob opens it: he reads, and Alice's tick turns to read
  await conversationItem(bob, direct).click();
  await shown(bubble(bob, 'Hi Bob, it is Alice', '[data-mine="false"]'));
  await shown(ownStatus(alice, 'Hi Bob, it is Alice', 'read'));
  await gone(unread);
  // and back
  await send(bob, 'Hello Alice!');
  await shown(bubble(alice, 'Hello Alice!', `[data-mine="false"][data-from="${bob.id}"]`));
  await shown(ownStatus(bob, 'Hello Alice!', 'read')); // Alice has the conversation open
});

scenario(test, 4, 'typing is shown to the other side', everyone, async () => {
  await find(bob, 'composer-input').pressSequentially('I am typing this slowly');
  await shown(find(alice, 'typing-indicator', `[data-users="${bob.id}"]`).filter({ hasText: 'Bob Builder is typing' }));
  await find(bob, 'composer-input').press('Enter');
  await shown(bubble(alice, 'I am typing this slowly'));
  await find(alice, 'typing-indicator', '[data-users=""]').waitFor({ state: 'attached' }); // his message ends it
  assert.equal((await find(alice, 'typing-indicator').textContent()).trim(), '');
});

scenario(test, 5, 'edit and delete of one\'s own message, seen on both sides', everyone, async () => {
  // edit
  await bubble(alice, 'Hi Bob, it is Alice').locator(tid('message-edit')).click();
  await shown(find(alice, 'composer-mode'));
  await find(alice, 'composer-input').fill('Hi Bob, it is Alice (edited)');
  await find(alice, 'composer-send').click();
  for (const person of [alice, bob]) {
    const edited = bubble(person, 'Hi Bob, it is Alice (edited)', '[data-edited="true"]');
    await shown(edited.locator(tid('message-edited')));
  }
  // others' messages cannot be edited or deleted
  assert.equal(await bubble(alice, 'Hello Alice!').locator(tid('message-edit')).count(), 0, 'no edit on Bob\'s message');
  assert.equal(await bubble(alice, 'Hello Alice!').locator(tid('message-delete')).count(), 0, 'no delete on Bob\'s message');
  // delete (two clicks: delete, then confirm)
  await send(alice, 'This one will go');
  await shown(bubble(bob, 'This one will go'));
  const doomed = bubble(alice, 'This one will go');
  const doomedId = await doomed.getAttribute('data-id');
  await doomed.locator(tid('message-delete')).click();
  await find(alice, 'message', `[data-id="${doomedId}"]`).locator(tid('message-delete-confirm')).click();
  for (const person of [alice, bob]) {
    const tombstone = find(person, 'message', `[data-id="${doomedId}"][data-deleted="true"]`);
    await shown(tombstone.locator(tid('message-body')).filter({ hasText: 'message deleted' }));
    await gone(bubble(person, 'This one will go'));
  }
  await shown(conversationItem(bob, direct).locator(tid('conversation-preview')).filter({ hasText: 'message deleted' }));
});

scenario(test, 6, 'a group of three, with sender names (Carol on a phone)', everyone, async () => {
  await find(alice, 'group-name-input').fill(teaParty);
  await find(alice, 'group-members-input').fill(`${bob.username}, @${carol.username}`);
  await find(alice, 'group-create-button').click();
  const room = find(alice, 'room', '[data-conversation^="g:"]');
  await shown(room);
  group = await room.getAttribute('data-conversation');
  await shown(find(alice, 'room-title').filter({ hasText: teaParty }));
  await shown(find(alice, 'room-subtitle').filter({ hasText: '3 members' }));
  await find(alice, 'group-members-button').click();
  for (const name of ['Alice Liddell', 'Bob Builder', 'Carol Lewis']) {
    await shown(find(alice, 'group-member').filter({ hasText: name }));
  }
  assert.equal(await find(alice, 'group-member').count(), 3);
  await send(alice, 'Welcome to the tea party');

  await conversationItem(bob, group).click();
  await shown(find(bob, 'room-title').filter({ hasText: teaParty }));
  await shown(find(bob, 'room-subtitle').filter({ hasText: '3 members' })); // GET /groups/{gid}
  await shown(bubble(bob, 'Welcome to the tea party').locator(tid('message-sender')).filter({ hasText: 'Alice Liddell' }));
  await send(bob, 'Thanks for having me');
  await shown(bubble(alice, 'Thanks for having me').locator(tid('message-sender')).filter({ hasText: 'Bob Builder' }));

  // Carol's phone shows the list and the conversation as two screens
  await shown(conversationItem(carol, group).locator(tid('conversation-title')).filter({ hasText: teaParty }));
  await conversationItem(carol, group).click();
  await shown(find(carol, 'room', `[data-conversation="${group}"]`));
  await shown(bubble(carol, 'Welcome to the tea party').locator(tid('message-sender')).filter({ hasText: 'Alice Liddell' }));
  await shown(bubble(carol, 'Thanks for having me').locator(tid('message-sender')).filter({ hasText: 'Bob Builder' }));
  await find(carol, 'group-members-button').click();
  await shown(find(carol, 'group-member', `[data-user-id="${carol.id}"]`).filter({ hasText: '(you)' }));
  await shown(find(carol, 'group-member', `[data-user-id="${alice.id}"]`).filter({ hasText: 'Alice Liddell' }));
  await shown(find(carol, 'group-member', `[data-user-id="${bob.id}"]`).filter({ hasText: 'Bob Builder' }));
  await find(carol, 'group-members-button').click();
  await send(carol, 'Hello from my phone');
  await shown(bubble(alice, 'Hello from my phone').locator(tid('message-sender')).filter({ hasText: 'Carol Lewis' }));
  await shown(bubble(bob, 'Hello from my phone').locator(tid('message-sender')).filter({ hasText: 'Carol Lewis' }));
  await shown(ownStatus(alice, 'Welcome to the tea party', 'read'));
  // both others have read Carol's message — and so their read cursors are stored (the relay follows the write)
  await shown(ownStatus(carol, 'Hello from my phone', 'read').filter({ hasText: 'Read by 2' }));
  const composerBox = await find(carol, 'composer-input').boundingBox();
  assert.ok(composerBox && composerBox.x >= 0 && composerBox.x + composerBox.width <= PHONE.width,
    `the composer fits the phone's width: ${JSON.stringify(composerBox)}`);
  await find(carol, 'back-button').click();
  await shown(find(carol, 'conversation-list'));
  await shown(conversationItem(carol, group).locator(tid('conversation-preview')).filter({ hasText: 'You: Hello from my phone' }));
});

scenario(test, 7, 'reload: history, tombstone and previews as before, still signed in', everyone, async () => {
  // Bob (not "kept"): a reload of the same tab keeps him signed in
  await bob.page.reload();
  await shown(connState(bob, 'online'));
  await shown(find(bob, 'me').filter({ hasText: 'Bob Builder' }));
  await shown(conversationItem(bob, direct).locator(tid('conversation-preview')).filter({ hasText: 'message deleted' }));
  await shown(conversationItem(bob, group).locator(tid('conversation-preview')).filter({ hasText: 'Carol Lewis: Hello from my phone' }));
  assert.equal(await find(bob, 'conversation-unread').count(), 0, 'nothing unread: Bob read everything before the reload');

  // Alice ("keep me signed in"): closes the tab, opens the page again — still signed in
  await alice.page.close();
  await newPage(alice);
  await alice.page.goto(CHAT_URL + '/');
  await shown(connState(alice, 'online'));
  await shown(find(alice, 'me').filter({ hasText: 'Alice Liddell' }));
  await shown(conversationItem(alice, direct).locator(tid('conversation-preview')).filter({ hasText: 'You: message deleted' }));
  await shown(conversationItem(alice, group).locator(tid('conversation-preview')).filter({ hasText: 'Carol Lewis: Hello from my phone' }));
  await conversationItem(alice, direct).click();
  await shown(bubble(alice, 'Hi Bob, it is Alice (edited)', '[data-edited="true"]'));
  await shown(ownStatus(alice, 'Hi Bob, it is Alice (edited)', 'read'));
  await shown(bubble(alice, 'Hello Alice!', '[data-mine="false"]'));
  await shown(find(alice, 'message', '[data-deleted="true"]').locator(tid('message-body')).filter({ hasText: 'message deleted' }));
  assert.equal(await bubble(alice, 'This one will go').count(), 0, 'the deleted text is not shown after a reload');
  await shown(find(alice, 'date-separator').filter({ hasText: 'Today' }));
});

scenario(test, 8, 'Bob goes offline and comes back: the messages he missed appear', everyone, async () => {
  await conversationItem(bob, direct).click();
  await shown(bubble(bob, 'Hi Bob, it is Alice (edited)'));
  await bob.context.setOffline(true);
  await shown(connState(bob, 'reconnecting').or(connState(bob, 'offline')));
  await shown(contactDot(alice, bob, 'offline')); // after chat-service's grace period
  await send(alice, 'Are you there, Bob?');
  await send(alice, 'Write when you are back');
  assert.equal(await bubble(bob, 'Are you there, Bob?').count(), 0, 'nothing reaches Bob while he is offline');
  assert.equal(await ownStatus(alice, 'Write when you are back', 'read').count(), 0, 'not read while Bob is offline');

  await bob.context.setOffline(false);
  await shown(connState(bob, 'online'));
  await shown(bubble(bob, 'Are you there, Bob?'));
  await shown(bubble(bob, 'Write when you are back'));
  await shown(ownStatus(alice, 'Write when you are back', 'read')); // he has the conversation open
  await shown(contactDot(alice, bob, 'online'));
  await send(bob, 'Back again');
  await shown(bubble(alice, 'Back again'));
});

scenario(test, 9, 'without "keep me signed in", a new tab asks to sign in', everyone, async () => {
  await bob.page.close();
  await newPage(bob);
  await bob.page.goto(CHAT_URL + '/');
  await shown(find(bob, 'auth-form'));
  await shown(connState(bob, 'signed-out'));
  await find(bob, 'login-username').fill(bob.username);
  await find(bob, 'login-password').fill(PASSWORD);
  await find(bob, 'login-submit').click();
  await shown(connState(bob, 'online'));
  await shown(conversationItem(bob, direct).locator(tid('conversation-preview')).filter({ hasText: 'Back again' }));
});
