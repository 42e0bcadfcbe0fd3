import { ParleyClient } from '/parley-client.js';

const $ = (id) => document.getElementById(id);
const PAGE = 50; // history page size

// ---- small helpers ---------------------------------------------------------------------------------
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v; else if (k.startsWith('on')) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
  }
  node.append(...children.filter((c) => c != null)); // strings become text nodes: no HTML injection
  return node;
}
let toastTimer;
function toast(text) {
  $('toast').textContent = text;
  $('toast').hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { $('toast').hidden = true; }, 4000);
}
const time = (ts) => new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const when = (ts) => (new Date(ts).toDateString() === new Date().toDateString() ? time(ts) : new Date(ts).toLocaleDateString());
function deviceId() { // one per browser, so a reload resumes from the cursors stored for it
  let id = localStorage.getItem('parley.deviceId');
  if (!id) {
    id = 'web-' + [...crypto.getRandomValues(new Uint8Array(6))].map((b) => b.toString(16).padStart(2, '0')).join('');
    localStorage.setItem('parley.deviceId', id);
  }
  return id;
}

// ---- session and HTTP ------------------------------------------------------------------------------
// The session lives in sessionStorage: each tab can be signed in as someone else (try two users side by side).
let session = JSON.parse(sessionStorage.getItem('parley.session') || 'null');
let me = null;
let client = null;
let refreshing = null;

function saveSession(login, authUrl) {
  session = { authUrl, accessToken: login.accessToken, refreshToken: login.refreshToken, userId: login.userId,
              expiresAt: Date.now() + (login.expiresIn ?? 900) * 1000 };
  sessionStorage.setItem('parley.session', JSON.stringify(session));
}

async function problem(response) {
  try { const body = await response.json(); return body.message || body.code || response.statusText; }
  catch { return `${response.status} ${response.statusText}`; }
}

async function authCall(path, body, authUrl = session.authUrl) {
  const response = await fetch(authUrl + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(await problem(response));
  return response.json();
}

/** A live access token: refreshed a minute before it expires (also used for every reconnect). */
async function accessToken() {
  if (Date.now() < session.expiresAt - 60_000) return session.accessToken;
  refreshing ??= authCall('/api/v1/sessions/refresh', { refreshToken: session.refreshToken })
    .then((login) => saveSession(login, session.authUrl))
    .catch((e) => { signOut(`Your session ended (${e.message}). Please sign in again.`); throw e; })
    .finally(() => { refreshing = null; });
  await refreshing;
  return session.accessToken;
}

async function api(url, options = {}) {
  const call = async () => fetch(url, { ...options, headers: { ...options.headers, Authorization: `Bearer ${await accessToken()}`,
                                                               ...(options.body ? { 'Content-Type': 'application/json' } : {}) } });
  let response = await call();
  if (response.status === 401 && session?.refreshToken) { session.expiresAt = 0; response = await call(); }
  return response;
}

// ---- sign in / out ---------------------------------------------------------------------------------
$('auth-url').value = localStorage.getItem('parley.authUrl') || `${location.protocol}//${location.hostname}:8081`;

async function signIn(create) {
  const form = $('auth');
  if (!form.reportValidity()) return;
  const authUrl = $('auth-url').value.replace(/\/+$/, '');
  const username = $('username').value.trim();
  const password = $('password').value;
  $('auth-error').textContent = '';
  for (const b of form.querySelectorAll('button')) b.disabled = true;
  try {
    if (create) {
      const displayName = $('display-name').value.trim();
      await authCall('/api/v1/users', { username, password, ...(displayName ? { displayName } : {}) }, authUrl);
    }
    const login = await authCall('/api/v1/sessions', { username, password, deviceId: deviceId() }, authUrl);
    localStorage.setItem('parley.authUrl', authUrl);
    saveSession(login, authUrl);
    $('password').value = '';
    await enterChat();
  } catch (e) {
    $('auth-error').textContent = e instanceof TypeError
      ? `Cannot reach auth-service at ${authUrl} (is it running, and does it allow this page's origin?)` : e.message;
  } finally {
    for (const b of form.querySelectorAll('button')) b.disabled = false;
  }
}
$('auth').addEventListener('submit', (e) => { e.preventDefault(); signIn(false); });
$('sign-up').addEventListener('click', () => signIn(true));

function signOut(reason) {
  const old = session;
  client?.close();
  client = null;
  session = null;
  me = null;
  sessionStorage.removeItem('parley.session');
  if (old && !reason) {
    fetch(old.authUrl + '/api/v1/sessions/current', { method: 'DELETE', headers: { Authorization: `Bearer ${old.accessToken}` } }).catch(() => {});
  }
  conversations.clear();
  messages.clear();
  current = null;
  $('chat').hidden = true;
  $('auth').hidden = false;
  for (const id of ['conn', 'me', 'sign-out']) $(id).hidden = true;
  $('auth-error').textContent = reason || '';
}
$('sign-out').addEventListener('click', () => signOut());

// ---- conversations ---------------------------------------------------------------------------------
const conversations = new Map(); // id -> { id, name, lastSeq, unread, preview, ts }
const messages = new Map();      // id -> Map(message id -> message): everything seen here, live or from history
let current = null;              // the open conversation: { id, messages, loading, exhausted }
const messagesOf = (cid) => messages.get(cid) || messages.set(cid, new Map()).get(cid);

function otherUser(cid) {
  const [, a, b] = cid.split(':').map(Number);
  return a === me.id ? b : a;
}
function titleOf(cid) {
  const c = conversations.get(cid);
  if (cid.startsWith('g:')) return c?.name || `Group ${cid.slice(2)}`;
  const other = otherUser(cid);
  return other === me.id ? 'Notes to self' : c?.name || `User #${other}`;
}
function recipientOf(cid) { return cid.startsWith('g:') ? { group: cid.slice(2) } : { user: otherUser(cid) }; }
function directId(a, b) { return `d:${Math.min(a, b)}:${Math.max(a, b)}`; }

function touch(cid, fields = {}) {
  const c = conversations.get(cid) || { id: cid, lastSeq: 0, unread: 0, ts: 0 };
  Object.assign(c, fields);
  conversations.set(cid, c);
  return c;
}

async function loadConversations() {
  try {
    const response = await api('/api/v1/conversations');
    if (!response.ok) throw new Error(await problem(response));
    const body = await response.json();
    const list = Array.isArray(body) ? body : body.conversations || body.items || [];
    for (const item of list) {
      const cid = item.id || item.conversation;
      if (!cid) continue;
      const known = conversations.get(cid);
      touch(cid, { name: item.name || known?.name, lastSeq: Math.max(item.lastSeq ?? 0, known?.lastSeq ?? 0),
                   unread: cid === current?.id ? 0 : item.unread ?? 0, preview: item.lastMessage?.body ?? known?.preview,
                   ts: Math.max(item.lastActivity ?? 0, known?.ts ?? 0), order: list.indexOf(item) });
    }
  } catch (e) {
    toast(`Could not load conversations: ${e.message}`);
  }
  renderConversations();
}

function renderConversations() {
  const list = [...conversations.values()].sort((x, y) => (y.ts - x.ts) || ((x.order ?? 1e9) - (y.order ?? 1e9)));
  const ul = $('conversations');
  ul.replaceChildren(...list.map((c) => el('li', { class: c.id === current?.id ? 'active' : '', 'data-cid': c.id, onclick: () => openConversation(c.id) },
    el('span', { class: 'title' }, titleOf(c.id)),
    c.unread ? el('span', { class: 'badge' }, String(c.unread)) : el('span'),
    el('span', { class: 'preview' }, c.preview ?? `${c.id.startsWith('g:') ? 'group' : 'direct chat'}${c.ts ? ` · active ${when(c.ts)}` : ''}`))));
  if (!list.length) ul.append(el('li', { class: 'empty' }, 'No conversations yet.'));
}

$('new-direct').addEventListener('submit', (e) => {
  e.preventDefault();
  const other = Number($('direct-user').value.trim());
  if (!Number.isSafeInteger(other) || other <= 0) return toast('A user id is a positive number');
  $('direct-user').value = '';
  const cid = directId(me.id, other);
  touch(cid);
  openConversation(cid);
});

$('new-group').addEventListener('submit', async (e) => {
  e.preventDefault();
  const members = $('group-members').value.split(/[\s,]+/).filter(Boolean).map(Number);
  if (members.some((m) => !Number.isSafeInteger(m) || m <= 0)) return toast('Members are user ids, separated by commas');
  const response = await api('/api/v1/groups', { method: 'POST', body: JSON.stringify({ name: $('group-name').value.trim(), members }) });
  if (!response.ok) return toast(`Could not create the group: ${await problem(response)}`);
  const group = await response.json();
  $('group-name').value = $('group-members').value = '';
  const cid = `g:${group.id}`;
  touch(cid, { name: group.name, ts: Date.now() });
  openConversation(cid);
});

// ---- one conversation ------------------------------------------------------------------------------
async function openConversation(cid) {
  current = { id: cid, messages: messagesOf(cid), loading: false, exhausted: false, first: true };
  touch(cid, { unread: 0 });
  renderConversations();
  $('placeholder').hidden = true;
  $('room').hidden = false;
  $('room-title').textContent = titleOf(cid);
  $('room-sub').textContent = cid.startsWith('g:') ? `group ${cid.slice(2)}` : `user id ${otherUser(cid)}`;
  renderMessages();
  await loadOlder();
  $('body').focus();
}

/** The newest page of history when a conversation opens, then (scrolling up) the page before the oldest shown. */
async function loadOlder() {
  const room = current;
  if (!room || room.loading || room.exhausted) return;
  room.loading = true;
  const first = room.first;
  room.first = false;
  const oldest = Math.min(...[...room.messages.values()].map((m) => m.seq ?? Infinity));
  const before = !first && Number.isFinite(oldest) ? `&beforeSeq=${oldest}` : '';
  try {
    const response = await api(`/api/v1/conversations/${encodeURIComponent(room.id)}/messages?limit=${PAGE}${before}`);
    if (response.status === 404) { room.exhausted = true; return; } // nothing written yet
    if (!response.ok) throw new Error(await problem(response));
    const body = await response.json();
    const page = Array.isArray(body) ? body : body.messages || body.items || [];
    if (body.hasMore === false || page.length < PAGE) room.exhausted = true;
    const box = $('messages');
    const fromBottom = box.scrollHeight - box.scrollTop;
    for (const m of page) addMessage(m, false);
    if (room !== current) return;
    renderMessages();
    box.scrollTop = first ? box.scrollHeight : box.scrollHeight - fromBottom; // keep the reader's place
  } catch (e) {
    room.exhausted = true;
    toast(`Could not load history: ${e.message}`);
  } finally {
    room.loading = false;
  }
}
$('messages').addEventListener('scroll', () => { if ($('messages').scrollTop < 60) loadOlder(); });

/** Adds (or updates) a message in the open conversation; keyed by id so history, live and replays meet once. */
function addMessage(m, render = true) {
  const list = messagesOf(m.conversation);
  if (m.kind === 'edit' || m.kind === 'delete') {
    const target = list.get(m.target);
    if (target) Object.assign(target, m.kind === 'edit' ? { body: m.body, edited: true } : { deleted: true });
  } else {
    list.set(m.id, { ...list.get(m.id), ...m });
  }
  if (render && m.conversation === current?.id) renderMessages(true);
}

function renderMessages(stickToBottom = false) {
  const box = $('messages');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const list = [...current.messages.values()].sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity) || (a.ts ?? 0) - (b.ts ?? 0));
  const group = current.id.startsWith('g:');
  const nodes = list.map((m) => {
    const mine = m.from === me.id;
    const classes = ['msg', mine && 'mine', m.failed && 'failed', m.deleted && 'deleted'].filter(Boolean).join(' ');
    const who = group && !mine ? `User #${m.from} · ` : '';
    const status = !mine ? '' : m.failed ? ` · not sent: ${m.failed}` : m.pending ? ' · sending…' : ' · ✓';
    return el('div', { class: classes, 'data-id': m.id },
      el('div', { class: 'bubble' }, m.deleted ? 'message deleted' : m.body),
      el('div', { class: 'meta' }, `${who}${m.ts ? time(m.ts) : ''}${m.edited ? ' · edited' : ''}${status}`));
  });
  if (current.exhausted && list.length) nodes.unshift(el('div', { class: 'note' }, 'beginning of the conversation'));
  if (!list.length) nodes.push(el('div', { class: 'note' }, 'No messages yet — say hello.'));
  box.replaceChildren(...nodes);
  if (stickToBottom && atBottom) box.scrollTop = box.scrollHeight;
}

$('composer').addEventListener('submit', (e) => { e.preventDefault(); sendMessage(); });
$('body').addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendMessage(); } });

async function sendMessage() {
  const text = $('body').value;
  if (!text.trim() || !current) return;
  $('body').value = '';
  const cid = current.id;
  const room = current;
  const clientMsgId = crypto.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  const draft = { id: clientMsgId, conversation: cid, from: me.id, body: text, ts: Date.now(), pending: true };
  room.messages.set(clientMsgId, draft);
  renderMessages();
  $('messages').scrollTop = $('messages').scrollHeight;
  touch(cid, { preview: text, ts: draft.ts });
  renderConversations();
  try {
    const sent = await client.send({ to: recipientOf(cid), body: text, clientMsgId });
    room.messages.delete(clientMsgId); // now known by its server id (the echo to other devices carries it)
    room.messages.set(sent.id, { ...draft, id: sent.id, seq: sent.seq, ts: sent.ts, pending: false });
    touch(cid, { lastSeq: Math.max(conversations.get(cid).lastSeq, sent.seq) });
  } catch (e) {
    Object.assign(draft, { pending: false, failed: e.message });
  }
  if (room === current) renderMessages(true);
}

// ---- the live connection ---------------------------------------------------------------------------
function connect() {
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/chat`;
  client = new ParleyClient({ url: wsUrl, token: accessToken, storage: localStorage,
                              storageKey: `parley.cursors.${me.id}.${deviceId()}` });
  client.on('state', ({ state, delayMs, code, reason }) => {
    $('conn').dataset.state = state;
    $('conn-text').textContent = state === 'reconnecting'
      ? `reconnecting${delayMs ? ` in ${Math.ceil(delayMs / 1000)} s` : '…'}`
      : state === 'closed' ? `offline${reason ? ` — ${reason}` : ''}` : state;
    if (state === 'closed' && code === 4501) signOut('Your session ended. Please sign in again.');
  });
  client.on('message', (m) => {
    const known = conversations.get(m.conversation);
    const fresh = m.seq > (known?.lastSeq ?? 0); // newer than what the conversation list already counted
    touch(m.conversation, {
      lastSeq: Math.max(known?.lastSeq ?? 0, m.seq),
      unread: (known?.unread ?? 0) + (fresh && m.conversation !== current?.id && m.from !== me.id ? 1 : 0),
      ...(m.kind === 'edit' || m.kind === 'delete' ? {} : { preview: m.body, ts: Math.max(known?.ts ?? 0, m.ts) }),
    });
    if (!known && m.conversation.startsWith('g:')) loadConversations(); // a new group: fetch its name
    addMessage(m);
    renderConversations();
  });
  client.on('error', (e) => { if (!e.ref || !e.ref.match(/^[0-9a-f-]{36}$/)) toast(`${e.code}: ${e.message}`); });
  client.connect().catch(() => {});
}

async function enterChat() {
  const response = await api(`${session.authUrl}/api/v1/users/me`);
  if (!response.ok) throw new Error(await problem(response));
  me = await response.json();
  $('auth').hidden = true;
  $('chat').hidden = false;
  $('me').replaceChildren('Signed in as ', el('b', {}, me.displayName || me.username), ` · your user id is `, el('b', { id: 'my-id' }, String(me.id)));
  for (const id of ['conn', 'me', 'sign-out']) $(id).hidden = false;
  $('placeholder').hidden = false;
  $('room').hidden = true;
  connect();
  await loadConversations();
}

if (session) enterChat().catch((e) => signOut(`Please sign in again (${e.message}).`));
