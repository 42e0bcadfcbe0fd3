// The web chat page: wiring between the user, the page's state, the REST calls (api.js), the DOM (views.js)
// and the WebSocket (the JavaScript client, /parley-client.js). Protocol: docs/protocol.md.
import { ParleyClient, Timeline, TypingThrottle, TypingTracker, UserDirectory } from '/parley-client.js';
import { defaultAuthUrl } from '/auth-url.js';
import { api, ApiError, authPost, accessToken, currentSession, forgetSession, saveLogin, onSessionEnded, notifyUrl } from '/api.js';
import { webPushSupported, enableWebPush, renewWebPush, conversationInAddress, onNotificationClick } from '/web-push.js';
import { $, el, toast, renderConnection, renderConversations, renderContacts, renderRoomHeader, renderMessages, renderTyping } from '/views.js';

const PAGE = 50;          // history page size
const PREVIEW_PAGE = 5;   // newest history items read for a conversation's preview (change events are items too)
const PREVIEWS_LOADED = 40; // conversations whose preview is fetched at sign-in (the newest ones)

// ---- the page's state (one signed-in user) -------------------------------------------------------------
const page = {
  me: null,
  client: null,
  directory: null,
  conversations: new Map(), // cid -> {id, type, name?, peer?, group?, lastSeq, unread, lastActivity}
  timelines: new Map(),     // cid -> Timeline (messages with edits/deletes applied, read state)
  contacts: new Map(),      // user id -> {user, status, lastSeen?, mutual}
  groups: new Map(),        // gid -> {id, name, owner, members, memberCount}
  current: null,            // the open conversation: {id, loading, exhausted}
  editing: null,            // {conversation, id} of the message being edited in the composer
  confirmDelete: null,      // id of the message whose delete waits for a second click
  typing: new TypingTracker({ expiryMs: 6000 }),
  typingThrottle: new TypingThrottle({ intervalMs: 3000 }),
  titleOf(cid) {
    if (cid.startsWith('g:')) return this.conversations.get(cid)?.name || this.groups.get(cid.slice(2))?.name || `Group ${cid.slice(2)}`;
    const peer = this.peerOf(cid);
    return peer === this.me.id ? `${this.directory.name(peer)} (you)` : this.directory.name(peer);
  },
  peerOf(cid) {
    const [, a, b] = cid.split(':').map(Number);
    return a === this.me.id ? b : a;
  },
};

const directId = (a, b) => `d:${Math.min(a, b)}:${Math.max(a, b)}`;
const recipientOf = (cid) => (cid.startsWith('g:') ? { group: cid.slice(2) } : { user: page.peerOf(cid) });
const visible = () => document.visibilityState === 'visible';
const readable = (e) => (e instanceof ApiError ? e.readable : e?.code ? `${e.message} (${e.code})` : String(e?.message ?? e));

function conversation(cid, fields = {}) {
  const known = page.conversations.get(cid) ?? { id: cid, type: cid.startsWith('g:') ? 'group' : 'direct', lastSeq: 0, unread: 0, lastActivity: 0 };
  const c = Object.assign(known, fields);
  if (c.type === 'direct' && c.peer == null) c.peer = page.peerOf(cid);
  page.conversations.set(cid, c);
  return c;
}

// Read receipts of others, as this browser saw them (read frames, and messages: a sender has read up to its own
// message). For direct chats the server lists the peer's read cursor (peerRead); for groups it has no call for the
// members' cursors, so a reload would otherwise lose the ticks of messages that nobody has answered yet.
const readsKey = () => `parley.reads.${page.me.id}`;
let readsSaveTimer = null;
function saveReads() {
  clearTimeout(readsSaveTimer);
  readsSaveTimer = setTimeout(() => {
    if (!page.me) return; // signed out meanwhile
    const all = {};
    for (const [cid, t] of page.timelines) if (t.readers.size) all[cid] = Object.fromEntries(t.readers);
    try { localStorage.setItem(readsKey(), JSON.stringify(all)); } catch { /* full: ticks come back with the next read frame */ }
  }, 300);
}

function timelineOf(cid) {
  let t = page.timelines.get(cid);
  if (!t) {
    t = new Timeline({ conversation: cid, me: page.me.id });
    try {
      const stored = JSON.parse(localStorage.getItem(readsKey()) || '{}')[cid] ?? {};
      for (const [user, seq] of Object.entries(stored)) t.noteRead(Number(user), seq);
    } catch { /* unreadable: start without */ }
    page.timelines.set(cid, t);
  }
  return t;
}

// ---- rendering -----------------------------------------------------------------------------------------
const actions = {
  edit(m) {
    page.editing = { conversation: m.conversation, id: m.id };
    page.confirmDelete = null;
    $('body').value = m.body;
    $('composer-mode').hidden = false;
    $('body').focus();
    renderRoom();
  },
  delete(m) { page.confirmDelete = m.id; renderRoom(); },
  async confirmDelete(m) {
    page.confirmDelete = null;
    try {
      const sent = await page.client.delete({ conversation: m.conversation, target: m.id });
      applyOwnChange({ kind: 'delete', target: m.id, body: '' }, sent);
    } catch (e) {
      toast(`Could not delete: ${readable(e)}`, { code: e.code });
      renderRoom();
    }
  },
  retry(m) {
    timelineOf(m.conversation).remove(m.id);
    send(m.conversation, m.body);
  },
};

function renderList() {
  renderConversations(page, openConversation);
  renderContacts(page, openDirect);
}

function renderRoom(options) {
  if (!page.current) return;
  renderRoomHeader(page);
  renderMessages(page, actions, options);
  renderTyping(page);
  markRead();
}

/** The open conversation is on screen and the tab visible: everything shown is read. */
function markRead() {
  const room = page.current;
  if (!room || !visible() || !page.client) return;
  const t = page.timelines.get(room.id);
  if (!t || t.maxSeq <= 0) return;
  page.client.read(room.id, t.maxSeq);
  const c = page.conversations.get(room.id);
  if (c?.unread) { c.unread = 0; renderConversations(page, openConversation); }
}
document.addEventListener('visibilitychange', () => { if (visible()) markRead(); });
window.addEventListener('focus', markRead);

// ---- connection state ----------------------------------------------------------------------------------
let countdown = null;
function showState({ state, delayMs, code, reason }) {
  clearInterval(countdown);
  if (state === 'connecting') renderConnection('connecting', 'connecting…');
  else if (state === 'connected') renderConnection('online', 'online');
  else if (state === 'reconnecting') {
    const at = Date.now() + (delayMs ?? 0);
    const tick = () => renderConnection('reconnecting', `reconnecting in ${Math.max(0, Math.ceil((at - Date.now()) / 1000))} s`);
    tick();
    countdown = setInterval(tick, 1000);
  } else if (state === 'closed') {
    // 4501: the session ended on the open socket; 401: the server refused the token at the upgrade (the client stopped)
    if (code === 4501 || code === 401) return signOut('Your session ended (signed out elsewhere, or it expired). Please sign in again.');
    if (code === 1000) return renderConnection('signed-out', 'signed out');
    renderConnection('offline', `offline — ${reason || `closed (${code})`}`);
    toast(code === 4508 ? 'Too many open Parley windows: this one was disconnected. Reload to use it again.'
      : `Disconnected: ${reason || code}`, { code: String(code) });
  }
}

// ---- sign in / out -------------------------------------------------------------------------------------
$('auth-url').value = localStorage.getItem('parley.authUrl') || defaultAuthUrl(location);
$('notify-url').value = notifyUrl();

function deviceId() { // one per browser, so a reload resumes from the cursors stored for it
  let id = localStorage.getItem('parley.deviceId');
  if (!id) {
    id = 'web-' + [...crypto.getRandomValues(new Uint8Array(6))].map((b) => b.toString(16).padStart(2, '0')).join('');
    localStorage.setItem('parley.deviceId', id);
  }
  return id;
}

async function signIn(create) {
  const form = $('auth');
  const authUrl = $('auth-url').value.trim().replace(/\/+$/, '');
  const username = $('username').value.trim();
  const password = $('password').value;
  $('auth-error').textContent = '';
  if (!$('username').checkValidity()) { $('auth-error').textContent = 'A username is 3–32 letters, digits, _ . or -'; return; }
  if (!$('password').checkValidity()) { $('auth-error').textContent = 'A password is 8–128 characters'; return; }
  for (const b of form.querySelectorAll('button')) b.disabled = true;
  try {
    if (create) {
      const displayName = $('display-name').value.trim();
      await authPost('/api/v1/users', { username, password, ...(displayName ? { displayName } : {}) }, authUrl);
    }
    const login = await authPost('/api/v1/sessions', { username, password, deviceId: deviceId() }, authUrl);
    localStorage.setItem('parley.authUrl', authUrl);
    const chosenNotifyUrl = $('notify-url').value.trim().replace(/\/+$/, '');
    if (chosenNotifyUrl) localStorage.setItem('parley.notifyUrl', chosenNotifyUrl);
    saveLogin(login, authUrl, $('remember').checked);
    $('password').value = '';
    await enterChat();
  } catch (e) {
    $('auth-error').textContent = e.code === 'UNREACHABLE'
      ? `Cannot reach auth-service at ${authUrl} — is it running, and does it allow this page's origin?`
      : e.code === 'USERNAME_TAKEN' ? 'That username is taken — pick another, or sign in.'
        : e.code === 'BAD_CREDENTIALS' ? 'Wrong username or password.' : readable(e);
  } finally {
    for (const b of form.querySelectorAll('button')) b.disabled = false;
  }
}
$('auth').addEventListener('submit', (e) => { e.preventDefault(); signIn(false); });
$('sign-up').addEventListener('click', () => signIn(true));

function leave() {
  clearTimeout(readsSaveTimer);
  page.client?.close();
  page.client = null;
  page.me = null;
  page.conversations.clear();
  page.timelines.clear();
  page.contacts.clear();
  page.groups.clear();
  page.current = page.editing = page.confirmDelete = null;
  $('chat').hidden = true;
  $('chat').classList.remove('in-room');
  $('auth').hidden = false;
  for (const id of ['me', 'sign-out', 'push-toggle']) $(id).hidden = true;
  clearInterval(countdown);
  renderConnection('signed-out', 'signed out');
}

/** The user signs out (ends the session at auth-service), or the session ended by itself (reason given). */
async function signOut(reason) {
  if (reason) forgetSession();
  else await api.signOut();
  leave();
  $('auth-error').textContent = reason || '';
}
onSessionEnded((reason) => { leave(); $('auth-error').textContent = reason; });
$('sign-out').addEventListener('click', () => signOut());

async function enterChat() {
  const me = await api.me();
  page.me = { ...me, id: Number(me.id) };
  page.directory = new UserDirectory({ lookup: (ids) => api.usersByIds(ids), onChange: () => { renderList(); if (page.current) renderRoom(); } });
  page.directory.put(page.me);
  $('auth').hidden = true;
  $('chat').hidden = false;
  const meBox = $('me');
  meBox.dataset.userId = String(page.me.id);
  meBox.dataset.username = page.me.username;
  meBox.replaceChildren(el('b', {}, page.me.displayName || page.me.username), ` @${page.me.username}`);
  for (const id of ['me', 'sign-out']) $(id).hidden = false;
  $('placeholder').hidden = false;
  $('room').hidden = true;
  connect();
  offerNotifications();
  await Promise.all([loadConversations(), loadContacts()]);
  const asked = conversationInAddress(); // a notification clicked while no tab was open
  if (asked) {
    history.replaceState(null, '', location.pathname);
    openAsked(asked);
  }
}

/** Opens a conversation a notification named (a direct chat or group of the user; anything else is ignored). */
function openAsked(cid) {
  if (!page.me || !/^(d:[1-9]\d{0,9}:[1-9]\d{0,9}|g:\d{1,19})$/.test(cid)) return;
  conversation(cid, {});
  openConversation(cid);
}

// ---- browser notifications (Web Push) -----------------------------------------------------------------
let vapidPublicKey = null;

function renderPush(state) {
  const button = $('push-toggle');
  button.dataset.state = state;
  button.textContent = { off: 'Turn on notifications', on: 'Notifications on', denied: 'Notifications blocked' }[state];
  button.disabled = state !== 'off';
}

/** Offers notifications when the browser can and the deployment has Web Push; renews a registration made before. */
async function offerNotifications() {
  if (!webPushSupported()) return;
  try {
    vapidPublicKey = await api.vapidPublicKey();
  } catch {
    return; // no Web Push on this deployment (404), or notify-service unreachable: nothing to offer
  }
  if (!page.me) return; // signed out meanwhile
  $('push-toggle').hidden = false;
  renderPush(Notification.permission === 'denied' ? 'denied' : 'off');
  try {
    if (await renewWebPush(vapidPublicKey, api.registerPushDevice)) renderPush('on');
  } catch (e) {
    toast(`Could not renew browser notifications: ${readable(e)}`, { code: e.code });
  }
}

$('push-toggle').addEventListener('click', async () => {
  $('push-toggle').disabled = true;
  try {
    const permission = await enableWebPush(vapidPublicKey, api.registerPushDevice);
    renderPush(permission === 'granted' ? 'on' : permission === 'denied' ? 'denied' : 'off');
  } catch (e) {
    renderPush('off');
    toast(`Could not turn on notifications: ${readable(e)}`, { code: e.code });
  }
});

onNotificationClick(openAsked);

// ---- conversations and contacts ------------------------------------------------------------------------
async function loadConversations() {
  try {
    const list = await api.conversations();
    for (const item of list) {
      const known = page.conversations.get(item.id);
      conversation(item.id, {
        type: item.type, name: item.name ?? known?.name, peer: item.peer ?? known?.peer, group: item.group,
        lastSeq: Math.max(item.lastSeq ?? 0, known?.lastSeq ?? 0),
        unread: item.id === page.current?.id && visible() ? 0 : item.unread ?? 0,
        lastActivity: Math.max(item.lastActivity ?? 0, known?.lastActivity ?? 0),
      });
      // how far the other side of a direct chat has read, from the server: ticks right on any device
      if (item.peer != null && item.peerRead > 0) timelineOf(item.id).noteRead(Number(item.peer), item.peerRead);
    }
    await page.directory.want(list.filter((c) => c.peer != null).map((c) => c.peer)).catch(() => {});
    renderList();
    loadPreviews(list.slice(0, PREVIEWS_LOADED).map((c) => c.id));
  } catch (e) {
    toast(`Could not load your chats: ${readable(e)}`, { code: e.code });
  }
}

/** The newest few items of each conversation, for its preview (a few at a time). */
async function loadPreviews(cids) {
  const queue = cids.filter((cid) => !page.timelines.get(cid)?.byId.size);
  const worker = async () => {
    for (let cid = queue.shift(); cid; cid = queue.shift()) {
      try {
        const { messages } = await api.history(cid, PREVIEW_PAGE);
        const t = timelineOf(cid);
        for (const m of messages) t.add(m);
        page.directory.want(messages.map((m) => m.from)).catch(() => {});
      } catch { /* the preview stays generic */ }
      renderConversations(page, openConversation);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}

// A pending contact needs no polling: when they add us back, the server sends their presence frame at once
// (docs/protocol.md, POST /contacts), and the presence handler marks them mutual.
async function loadContacts() {
  try {
    const list = await api.contacts();
    page.contacts.clear();
    for (const c of list) page.contacts.set(Number(c.user), { ...c, user: Number(c.user) });
    await page.directory.want(list.map((c) => c.user)).catch(() => {});
  } catch (e) {
    toast(`Could not load your contacts: ${readable(e)}`, { code: e.code });
  }
  renderList();
}

async function findUser() {
  const username = $('find-username').value.trim();
  if (!username) { toast('Type a username first'); return null; }
  try {
    const user = await api.userByUsername(username);
    if (!user) { toast(`Nobody is called “${username}”.`, { code: 'NOT_FOUND' }); return null; }
    const found = { ...user, id: Number(user.id) };
    page.directory.put(found);
    return found;
  } catch (e) {
    toast(`Could not look up “${username}”: ${readable(e)}`, { code: e.code });
    return null;
  }
}

$('find').addEventListener('submit', async (e) => {
  e.preventDefault();
  const user = await findUser();
  if (!user) return;
  $('find-username').value = '';
  openDirect(user.id);
});

$('add-contact').addEventListener('click', async () => {
  const user = await findUser();
  if (!user) return;
  try {
    const c = await api.addContact(user.id);
    page.contacts.set(user.id, { ...c, user: Number(c.user) });
    $('find-username').value = '';
    toast(c.mutual ? `${page.directory.name(user.id)} is now a contact.`
      : `${page.directory.name(user.id)} added. You see each other online once they add you too.`, { kind: 'info' });
    renderList();
    if (page.current) renderRoomHeader(page);
  } catch (err) {
    toast(`Could not add ${username(user)}: ${readable(err)}`, { code: err.code });
  }
});
const username = (user) => `@${user.username}`;

$('new-group').addEventListener('submit', async (e) => {
  e.preventDefault();
  const name = $('group-name').value.trim();
  const names = [...new Set($('group-members').value.split(/[\s,]+/).map((s) => s.replace(/^@/, '')).filter(Boolean))];
  if (!name || !names.length) return toast('A group needs a name and at least one member’s username');
  try {
    const found = await Promise.all(names.map((n) => api.userByUsername(n)));
    const missing = names.filter((n, i) => !found[i]);
    if (missing.length) return toast(`No user called ${missing.map((n) => `“${n}”`).join(', ')}.`, { code: 'NOT_FOUND' });
    for (const u of found) page.directory.put({ ...u, id: Number(u.id) });
    const ids = found.map((u) => Number(u.id)).filter((id) => id !== page.me.id);
    const group = await api.createGroup(name, ids);
    const gid = String(group.id);
    page.groups.set(gid, { ...group, id: gid, owner: page.me.id, memberCount: group.members.length });
    conversation(`g:${gid}`, { type: 'group', name: group.name, group: gid, lastActivity: Date.now() });
    $('group-name').value = $('group-members').value = '';
    openConversation(`g:${gid}`);
  } catch (err) {
    toast(`Could not create the group: ${readable(err)}`, { code: err.code });
  }
});

function openDirect(userId) {
  const cid = directId(page.me.id, Number(userId));
  conversation(cid, {});
  openConversation(cid);
}

// ---- one conversation ----------------------------------------------------------------------------------
async function openConversation(cid) {
  if (page.current?.id !== cid) leaveEditing();
  page.current = { id: cid, loading: false, exhausted: false };
  timelineOf(cid);
  $('chat').classList.add('in-room');
  $('placeholder').hidden = true;
  $('room').hidden = false;
  $('members').hidden = true;
  renderList();
  renderRoom({ toBottom: true });
  if (cid.startsWith('g:')) loadGroup(cid.slice(2));
  await loadOlder(true);
  if (matchMedia('(min-width: 721px)').matches) $('body').focus();
}

async function loadGroup(gid) {
  try {
    const group = await api.group(gid);
    page.groups.set(gid, { ...group, id: String(group.id), members: group.members.map(Number) });
    await page.directory.want(group.members).catch(() => {});
    if (page.current?.id === `g:${gid}`) renderRoomHeader(page);
  } catch (e) {
    toast(`Could not load the group: ${readable(e)}`, { code: e.code });
  }
}

$('members-toggle').addEventListener('click', () => { $('members').hidden = !$('members').hidden; });
$('back').addEventListener('click', () => {
  leaveEditing();
  page.current = null;
  $('chat').classList.remove('in-room');
  $('room').hidden = true;
  $('placeholder').hidden = false;
  renderList();
});

/** The newest page of history (first) or the page before the oldest shown (scrolling up). */
async function loadOlder(first = false) {
  const room = page.current;
  if (!room || room.loading || room.exhausted) return;
  const t = timelineOf(room.id);
  room.loading = true;
  try {
    const before = !first && Number.isFinite(t.minSeq) ? t.minSeq : undefined;
    const body = await api.history(room.id, PAGE, before);
    for (const m of body.messages) t.add(m);
    if (!body.hasMore) room.exhausted = true;
    page.directory.want(body.messages.map((m) => m.from)).catch(() => {});
  } catch (e) {
    room.exhausted = true;
    if (e.status !== 404) toast(`Could not load messages: ${readable(e)}`, { code: e.code }); // 404: nothing written yet
  } finally {
    room.loading = false;
  }
  if (room !== page.current) return;
  renderRoom({ toBottom: first });
  renderConversations(page, openConversation);
}
$('messages').addEventListener('scroll', () => { if ($('messages').scrollTop < 60) loadOlder(); });

// ---- composing -----------------------------------------------------------------------------------------
function leaveEditing() {
  if (!page.editing) return;
  page.editing = null;
  $('composer-mode').hidden = true;
  $('body').value = '';
}
$('composer-cancel').addEventListener('click', () => { leaveEditing(); renderRoom(); });

$('composer').addEventListener('submit', (e) => { e.preventDefault(); submit(); });
$('body').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
  if (e.key === 'Escape' && page.editing) { leaveEditing(); renderRoom(); }
});
$('body').addEventListener('input', () => {
  const room = page.current;
  if (room && !page.editing && $('body').value.trim() && page.typingThrottle.typed(room.id)) page.client?.typing(room.id);
});

async function submit() {
  const text = $('body').value;
  const room = page.current;
  if (!text.trim() || !room) return;
  if (page.editing) {
    const { conversation: cid, id } = page.editing;
    leaveEditing();
    try {
      const sent = await page.client.edit({ conversation: cid, target: id, body: text });
      applyOwnChange({ kind: 'edit', target: id, body: text }, sent);
    } catch (e) {
      toast(`Could not edit: ${readable(e)}`, { code: e.code });
      renderRoom();
    }
    return;
  }
  $('body').value = '';
  page.typingThrottle.reset(room.id);
  send(room.id, text);
}

async function send(cid, text) {
  const t = timelineOf(cid);
  const clientMsgId = crypto.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  t.addPending({ clientMsgId, from: page.me.id, body: text });
  conversation(cid, { lastActivity: Date.now() });
  if (page.current?.id === cid) renderRoom({ toBottom: true });
  renderConversations(page, openConversation);
  try {
    const sent = await page.client.send({ to: recipientOf(cid), body: text, clientMsgId });
    t.confirm(sent);
    const c = conversation(cid);
    c.lastSeq = Math.max(c.lastSeq, sent.seq);
  } catch (e) {
    t.fail(clientMsgId, readable(e));
    toast(`Message not sent: ${readable(e)}`, { code: e.code });
  }
  if (page.current?.id === cid) renderRoom();
  renderConversations(page, openConversation);
}

/** Our own edit or delete was stored: apply it here (other devices get it as a message). */
function applyOwnChange(change, sent) {
  const t = timelineOf(sent.conversation);
  t.add({ ...change, id: sent.id, seq: sent.seq, ts: sent.ts, conversation: sent.conversation, from: page.me.id });
  if (page.current?.id === sent.conversation) renderRoom();
  renderConversations(page, openConversation);
}

// ---- the live connection -------------------------------------------------------------------------------
function connect() {
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/chat`;
  const client = new ParleyClient({ url: wsUrl, token: accessToken, storage: localStorage,
                                    storageKey: `parley.cursors.${page.me.id}.${deviceId()}` });
  page.client = client;
  client.on('state', showState);
  client.on('message', onMessage);
  client.on('read', ({ conversation: cid, user, seq }) => {
    timelineOf(cid).noteRead(Number(user), seq);
    saveReads();
    if (page.current?.id === cid) renderMessages(page, actions);
  });
  client.on('typing', ({ conversation: cid, user }) => {
    if (Number(user) === page.me.id) return;
    page.typing.typing(cid, Number(user));
    if (page.current?.id === cid) renderTyping(page);
    setTimeout(() => { if (page.current?.id === cid) renderTyping(page); }, page.typing.expiryMs + 50);
  });
  client.on('presence', ({ user, status, lastSeen }) => {
    const id = Number(user);
    const c = page.contacts.get(id) ?? { user: id, mutual: true };
    page.contacts.set(id, { ...c, status, lastSeen: lastSeen ?? c.lastSeen, mutual: true });
    renderContacts(page, openDirect);
    if (page.current && !page.current.id.startsWith('g:') && page.peerOf(page.current.id) === id) renderRoomHeader(page);
  });
  client.on('membership', ({ group, joined }) => {
    // added to a group (or left it) on any device: the list shows it before its first message
    if (joined) { loadConversations(); return; }
    page.conversations.delete(`g:${group}`);
    renderList();
  });
  client.on('synced', () => { if (page.current) markRead(); });
  client.on('error', (e) => {
    if (e.ref && (e.code === 'UNAVAILABLE' || e.code === 'RATE_LIMITED')) return; // the client resends by itself
    if (e.code === 'TOKEN') return; // a refresh that failed: the session handler says what happened
    toast(`${e.message} (${e.code})`, { code: e.code });
  });
  client.connect().catch(() => {});
}

function onMessage(m) {
  const cid = m.conversation;
  const known = page.conversations.get(cid);
  const c = conversation(cid);
  const fresh = m.seq > (known?.lastSeq ?? 0); // newer than what the conversation list counted already
  const seen = page.current?.id === cid && visible();
  c.lastSeq = Math.max(c.lastSeq, m.seq);
  if (m.kind !== 'edit' && m.kind !== 'delete') c.lastActivity = Math.max(c.lastActivity ?? 0, m.ts ?? Date.now());
  if (fresh && !seen && m.from !== page.me.id && m.kind !== 'edit' && m.kind !== 'delete') c.unread = (c.unread ?? 0) + 1;
  timelineOf(cid).add(m);
  page.typing.stopped(cid, m.from);
  page.directory.want([m.from]).catch(() => {});
  if (!known && cid.startsWith('g:')) loadConversations(); // a group we were just added to: fetch its name
  if (page.current?.id === cid) renderRoom();
  renderConversations(page, openConversation);
}

// ---- start ---------------------------------------------------------------------------------------------
if (currentSession()) {
  renderConnection('connecting', 'connecting…');
  enterChat().catch((e) => {
    if (!currentSession()) return; // the session handler has said why already
    if (e.status === 401) return signOut(`Please sign in again (${readable(e)}).`);
    leave(); // e.g. auth-service unreachable: keep the session, a reload tries again
    $('auth-error').textContent = `Could not resume your session: ${readable(e)}. Reload to try again.`;
  });
}
