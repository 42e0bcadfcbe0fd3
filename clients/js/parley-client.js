// Parley JavaScript client: one WebSocket to chat-service with reconnect and resume built in.
// An ES module with no dependencies, for browsers and Node >= 20 (Node 20 has no global WebSocket:
// pass one, e.g. `new ParleyClient({ url, token, WebSocket: (await import('ws')).WebSocket })`).
//
// What it does for you (protocol: docs/protocol.md):
//  - send() resolves with the server's `sent` frame. The frame keeps its clientMsgId and is sent again
//    after every reconnect until `sent` arrives; the server stores a resent clientMsgId only once.
//  - Every `message` is acknowledged, duplicates (retransmissions, replays) are dropped by `id`. Acks are
//    coalesced (docs/protocol.md, "Acknowledging"): per conversation the first unacknowledged message starts
//    an ackDelayMs timer (150 ms) and its end sends one cumulative `ack` with the highest contiguous seq; due
//    acks are flushed at once when a sync completes, before close(), and when the page is hidden or left.
//  - Per conversation it keeps a cursor: the highest seq up to which it has everything. Cursors can be
//    persisted (any localStorage-like `storage`) and are sent in a `sync` after every (re)connect.
//  - A seq that jumps past cursor + 1 is a gap: the message is still shown, and a `sync` fills the gap.
//  - Close codes 4000-4499 and network loss: reconnect with exponential back-off and jitter.
//    4500-4999 (session ended, client bug): stop, and say why in the `state` event.
//  - A `ping` every heartbeatMs; a connection that stays silent for two heartbeats is treated as dead.

export const CloseCodes = Object.freeze({
  RECONNECT_ELSEWHERE: 4000, RESYNC: 4001, IDLE_TIMEOUT: 4002, SLOW_CONSUMER: 4003,
  RETRANSMIT_EXHAUSTED: 4004, RATE_LIMITED: 4429, SESSION_ENDED: 4501, FRAME_TOO_LARGE: 4513,
});

const OPEN = 1; // WebSocket.OPEN
const SEEN_IDS_KEPT = 5000; // message ids remembered for de-duplication (oldest forgotten first)
const TRANSIENT_ERRORS = new Set(['UNAVAILABLE', 'RATE_LIMITED']); // a send failing with these is retried

/** Client-side failure of a send: `code` is the server's error code (or CLOSED). */
export class ParleyError extends Error {
  constructor(code, message, frame) {
    super(message);
    this.name = 'ParleyError';
    this.code = code;
    this.frame = frame;
  }
}

export class ParleyClient {
  /**
   * @param {object} options
   * @param {string} options.url            ws(s)://host:8080/ws/chat
   * @param {string|function} options.token access token, or a (possibly async) function returning a fresh
   *                                        one; called before every connection attempt
   * @param {function} [options.WebSocket]  WebSocket constructor (default: globalThis.WebSocket)
   * @param {object} [options.storage]      getItem/setItem store for cursors, e.g. localStorage
   * @param {string} [options.storageKey]   key under which cursors are stored (one per user and device)
   * @param {number} [options.heartbeatMs]  ping interval (default 25 s; the server closes after 60 s idle)
   * @param {object} [options.backoff]      { initialMs: 500, maxMs: 30000, factor: 2, jitter: 0.5 }
   * @param {function} [options.random]     source of jitter (default Math.random)
   * @param {number} [options.ackDelayMs]   per conversation, at most one `ack` per this many ms (default 150);
   *                                        0 acknowledges every message at once
   */
  constructor({ url, token, WebSocket, storage, storageKey = 'parley.cursors', heartbeatMs = 25_000,
                backoff = {}, random = Math.random, ackDelayMs = 150 } = {}) {
    if (!url) throw new TypeError('url is required');
    if (token == null) throw new TypeError('token is required');
    this.url = url;
    this.token = token;
    this.WebSocket = WebSocket || globalThis.WebSocket;
    if (typeof this.WebSocket !== 'function') {
      throw new TypeError('no WebSocket: pass options.WebSocket (Node 20 has no global one)');
    }
    this.storage = storage;
    this.storageKey = storageKey;
    this.heartbeatMs = heartbeatMs;
    this.backoff = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5, ...backoff };
    this.random = random;
    if (!(ackDelayMs >= 0)) throw new TypeError('ackDelayMs must be 0 or more');
    this.ackDelayMs = ackDelayMs;

    this.state = 'idle';       // idle | connecting | connected | reconnecting | closed
    this.listeners = new Map(); // event type -> Set of functions
    this.ws = null;
    this.attempt = 0;          // failed connection attempts since the last good one (drives back-off)
    this.stopped = true;
    this.timers = { reconnect: null, heartbeat: null };
    this.lastHeard = 0;

    this.pending = new Map();  // clientMsgId -> { frame, resolve, reject }, in send order
    this.topics = new Map();   // appId -> Set of topics subscribed (renewed on every connection)
    this.readMarks = new Map(); // conversation -> the highest seq reported read (a lower or equal one says nothing)
    this.readsUnsent = new Set(); // conversations whose read mark could not go out (socket not open): sent on connect
    this.seen = new Set();     // recent message ids (insertion-ordered, so the oldest go first)
    this.cursors = this.loadCursors(); // conversation -> highest seq with nothing missing below it
    this.ahead = new Map();    // conversation -> Set of seqs received beyond a gap
    this.gapSince = new Map(); // conversation -> number of syncs sent when the gap was seen
    this.syncsSent = 0;        // on this connection
    this.syncsDone = 0;
    this.ackDue = new Set();   // conversations with something received since their last ack went out
    this.ackTimers = new Map(); // conversation -> the ackDelayMs timer its first unacknowledged message started
    this.acked = new Map();    // conversation -> the last seq acknowledged (so an ack that says nothing new is skipped)
    this.onOnline = () => { if (this.timers.reconnect) this.reconnectNow(); };
    // The browser lost its network: the open socket is dead even if no close event comes for a while (a TCP
    // connection without traffic notices nothing until the heartbeat); show it and reconnect when `online` fires.
    this.onOffline = () => {
      if (!this.ws || this.stopped) return;
      const ws = this.ws;
      this.detach();
      try { ws.close(4000, 'browser offline'); } catch { /* ignore */ }
      this.handleClose(1006, 'browser offline');
    };
    // The page is going away (or may be killed in the background): its due acks must not wait for their timers.
    this.onPageHide = () => this.flushAcks();
    this.onVisibilityChange = () => { if (globalThis.document?.visibilityState === 'hidden') this.flushAcks(); };
  }

  // ---- events -------------------------------------------------------------------------------------

  /** Subscribes to `message`, `sent`, `error`, `state`, `synced` or any other server frame type. */
  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
    return () => this.off(type, fn);
  }

  off(type, fn) { this.listeners.get(type)?.delete(fn); }

  emit(type, value) {
    for (const fn of this.listeners.get(type) ?? []) {
      try { fn(value); } catch (e) { console.error(`parley: a '${type}' listener failed`, e); }
    }
  }

  setState(state, details = {}) {
    this.state = state;
    this.emit('state', { state, ...details });
  }

  // ---- connection ---------------------------------------------------------------------------------

  /** Opens the connection; resolves once connected, rejects if the server ends the session first. */
  connect() {
    this.stopped = false;
    globalThis.addEventListener?.('online', this.onOnline);
    globalThis.addEventListener?.('offline', this.onOffline);
    globalThis.addEventListener?.('pagehide', this.onPageHide);
    globalThis.document?.addEventListener?.('visibilitychange', this.onVisibilityChange);
    const ready = new Promise((resolve, reject) => {
      const off = this.on('state', ({ state, code, reason }) => {
        if (state === 'connected') { off(); resolve(); }
        if (state === 'closed') { off(); reject(new ParleyError('CLOSED', `closed (${code}): ${reason}`)); }
      });
    });
    ready.catch(() => {}); // whoever awaits connect() sees the rejection; nobody else gets an unhandled one
    if (!this.ws && !this.timers.reconnect) this.open();
    return ready;
  }

  /** Closes for good (acknowledging what is due first); sends still waiting for `sent` are rejected. */
  close() {
    this.flushAcks(); // while the socket is still open
    this.stopped = true;
    globalThis.removeEventListener?.('online', this.onOnline);
    globalThis.removeEventListener?.('offline', this.onOffline);
    globalThis.removeEventListener?.('pagehide', this.onPageHide);
    globalThis.document?.removeEventListener?.('visibilitychange', this.onVisibilityChange);
    this.clearTimers();
    const ws = this.ws;
    this.detach();
    try { ws?.close(1000, 'client closed'); } catch { /* already closing */ }
    this.failPending('CLOSED', 'the client was closed');
    this.setState('closed', { code: 1000, reason: 'client closed' });
  }

  async open() {
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting', { attempt: this.attempt });
    let token;
    try {
      token = typeof this.token === 'function' ? await this.token() : this.token;
    } catch (e) {
      this.emit('error', { type: 'error', code: 'TOKEN', message: String(e?.message ?? e) });
      return this.scheduleReconnect(1006, 'could not get a token');
    }
    if (this.stopped) return;
    const url = this.url + (this.url.includes('?') ? '&' : '?') + 'access_token=' + encodeURIComponent(token);
    let ws;
    try {
      ws = new this.WebSocket(url);
    } catch (e) {
      return this.scheduleReconnect(1006, String(e?.message ?? e));
    }
    this.ws = ws;
    ws.onopen = () => this.handleOpen();
    ws.onmessage = (event) => this.handleFrame(event.data);
    ws.onclose = (event) => { this.detach(); this.handleClose(event.code, event.reason); };
    ws.onerror = () => { /* a close event follows */ };
  }

  handleOpen() {
    this.lastHeard = Date.now();
    this.syncsSent = 0;
    this.syncsDone = 0;
    for (const conversation of this.gapSince.keys()) this.gapSince.set(conversation, 0);
    this.timers.heartbeat = setInterval(() => this.heartbeat(), this.heartbeatMs);
    this.setState('connected');
    this.sync(); // resume: everything after our cursors, and everything this device has not acknowledged
    for (const { frame } of this.pending.values()) this.transmit(frame); // same clientMsgId: stored once
    for (const [appId, topics] of this.topics) this.transmit({ type: 'subscribe', appId, topics: [...topics] });
    for (const conversation of this.readsUnsent) this.transmit({ type: 'read', conversation, seq: this.readMarks.get(conversation) });
    this.readsUnsent.clear();
  }

  handleClose(code, reason = '') {
    this.clearTimers(); // due acks stay due: the sync after the reconnect flushes them
    this.acked.clear(); // what the lost connection's last acks reached is unknown
    if (this.stopped) return;
    if (code >= 4500 && code <= 4999) { // the server says: do not come back like this
      this.stopped = true;
      this.failPending('CLOSED', `connection closed (${code}): ${reason}`);
      this.setState('closed', { code, reason });
      return;
    }
    this.scheduleReconnect(code, reason);
  }

  /** Back-off: initialMs * factor^attempt, capped at maxMs, with the last `jitter` share randomised. */
  nextDelay(attempt) {
    const { initialMs, maxMs, factor, jitter } = this.backoff;
    const base = Math.min(maxMs, initialMs * factor ** attempt);
    return Math.round(base * (1 - jitter) + base * jitter * this.random());
  }

  scheduleReconnect(code, reason) {
    if (this.stopped) return;
    let delay = this.nextDelay(this.attempt);
    if (code === CloseCodes.RATE_LIMITED) delay = Math.max(delay, 5000); // "reconnect after a pause"
    this.attempt++;
    this.setState('reconnecting', { code, reason, attempt: this.attempt, delayMs: delay });
    this.timers.reconnect = setTimeout(() => { this.timers.reconnect = null; this.open(); }, delay);
  }

  /** Skips the remaining back-off (e.g. when the browser comes back online). */
  reconnectNow() {
    clearTimeout(this.timers.reconnect);
    this.timers.reconnect = null;
    if (!this.stopped && !this.ws) this.open();
  }

  heartbeat() {
    if (Date.now() - this.lastHeard > 2 * this.heartbeatMs) { // silent for too long: a dead connection
      const ws = this.ws;
      this.detach();
      try { ws?.close(4000, 'heartbeat timeout'); } catch { /* ignore */ }
      this.handleClose(1006, 'heartbeat timeout');
      return;
    }
    this.transmit({ type: 'ping' });
  }

  detach() {
    if (!this.ws) return;
    this.ws.onopen = this.ws.onmessage = this.ws.onclose = this.ws.onerror = null;
    this.ws = null;
  }

  clearTimers() {
    clearTimeout(this.timers.reconnect);
    clearInterval(this.timers.heartbeat);
    this.timers.reconnect = this.timers.heartbeat = null;
    for (const timer of this.ackTimers.values()) clearTimeout(timer);
    this.ackTimers.clear();
  }

  transmit(frame) {
    if (this.ws?.readyState !== OPEN) return false; // it goes out after the next (re)connect
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  // ---- sending ------------------------------------------------------------------------------------

  /**
   * Sends a message; resolves with the `sent` frame {clientMsgId, id, conversation, seq, ts} once it is
   * durable, rejects with a ParleyError if the server refuses it (bad input, unknown user, ...).
   * @param {{to: {user:number}|{group:string}, body: string, kind?: string, clientMsgId?: string}} message
   */
  send({ to, body, kind, clientMsgId = newClientMsgId() }) {
    const frame = { type: 'send', clientMsgId, to, body };
    if (kind) frame.kind = kind;
    return this.request(frame);
  }

  /** Edits one of your messages (`target` is its id); resolves with `sent` like send(). */
  edit({ conversation, target, body, clientMsgId = newClientMsgId() }) {
    return this.request({ type: 'edit', clientMsgId, conversation, target, body });
  }

  /** Deletes one of your messages for everyone; resolves with `sent` like send(). */
  delete({ conversation, target, clientMsgId = newClientMsgId() }) {
    return this.request({ type: 'delete', clientMsgId, conversation, target });
  }

  /** A frame answered by `sent`: kept (same clientMsgId) and sent again after every reconnect until answered. */
  request(frame) {
    return new Promise((resolve, reject) => {
      this.pending.set(frame.clientMsgId, { frame, resolve, reject });
      this.transmit(frame);
    });
  }

  /**
   * Everything up to `seq` in the conversation is read: the other members get a `read` frame. A seq not above the
   * last one reported for the conversation is skipped (the server's read cursor never moves back), so a UI may call
   * this on every render; one that cannot go out now (not connected) is sent on the next connection.
   * @returns {boolean} whether the read mark moved
   */
  read(conversation, seq) {
    if (!Number.isSafeInteger(seq) || seq <= (this.readMarks.get(conversation) ?? 0)) return false;
    this.readMarks.set(conversation, seq);
    if (this.transmit({ type: 'read', conversation, seq })) this.readsUnsent.delete(conversation);
    else this.readsUnsent.add(conversation);
    return true;
  }

  /** Tells the conversation's other online members that you are typing (send it every few seconds while you do). */
  typing(conversation) {
    this.transmit({ type: 'typing', conversation });
  }

  /**
   * Subscribes to topics of an app; `publication` events follow. Subscriptions belong to a connection, so the
   * client subscribes again after every reconnect.
   */
  subscribe(appId, topics) {
    if (!this.topics.has(appId)) this.topics.set(appId, new Set());
    for (const topic of topics) this.topics.get(appId).add(topic);
    this.transmit({ type: 'subscribe', appId, topics: [...topics] });
  }

  unsubscribe(appId, topics) {
    for (const topic of topics) this.topics.get(appId)?.delete(topic);
    if (this.topics.get(appId)?.size === 0) this.topics.delete(appId);
    this.transmit({ type: 'unsubscribe', appId, topics: [...topics] });
  }

  failPending(code, message) {
    for (const { reject } of this.pending.values()) reject(new ParleyError(code, message));
    this.pending.clear();
  }

  // ---- receiving ----------------------------------------------------------------------------------

  handleFrame(data) {
    this.lastHeard = Date.now();
    let frame;
    try { frame = JSON.parse(data); } catch { return; }
    switch (frame?.type) {
      case 'message': return this.handleMessage(frame);
      case 'sent': return this.handleSent(frame);
      case 'synced': return this.handleSynced(frame);
      case 'error': return this.handleError(frame);
      case 'pong': return undefined;
      case 'expiring': return this.handleExpiring(frame);
      default: return this.emit(frame?.type, frame); // read, typing, presence, publication, token, ...
    }
  }

  /**
   * The server's notice that this connection's access token ends at `exp` (epoch seconds): with a `token`
   * function, a fresh token is fetched and presented on the open socket (`{"type":"token"}`), so the connection
   * outlives the old token; a fixed token cannot be renewed, and the server closes the connection at `exp` (4501).
   */
  async handleExpiring(frame) {
    this.emit('expiring', frame);
    if (typeof this.token !== 'function') return;
    const ws = this.ws;
    let token;
    try {
      token = await this.token();
    } catch (e) {
      this.emit('error', { type: 'error', code: 'TOKEN', message: String(e?.message ?? e) });
      return;
    }
    if (this.ws === ws) this.transmit({ type: 'token', token }); // else a reconnect already used a fresh one
  }

  handleMessage(m) {
    if (this.seen.has(m.id)) { // a retransmission or replay: our ack may have been lost, so ack again
      this.acked.delete(m.conversation);
      this.scheduleAck(m.conversation);
      return;
    }
    this.remember(m.id);
    this.advance(m.conversation, m.seq);
    this.emit('message', m);
    this.scheduleAck(m.conversation);
  }

  handleSent(sent) {
    const entry = this.pending.get(sent.clientMsgId);
    if (!entry && this.seen.has(sent.id)) return; // the answer to a resend we already had
    this.pending.delete(sent.clientMsgId);
    if (!this.seen.has(sent.id)) { // our own message takes a seq in the conversation too: we have it,
      this.remember(sent.id);      // so it is acknowledged like any other (no unread count for it)
      this.advance(sent.conversation, sent.seq);
      this.scheduleAck(sent.conversation);
    }
    this.emit('sent', sent);
    entry?.resolve(sent);
  }

  handleError(error) {
    if (error.code === 'FORBIDDEN' && this.cursors.has(error.ref)) { // sync: no longer a member there
      this.setCursor(error.ref, undefined);
    }
    const entry = error.ref && this.pending.get(error.ref);
    if (entry) {
      if (TRANSIENT_ERRORS.has(error.code)) { // the server could not take it right now: try again
        setTimeout(() => { if (this.pending.has(error.ref)) this.transmit(entry.frame); }, 1000);
      } else {
        this.pending.delete(error.ref);
        entry.reject(new ParleyError(error.code, error.message, error));
      }
    }
    this.emit('error', error);
  }

  // ---- acknowledgements (docs/protocol.md, "Acknowledging") ----------------------------------------
  // `ack` is cumulative, so one frame per conversation every ackDelayMs says what one frame per message would:
  // a busy conversation costs the server one ack per 150 ms instead of one per message (a parse, a cursor move,
  // a walk of the unacknowledged window each), and costs the client fewer frames against the rate limit. The
  // timer is started by the first unacknowledged message and not restarted by later ones, so no message waits
  // more than ackDelayMs for its ack - far inside the server's 10 s retransmission.

  /** Something in the conversation needs acknowledging: at once with ackDelayMs 0, else when its timer ends. */
  scheduleAck(conversation) {
    this.ackDue.add(conversation);
    if (this.ackDelayMs <= 0) return this.ack(conversation);
    if (this.ackTimers.has(conversation)) return undefined; // the first unacknowledged message started it
    this.ackTimers.set(conversation, setTimeout(() => {
      this.ackTimers.delete(conversation);
      this.ack(conversation);
    }, this.ackDelayMs));
    return undefined;
  }

  /** Acknowledges at once every conversation with an ack due (sync completed, closing, page hidden or left). */
  flushAcks() {
    for (const conversation of [...this.ackDue]) {
      clearTimeout(this.ackTimers.get(conversation));
      this.ackTimers.delete(conversation);
      this.ack(conversation);
    }
  }

  /**
   * Acknowledges everything up to the conversation's cursor ("everything up to seq" on the server) - the highest
   * seq with nothing missing below it, so never past a gap. Skipped when that was already acknowledged; kept due
   * when the socket is not open (the sync after the reconnect flushes it).
   */
  ack(conversation) {
    const seq = this.cursors.get(conversation);
    if (seq === undefined || seq <= (this.acked.get(conversation) ?? -1)) {
      this.ackDue.delete(conversation);
      return;
    }
    if (this.transmit({ type: 'ack', conversation, seq })) {
      this.acked.set(conversation, seq);
      this.ackDue.delete(conversation);
    }
  }

  remember(id) {
    this.seen.add(id);
    if (this.seen.size > SEEN_IDS_KEPT) this.seen.delete(this.seen.values().next().value);
  }

  // ---- cursors, gaps and sync ---------------------------------------------------------------------

  /** Moves the conversation's cursor for a newly seen seq, or records a gap and asks for a sync. */
  advance(conversation, seq) {
    const cursor = this.cursors.get(conversation);
    if (cursor === undefined) {
      // First message of a conversation we have no cursor for: the server sends those from where this
      // device last acknowledged, so this seq is where we start (older ones are in the history API).
      this.setCursor(conversation, seq);
    } else if (seq === cursor + 1) {
      this.setCursor(conversation, this.drainAhead(conversation, seq));
    } else if (seq > cursor + 1) {
      if (!this.ahead.has(conversation)) this.ahead.set(conversation, new Set());
      this.ahead.get(conversation).add(seq);
      if (!this.gapSince.has(conversation)) {
        this.gapSince.set(conversation, this.syncsSent);
        this.emit('gap', { conversation, from: cursor + 1, to: seq - 1 });
        if (this.syncsDone === this.syncsSent) this.sync(); // else: handleSynced syncs again
      }
    } // seq <= cursor: an older message (replay), nothing to move
  }

  /** From a contiguous seq, follows the seqs already received beyond it; returns the new cursor. */
  drainAhead(conversation, seq) {
    const ahead = this.ahead.get(conversation);
    while (ahead?.delete(seq + 1)) seq++;
    if (!ahead?.size) {
      this.ahead.delete(conversation);
      this.gapSince.delete(conversation);
    }
    return seq;
  }

  sync() {
    if (this.transmit({ type: 'sync', cursors: Object.fromEntries(this.cursors) })) this.syncsSent++;
  }

  handleSynced(frame) {
    this.syncsDone++;
    if (!frame.more) {
      // A gap that a complete sync, sent after we saw the gap, did not fill has nothing to fill it: the
      // server replays every message after a cursor. Step over it rather than ask forever.
      for (const [conversation, since] of this.gapSince) {
        if (since < this.syncsDone) {
          this.setCursor(conversation, Math.max(...this.ahead.get(conversation)));
          this.ahead.delete(conversation);
          this.gapSince.delete(conversation);
          this.ackDue.add(conversation);
        }
      }
    }
    this.flushAcks(); // what the sync replayed is acknowledged now, not one timer later
    // more: the server sent one page per conversation, ask for the next; gaps seen since: fill them
    if (frame.more || this.gapSince.size > 0) this.sync();
    else this.attempt = 0; // caught up: the connection is good, back-off starts from the beginning
    this.emit('synced', frame);
  }

  setCursor(conversation, seq) {
    if (seq === undefined) {
      this.cursors.delete(conversation);
      this.acked.delete(conversation);
    } else {
      this.cursors.set(conversation, seq);
    }
    if (!this.storage) return;
    try {
      this.storage.setItem(this.storageKey, JSON.stringify(Object.fromEntries(this.cursors)));
    } catch { /* storage full or unavailable: cursors stay in memory */ }
  }

  loadCursors() {
    try {
      const stored = JSON.parse(this.storage?.getItem(this.storageKey) ?? '{}');
      return new Map(Object.entries(stored).filter(([, seq]) => Number.isSafeInteger(seq) && seq >= 0));
    } catch {
      return new Map();
    }
  }
}

/** A UUID; crypto.randomUUID needs a secure context (https or localhost), getRandomValues does not. */
function newClientMsgId() {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// ---- helpers for user interfaces (the web chat page uses them; no DOM in here) ---------------------

const isChange = (m) => m.kind === 'edit' || m.kind === 'delete';

/**
 * What one conversation shows: its messages with edits and deletes applied, and who has read how far. Feed it
 * history pages (newest first or not, any order) and live `message` frames alike; it keys by message `id`.
 *
 * - A change (`kind` edit/delete) is applied to the message whose `id` is its `target`; one whose target is not
 *   here yet (history is read newest first, so the change comes before the message it changes) waits for it.
 *   A delete is final; an edit applies only if newer (higher seq) than the change already applied.
 * - History gives the latest version: `editedSeq` marks an edited message, `kind: "deleted"` a tombstone.
 * - Read state: `read` frames (noteRead), and every message's sender, who has read up to their own message
 *   (the protocol moves a sender's read cursor when they send).
 */
export class Timeline {
  constructor({ conversation, me } = {}) {
    this.conversation = conversation;
    this.me = me;
    this.byId = new Map();    // message id -> the message as shown ({..frame, edited?, deleted?, changeSeq?})
    this.waiting = new Map(); // target id -> the change that arrived before its target
    this.readers = new Map(); // user -> highest seq they have read
    this.maxSeq = 0;          // highest seq seen, changes included (what `read` reports)
    this.minSeq = Infinity;   // lowest seq seen (where the next older history page starts)
  }

  /** Adds a message or applies a change; returns the message shown (or undefined for a change still waiting). */
  add(m) {
    if (Number.isSafeInteger(m.seq)) {
      this.maxSeq = Math.max(this.maxSeq, m.seq);
      this.minSeq = Math.min(this.minSeq, m.seq);
      if (m.from != null) this.noteRead(m.from, m.seq);
    }
    if (isChange(m)) {
      const target = this.byId.get(m.target);
      if (target) return applyChange(target, m);
      const earlier = this.waiting.get(m.target);
      if (!earlier || earlier.kind !== 'delete' && (m.kind === 'delete' || m.seq > earlier.seq)) this.waiting.set(m.target, m);
      return undefined;
    }
    const known = this.byId.get(m.id);
    const shown = { ...known, ...m };
    delete shown.pending;
    delete shown.failed;
    if (m.kind === 'deleted') Object.assign(shown, { deleted: true, body: '' });
    if (Number.isSafeInteger(m.editedSeq)) Object.assign(shown, { edited: true, changeSeq: Math.max(m.editedSeq, known?.changeSeq ?? 0) });
    if (known && (known.deleted || (known.changeSeq ?? 0) > (m.editedSeq ?? 0))) {
      // an older copy (a history page, a replay) must not undo a change already applied
      Object.assign(shown, { body: known.body, kind: known.kind, edited: known.edited, deleted: known.deleted, changeSeq: known.changeSeq });
    }
    this.byId.set(m.id, shown);
    const change = this.waiting.get(m.id);
    if (change) {
      this.waiting.delete(m.id);
      applyChange(shown, change);
    }
    return shown;
  }

  /** A message of ours not stored yet (keyed by its clientMsgId until `sent` names it). */
  addPending({ clientMsgId, from, body, ts = Date.now() }) {
    const draft = { id: clientMsgId, clientMsgId, conversation: this.conversation, from, body, kind: 'text', ts, pending: true };
    this.byId.set(clientMsgId, draft);
    return draft;
  }

  /** `sent` for a pending message: it becomes the stored message with its id and seq. */
  confirm(sent) {
    const draft = this.byId.get(sent.clientMsgId);
    this.byId.delete(sent.clientMsgId);
    return this.add({ ...draft, id: sent.id, seq: sent.seq, ts: sent.ts, conversation: sent.conversation ?? this.conversation });
  }

  fail(clientMsgId, reason) {
    const draft = this.byId.get(clientMsgId);
    if (draft) Object.assign(draft, { pending: false, failed: reason || 'not sent' });
    return draft;
  }

  remove(id) { this.byId.delete(id); }

  get(id) { return this.byId.get(id); }

  /** `user` has read everything up to `seq` (a `read` frame, or their own message). */
  noteRead(user, seq) {
    if (seq > (this.readers.get(user) ?? 0)) this.readers.set(user, seq);
  }

  /** Who besides the sender has read the message. */
  readersOf(m) {
    if (!Number.isSafeInteger(m.seq)) return [];
    return [...this.readers].filter(([user, seq]) => user !== m.from && seq >= m.seq).map(([user]) => user);
  }

  /** For the sender's own messages: pending (not stored yet), failed, sent (stored), read (someone else read it). */
  statusOf(m) {
    if (m.failed) return 'failed';
    if (m.pending || !Number.isSafeInteger(m.seq)) return 'pending';
    return this.readersOf(m).length ? 'read' : 'sent';
  }

  /** The messages in order: stored ones by seq, pending ones after them by time. */
  list() {
    return [...this.byId.values()].sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity) || (a.ts ?? 0) - (b.ts ?? 0));
  }

  /** The newest message (for a conversation list's preview), deleted ones included as what they are. */
  last() {
    let last;
    for (const m of this.byId.values()) if (!last || (m.seq ?? Infinity) >= (last.seq ?? Infinity)) last = m;
    return last;
  }
}

function applyChange(target, change) {
  if (target.deleted) return target;
  if (change.kind === 'delete') return Object.assign(target, { deleted: true, body: '', changeSeq: change.seq });
  if ((change.seq ?? 0) > (target.changeSeq ?? 0)) Object.assign(target, { body: change.body, edited: true, changeSeq: change.seq });
  return target;
}

/** The local calendar day of a timestamp, `YYYY-MM-DD`. */
export function dayKey(ts) {
  const d = new Date(ts);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** `Today`, `Yesterday` or the date, for a date separator. */
export function dayLabel(ts, now = Date.now(), locale = undefined) {
  const key = dayKey(ts);
  if (key === dayKey(now)) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (key === dayKey(yesterday)) return 'Yesterday';
  const d = new Date(ts);
  const sameYear = d.getFullYear() === new Date(now).getFullYear();
  return d.toLocaleDateString(locale, { weekday: 'short', day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) });
}

/** The messages in order with a `{separator: day, ts}` item before the first message of each day. */
export function withDaySeparators(messages) {
  const out = [];
  let day = null;
  for (const m of messages) {
    const key = dayKey(m.ts ?? Date.now());
    if (key !== day) out.push({ separator: key, ts: m.ts ?? Date.now() });
    day = key;
    out.push(m);
  }
  return out;
}

/**
 * When to send `typing`: at most once per intervalMs per conversation while the user types (the receivers show
 * it for a few seconds, so one frame per interval keeps "is typing…" up without a frame per keystroke).
 */
export class TypingThrottle {
  constructor({ intervalMs = 3000, now = Date.now } = {}) {
    this.intervalMs = intervalMs;
    this.now = now;
    this.lastSent = new Map(); // conversation -> when typing was last sent
  }

  /** The user typed: true if a `typing` frame is due now. */
  typed(conversation) {
    const t = this.now();
    const last = this.lastSent.get(conversation);
    if (last !== undefined && t - last < this.intervalMs) return false;
    this.lastSent.set(conversation, t);
    return true;
  }

  /** The message went out: the next keystroke starts a new round. */
  reset(conversation) { this.lastSent.delete(conversation); }
}

/**
 * Who is typing where, from `typing` frames: a user counts as typing for expiryMs after their last frame
 * (senders repeat it every few seconds while they type), or until a message of theirs arrives.
 */
export class TypingTracker {
  constructor({ expiryMs = 6000, now = Date.now } = {}) {
    this.expiryMs = expiryMs;
    this.now = now;
    this.seen = new Map(); // conversation -> Map(user -> when their last typing frame came)
  }

  typing(conversation, user) {
    if (!this.seen.has(conversation)) this.seen.set(conversation, new Map());
    this.seen.get(conversation).set(user, this.now());
  }

  stopped(conversation, user) { this.seen.get(conversation)?.delete(user); }

  /** The users typing in the conversation now, in the order they started. */
  who(conversation) {
    const users = this.seen.get(conversation);
    if (!users) return [];
    const t = this.now();
    for (const [user, at] of users) if (t - at >= this.expiryMs) users.delete(user);
    return [...users.keys()];
  }

  /** Milliseconds until the next of them expires (to schedule a re-render), or null. */
  nextExpiryIn(conversation) {
    const users = this.seen.get(conversation);
    if (!users?.size) return null;
    const t = this.now();
    return Math.max(0, Math.min(...[...users.values()].map((at) => at + this.expiryMs - t)));
  }
}

/**
 * Display names by user id, looked up in batches and cached. `lookup(ids)` resolves with `[{id, username,
 * displayName}]` (e.g. auth-service's `GET /api/v1/users?ids=`); ids asked for in the same tick go out as one
 * lookup (at most batchMax ids each). Ids the lookup does not return are remembered as unknown, not asked again.
 */
export class UserDirectory {
  constructor({ lookup, batchMax = 200, onChange = () => {} } = {}) {
    if (typeof lookup !== 'function') throw new TypeError('lookup is required');
    this.lookup = lookup;
    this.batchMax = batchMax;
    this.onChange = onChange;
    this.users = new Map();   // id -> {id, username, displayName}
    this.unknown = new Set(); // ids the lookup did not return
    this.inFlight = new Map(); // id -> the promise of the batch asking for it
    this.queued = null;       // {ids: Set, promise} of the batch being gathered in this tick
  }

  put(user) {
    if (!user || user.id == null) return;
    this.users.set(Number(user.id), user);
    this.unknown.delete(Number(user.id));
  }

  get(id) { return this.users.get(Number(id)); }

  /** A name to show: the display name, else the username, else `User #id` (and the id is looked up). */
  name(id) {
    const user = this.users.get(Number(id));
    if (!user) this.want([id]).catch(() => {});
    return user?.displayName || user?.username || `User #${id}`;
  }

  /** Looks up the ids not known yet; resolves once they are (or are known to be unknown). */
  want(ids) {
    const waits = [];
    for (const raw of ids) {
      const id = Number(raw);
      if (!Number.isSafeInteger(id) || id <= 0 || this.users.has(id) || this.unknown.has(id)) continue;
      if (this.inFlight.has(id)) { waits.push(this.inFlight.get(id)); continue; }
      if (!this.queued) {
        const queued = { ids: new Set() };
        queued.promise = Promise.resolve().then(() => this.flush(queued));
        this.queued = queued;
      }
      this.queued.ids.add(id);
      this.inFlight.set(id, this.queued.promise);
      waits.push(this.queued.promise);
    }
    return Promise.all(waits).then(() => undefined);
  }

  async flush(queued) {
    this.queued = null;
    const ids = [...queued.ids];
    try {
      for (let i = 0; i < ids.length; i += this.batchMax) {
        const batch = ids.slice(i, i + this.batchMax);
        const users = await this.lookup(batch);
        for (const user of users ?? []) this.put(user);
        for (const id of batch) if (!this.users.has(id)) this.unknown.add(id);
      }
    } finally {
      for (const id of ids) this.inFlight.delete(id); // a failed lookup is asked again next time
    }
    this.onChange(ids);
  }
}

export default ParleyClient;
