// The clients of scripts/backup-restore-trial.sh: users on the JavaScript client (clients/js), cursors kept in a
// file per user as a browser keeps them in localStorage, so a "device" reconnects after the restore with the cursors
// it had before. Run by the shell script (Node 20+ with --experimental-websocket); state in $TRIAL_DIR/state.json.
//
//   setup                 register alice, bob, carol; sign them in; a group of the three
//   traffic LABEL N       alice sends N messages to bob and N to the group; bob and carol receive them
//   newuser               dave registers and signs in, alice sends him one message
//   observe LABEL         after a restore: sign-in, GET /conversations against the cursors, sync from the old
//                         cursors, new messages (bob online, then offline and syncing), history; one JSON line
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { ParleyClient } from '../clients/js/parley-client.js';

const AUTH = process.env.TRIAL_AUTH_URL;
const CHAT = process.env.TRIAL_CHAT_URL;
const DIR = process.env.TRIAL_DIR;
const RUN = process.env.TRIAL_RUN ?? 't';
const STATE = `${DIR}/state.json`;
const PASSWORD = 'trial password 1';

const state = existsSync(STATE) ? JSON.parse(readFileSync(STATE, 'utf8')) : { users: {}, phases: {} };
const save = () => writeFileSync(STATE, JSON.stringify(state, null, 1));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error('   ', ...a);

async function http(method, url, token, body) {
  const res = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  return { status: res.status, json };
}

async function login(name) {
  const r = await http('POST', `${AUTH}/api/v1/sessions`, null,
    { username: `${RUN}_${name}`, password: PASSWORD, deviceId: 'trial' });
  if (r.status === 201) {
    Object.assign(state.users[name], { token: r.json.accessToken, refresh: r.json.refreshToken });
    save();
  }
  return r.status;
}

/** A localStorage stand-in kept in a file: the device's cursors outlive the process, as a browser's do. */
function fileStorage(name) {
  const file = `${DIR}/cursors-${name}.json`;
  return {
    getItem: () => (existsSync(file) ? readFileSync(file, 'utf8') : null),
    setItem: (_k, v) => writeFileSync(file, v),
  };
}

/** A connected client that records every message it is given, and when each sync completes. */
async function connect(name) {
  const client = new ParleyClient({
    url: `${CHAT.replace(/^http/, 'ws')}/ws/chat`, token: state.users[name].token,
    WebSocket: globalThis.WebSocket, storage: fileStorage(name), storageKey: 'cursors', heartbeatMs: 60_000,
  });
  client.got = [];
  client.syncs = 0;
  client.closes = [];
  client.on('message', (m) => client.got.push({ c: m.conversation, seq: m.seq, id: m.id, body: m.body }));
  client.on('synced', () => { client.syncs++; });
  client.on('state', (s) => { if (s.code) client.closes.push(s.code); });
  await Promise.race([client.connect(), sleep(10_000).then(() => { throw new Error(`${name}: no connection in 10 s`); })]);
  await until(() => client.syncs > 0, 10_000);
  return client;
}

async function until(test, ms) {
  const end = Date.now() + ms;
  while (!test() && Date.now() < end) await sleep(50);
  return test();
}

const direct = (a, b) => `d:${Math.min(a, b)}:${Math.max(a, b)}`;
const short = (m) => `${m.seq}:${m.body}`;

async function sendAll(alice, label, n, group = true) {
  const sent = [];
  for (let i = 1; i <= n; i++) {
    sent.push(await alice.send({ to: { user: state.users.bob.id }, body: `${label}-d${i}` }));
    if (group) sent.push(await alice.send({ to: { group: state.group }, body: `${label}-g${i}` }));
  }
  return sent.map((s) => ({ c: s.conversation, seq: s.seq, id: s.id }));
}

async function setup() {
  for (const name of ['alice', 'bob', 'carol']) {
    const r = await http('POST', `${AUTH}/api/v1/users`, null, { username: `${RUN}_${name}`, password: PASSWORD });
    if (r.status !== 201) throw new Error(`register ${name}: ${r.status} ${JSON.stringify(r.json)}`);
    state.users[name] = { id: r.json.id };
    if ((await login(name)) !== 201) throw new Error(`login ${name}`);
  }
  const g = await http('POST', `${CHAT}/api/v1/groups`, state.users.alice.token,
    { name: 'trial', members: [state.users.bob.id, state.users.carol.id] });
  if (g.status !== 201) throw new Error(`group: ${g.status} ${JSON.stringify(g.json)}`);
  state.group = g.json.id;
  state.directConversation = direct(state.users.alice.id, state.users.bob.id);
  state.groupConversation = `g:${state.group}`;
  save();
  console.log(JSON.stringify({ step: 'setup', users: Object.fromEntries(Object.entries(state.users).map(([k, v]) => [k, v.id])), group: state.group }));
}

async function traffic(label, n) {
  const bob = await connect('bob');
  const carol = await connect('carol');
  const alice = await connect('alice');
  const sent = await sendAll(alice, label, Number(n));
  await until(() => sent.every((s) => s.c === state.groupConversation
    ? carol.got.some((m) => m.id === s.id) && bob.got.some((m) => m.id === s.id)
    : bob.got.some((m) => m.id === s.id)), 15_000);
  await sleep(400); // the coalesced acks (150 ms) go out
  const result = { step: 'traffic', label, sent: sent.map((s) => `${s.c}#${s.seq}`), bobReceived: bob.got.length,
    bobCursors: Object.fromEntries(bob.cursors) };
  for (const c of [alice, bob, carol]) c.close();
  state.phases[label] = result;
  save();
  console.log(JSON.stringify(result));
}

async function newUser() {
  const r = await http('POST', `${AUTH}/api/v1/users`, null, { username: `${RUN}_dave`, password: PASSWORD });
  state.users.dave = { id: r.json?.id };
  await login('dave');
  const alice = await connect('alice');
  const s = await alice.send({ to: { user: state.users.dave.id }, body: 'to-dave-after-backup' });
  alice.close();
  save();
  console.log(JSON.stringify({ step: 'newuser', dave: state.users.dave.id, registered: r.status, sent: `${s.conversation}#${s.seq}` }));
}

/** Old token still good? Else the refresh token? Else the password (the account may be gone). */
async function signIn(name) {
  const u = state.users[name];
  const old = await http('GET', `${CHAT}/api/v1/conversations`, u.token);
  if (old.status === 200) return { oldAccessToken: 200 };
  const refreshed = await http('POST', `${AUTH}/api/v1/sessions/refresh`, null, { refreshToken: u.refresh });
  if (refreshed.status === 200) {
    u.token = refreshed.json.accessToken;
    u.refresh = refreshed.json.refreshToken;
    save();
    return { oldAccessToken: old.status, refresh: 200 };
  }
  return { oldAccessToken: old.status, refresh: refreshed.status, passwordLogin: await login(name) };
}

async function history(token, conversation) {
  const r = await http('GET', `${CHAT}/api/v1/conversations/${encodeURIComponent(conversation)}/messages?limit=200`, token);
  if (r.status !== 200) return { status: r.status };
  const msgs = r.json.messages.slice().reverse();
  const bySeq = new Map();
  for (const m of msgs) bySeq.set(m.seq, (bySeq.get(m.seq) ?? 0) + 1);
  return {
    count: msgs.length,
    seqs: msgs.map((m) => `${m.seq}:${m.body}`).join(' '),
    seqsTwice: [...bySeq].filter(([, k]) => k > 1).map(([s]) => s),
  };
}

async function observe(label) {
  const o = { step: 'observe', label };
  o.signIn = {};
  for (const name of ['alice', 'bob', 'carol']) o.signIn[name] = await signIn(name);
  if (state.users.dave) { // registered after the backup: the account is not in the restored MySQL
    const daveOld = await http('GET', `${CHAT}/api/v1/conversations`, state.users.dave.token);
    const daveMe = await http('GET', `${AUTH}/api/v1/users/me`, state.users.dave.token);
    o.signIn.dave = { oldAccessTokenChat: daveOld.status, oldAccessTokenAuthMe: daveMe.status, passwordLogin: await login('dave') };
  }
  const aliceConvs = await http('GET', `${CHAT}/api/v1/conversations`, state.users.alice.token);
  o.aliceConversations = aliceConvs.status === 200
    ? aliceConvs.json.conversations.map((c) => `${c.id}@${c.lastSeq}`) : { status: aliceConvs.status };
  // an account registered after the restore: which id does it get, and what comes with it?
  const eve = await http('POST', `${AUTH}/api/v1/users`, null, { username: `${RUN}_eve`, password: PASSWORD });
  state.users.eve = { id: eve.json?.id };
  await login('eve');
  o.newAccountAfterRestore = { status: eve.status, id: eve.json?.id, idOfLostAccount: state.users.dave?.id };
  if (state.users.dave) {
    const me = await http('GET', `${AUTH}/api/v1/users/me`, state.users.dave.token);
    const convs = await http('GET', `${CHAT}/api/v1/conversations`, state.users.dave.token);
    o.newAccountAfterRestore.lostAccountsOldToken = { authMe: me.status, username: me.json?.username,
      conversations: convs.status === 200 ? convs.json.conversations.map((c) => `${c.id}@${c.lastSeq}`) : convs.status };
  }
  const eveConvs = await http('GET', `${CHAT}/api/v1/conversations`, state.users.eve.token);
  o.newAccountAfterRestore.conversations = eveConvs.status === 200
    ? eveConvs.json.conversations.map((c) => `${c.id}@${c.lastSeq}`) : { status: eveConvs.status };
  for (const c of eveConvs.json?.conversations ?? []) {
    o.newAccountAfterRestore[`history ${c.id}`] = (await history(state.users.eve.token, c.id)).seqs;
  }
  const cursorsBefore = JSON.parse(fileStorage('bob').getItem() ?? '{}');
  o.bobCursorsBefore = cursorsBefore;
  const convs = await http('GET', `${CHAT}/api/v1/conversations`, state.users.bob.token);
  o.bobConversations = convs.status === 200
    ? convs.json.conversations.map((c) => ({ id: c.id, lastSeq: c.lastSeq, unread: c.unread, bobCursor: cursorsBefore[c.id] }))
    : { status: convs.status };

  // bob comes back with the cursors he had: what does the sync give him?
  const bob = await connect('bob');
  const carol = await connect('carol');
  await sleep(1000);
  o.syncFromOldCursors = bob.got.map((m) => `${m.c}#${short(m)}`);
  bob.got.length = 0;

  // new messages while bob is online
  const alice = await connect('alice');
  o.newSentOnline = (await sendAll(alice, `${label}-on`, 3)).map((s) => `${s.c}#${s.seq}`);
  await sleep(1500);
  o.bobLiveReceived = bob.got.map((m) => `${m.c}#${short(m)}`);
  o.bobCursorsAfterLive = Object.fromEntries(bob.cursors);
  bob.close();
  await sleep(300);

  // new messages while bob is offline, then bob syncs from his cursors
  o.newSentOffline = (await sendAll(alice, `${label}-off`, 2)).map((s) => `${s.c}#${s.seq}`);
  alice.close();
  carol.close();
  await sleep(500);
  const bob2 = await connect('bob');
  await sleep(1500);
  o.bobSyncAfterOffline = bob2.got.map((m) => `${m.c}#${short(m)}`);
  o.bobCursorsAfterSync = Object.fromEntries(bob2.cursors);
  bob2.close();

  o.historyDirect = await history(state.users.bob.token, state.directConversation);
  o.historyGroup = await history(state.users.bob.token, state.groupConversation);
  const convs2 = await http('GET', `${CHAT}/api/v1/conversations`, state.users.bob.token);
  o.bobConversationsAfter = convs2.status === 200
    ? convs2.json.conversations.map((c) => ({ id: c.id, lastSeq: c.lastSeq, unread: c.unread })) : { status: convs2.status };
  console.log(JSON.stringify(o));
}

const [cmd, ...args] = process.argv.slice(2);
const commands = { setup, traffic, newuser: newUser, observe };
if (!commands[cmd]) {
  console.error(`unknown command ${cmd}`);
  process.exit(2);
}
try {
  await commands[cmd](...args);
  process.exit(0);
} catch (e) {
  console.error(`${cmd}: ${e?.stack ?? e}`);
  process.exit(1);
}
