// The signed-in session and every REST call of the page (auth-service and chat-service), with token refresh.
//
// Where the refresh token is kept — and why:
//  - By default in sessionStorage: it survives a reload (the page comes back signed in) but not the tab, so
//    closing the tab signs the user out on this browser, and nothing is left behind on a shared computer.
//  - Only when the user ticks "Keep me signed in": in localStorage, so a closed tab or a restarted browser
//    stays signed in until the refresh token expires or the user signs out.
//  Either way it is readable by script on this origin; the page's Content-Security-Policy allows no inline or
//  foreign script, which is what keeps other script out. Refresh tokens rotate (each refresh answers a new one
//  and the old one stops working), and auth-service revokes the whole session when a used one is presented
//  again — so a copied token is worth one use at most, and its use signs the copy and us out (we notice at the
//  next refresh and ask to sign in again). Several tabs share a kept session: a tab refreshes under a Web Lock
//  and first re-reads the store, so two tabs never present the same refresh token twice.

import { defaultNotifyUrl } from '/notify-url.js';

const SESSION_KEY = 'parley.session';
const REFRESH_AHEAD_MS = 60_000; // refresh an access token this long before it expires

let session = readStored();
let refreshing = null;
let onEnded = () => {};

function readStored() {
  for (const store of [sessionStorage, localStorage]) {
    try {
      const stored = JSON.parse(store.getItem(SESSION_KEY) || 'null');
      if (stored?.refreshToken) return { ...stored, kept: store === localStorage };
    } catch { /* unreadable: as if absent */ }
  }
  return null;
}

function store(next) {
  session = next;
  const { kept, ...data } = next;
  (kept ? localStorage : sessionStorage).setItem(SESSION_KEY, JSON.stringify(data));
  (kept ? sessionStorage : localStorage).removeItem(SESSION_KEY);
}

export function currentSession() { return session; }

/** Called with a reason when the session ends on its own (refresh refused, revoked). */
export function onSessionEnded(fn) { onEnded = fn; }

export function saveLogin(login, authUrl, kept) {
  store({ authUrl, kept, accessToken: login.accessToken, refreshToken: login.refreshToken, userId: login.userId,
          expiresAt: Date.now() + (login.expiresIn ?? 900) * 1000 });
}

export function forgetSession() {
  session = null;
  sessionStorage.removeItem(SESSION_KEY);
  localStorage.removeItem(SESSION_KEY);
}

/** A REST failure with the contract's code: `{code, message}` bodies, or what the transport said. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** For people: "Nobody is called bob (NOT_FOUND)". */
  get readable() { return this.code ? `${this.message} (${this.code})` : this.message; }
}

async function failure(response) {
  let body = null;
  try { body = await response.json(); } catch { /* not JSON */ }
  return new ApiError(response.status, body?.code, body?.message || `${response.status} ${response.statusText}`);
}

function unreachable(url, e) {
  return new ApiError(0, 'UNREACHABLE', `cannot reach ${new URL(url, location.href).origin} (${e.message})`);
}

/** A call at auth-service without a token (sign-up, sign-in, refresh). */
export async function authPost(path, body, authUrl = session?.authUrl) {
  let response;
  try {
    response = await fetch(authUrl + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  } catch (e) {
    throw unreachable(authUrl + path, e);
  }
  if (!response.ok) throw await failure(response);
  return response.json();
}

async function refresh() {
  const used = session.refreshToken;
  const run = async () => {
    const latest = readStored(); // another tab of a kept session may have refreshed already: take its tokens
    if (latest && latest.refreshToken !== used && latest.userId === session.userId) { session = latest; return; }
    const login = await authPost('/api/v1/sessions/refresh', { refreshToken: session.refreshToken });
    saveLogin(login, session.authUrl, session.kept);
  };
  try {
    if (session.kept && navigator.locks) await navigator.locks.request('parley.refresh', run);
    else await run();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      forgetSession();
      onEnded(`Your session ended (${e.code}). Please sign in again.`);
    }
    throw e;
  }
}

/** A live access token: refreshed a minute before it expires (also for every reconnect of the socket). */
export async function accessToken() {
  if (!session) throw new ApiError(401, 'UNAUTHENTICATED', 'not signed in');
  if (Date.now() < session.expiresAt - REFRESH_AHEAD_MS) return session.accessToken;
  refreshing ??= refresh().finally(() => { refreshing = null; });
  await refreshing;
  return session.accessToken;
}

/** A call with the user's token; one retry after a refresh when the token was refused. Resolves with the JSON body. */
export async function call(url, { method = 'GET', body } = {}) {
  const attempt = async () => {
    try {
      return await fetch(url, { method, headers: { Authorization: `Bearer ${await accessToken()}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
                                body: body ? JSON.stringify(body) : undefined });
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw unreachable(url, e);
    }
  };
  let response = await attempt();
  if (response.status === 401 && session) {
    session.expiresAt = 0;
    response = await attempt();
  }
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? null : response.json();
}

const auth = (path) => `${session.authUrl}/api/v1${path}`;
const chat = (path) => `/api/v1${path}`;
const notify = (path) => `${notifyUrl()}/api/v1${path}`;

/** notify-service's base URL: the one chosen on the sign-in form, or this host's (notify-url.js). */
export function notifyUrl() {
  return localStorage.getItem('parley.notifyUrl') || defaultNotifyUrl(location);
}

export const api = {
  me: () => call(auth('/users/me')),
  usersByIds: async (ids) => (await call(auth(`/users?ids=${ids.join(',')}`))).users,
  userByUsername: async (username) => (await call(auth(`/users?username=${encodeURIComponent(username)}`))).users[0] ?? null,
  conversations: async () => (await call(chat('/conversations'))).conversations,
  history: (cid, limit, beforeSeq) => call(chat(`/conversations/${encodeURIComponent(cid)}/messages?limit=${limit}${beforeSeq ? `&beforeSeq=${beforeSeq}` : ''}`)),
  contacts: async () => (await call(chat('/contacts'))).contacts,
  addContact: (user) => call(chat('/contacts'), { method: 'POST', body: { user } }),
  createGroup: (name, members) => call(chat('/groups'), { method: 'POST', body: { name, members } }),
  group: (gid) => call(chat(`/groups/${encodeURIComponent(gid)}`)),
  /** The VAPID key browsers subscribe with; 404 NOT_FOUND when the deployment has no Web Push. No token needed. */
  vapidPublicKey: async () => {
    const url = notify('/push/vapid-public-key');
    let response;
    try { response = await fetch(url); } catch (e) { throw unreachable(url, e); }
    if (!response.ok) throw await failure(response);
    return (await response.json()).publicKey;
  },
  /** Registers this browser's push subscription for the signed-in device (the token's device id). */
  registerPushDevice: (subscription) => call(notify('/push/devices/current'), { method: 'PUT', body: { provider: 'webpush', token: subscription } }),
  /** Ends the session at auth-service (with a live token, so an expired access token still signs out) and here. */
  signOut: async () => {
    if (!session) return;
    const { authUrl } = session;
    let token = null;
    try { token = await accessToken(); } catch { /* refresh refused: the session is over already */ }
    forgetSession();
    if (token) await fetch(`${authUrl}/api/v1/sessions/current`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } }).catch(() => {});
  },
};
