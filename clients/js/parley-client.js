// Parley JavaScript client: one WebSocket to chat-service with reconnect and resume built in.
// ES modules with no dependencies, for browsers and Node >= 20 (Node 20 has no global WebSocket:
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
//    4500-4999 (session ended, client bug) and an upgrade refused for the token (401/403): stop, and say why in
//    the `state` event (reconnecting-socket.js, shared with the /ws/notify client, parley-notify-client.js).
//  - A `ping` every heartbeatMs; a connection that stays silent for two heartbeats is treated as dead.
//  - subscribe() answers a Subscription whose `ready` settles with the server's answer (topic-subscriptions.js).
//  - send(), edit() and delete() take a timeout and an AbortSignal: the wait (and the resending) can end.

import { ReconnectingSocket, ParleyError, CloseCodes, RefusedStatus, probeToken } from './reconnecting-socket.js';
import { TopicSubscriptions, Subscription } from './topic-subscriptions.js';

export { ParleyError, CloseCodes, RefusedStatus, probeToken, Subscription };
export { ParleyNotifyClient, compareNotificationSeq } from './parley-notify-client.js';

const SEEN_IDS_KEPT = 5000; // message ids remembered for de-duplication (oldest forgotten first)
const TRANSIENT_ERRORS = new Set(['UNAVAILABLE', 'RATE_LIMITED']); // a send failing with these is retried

export class ParleyClient extends ReconnectingSocket {
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
   * @param {number} [options.sendTimeoutMs] default for send/edit/delete: give up waiting for `sent` after this
   *                                        many ms (default 0: wait, and resend across reconnects, until answered)
   * @param {function|false} [options.authCheck] see ReconnectingSocket: how a refused token is told from a network failure
   */
  constructor({ storage, storageKey = 'parley.cursors', ackDelayMs = 150, sendTimeoutMs = 0, ...connection } = {}) {
    super(connection);
    this.storage = storage;
    this.storageKey = storageKey;
    if (!(ackDelayMs >= 0)) throw new TypeError('ackDelayMs must be 0 or more');
    this.ackDelayMs = ackDelayMs;
    if (!(sendTimeoutMs >= 0)) throw new TypeError('sendTimeoutMs must be 0 or more');
    this.sendTimeoutMs = sendTimeoutMs;

    this.pending = new Map();  // clientMsgId -> { frame, resolve, reject }, in send order
    this.topics = new TopicSubscriptions((frame) => this.transmit(frame)); // renewed on every connection
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
  }

  // ---- the connection's life (ReconnectingSocket's hooks) ------------------------------------------

  onConnected() {
    this.syncsSent = 0;
    this.syncsDone = 0;
    for (const conversation of this.gapSince.keys()) this.gapSince.set(conversation, 0);
    this.sync(); // resume: everything after our cursors, and everything this device has not acknowledged
    for (const { frame } of this.pending.values()) this.transmit(frame); // same clientMsgId: stored once
    this.topics.resubscribe();
    for (const conversation of this.readsUnsent) this.transmit({ type: 'read', conversation, seq: this.readMarks.get(conversation) });
    this.readsUnsent.clear();
  }

  onDisconnected() {
    this.acked.clear(); // what the lost connection's last acks reached is unknown; due acks stay due for the next sync
  }

  onStopped(code, message) {
    this.failPending(code, message);
    this.topics.failAll(code, message);
  }

  onBackground() { this.flushAcks(); }

  clearTimers() {
    super.clearTimers();
    for (const timer of this.ackTimers.values()) clearTimeout(timer);
    this.ackTimers.clear();
  }

  // ---- sending ------------------------------------------------------------------------------------

  /**
   * Sends a message; resolves with the `sent` frame {clientMsgId, id, conversation, seq, ts} once it is
   * durable, rejects with a ParleyError if the server refuses it (bad input, unknown user, ...) — or with TIMEOUT /
   * ABORTED when `timeoutMs` (default: the client's sendTimeoutMs) passes or `signal` aborts first. After TIMEOUT or
   * ABORTED the client stops resending, but the message may already be stored: a `sent` event still reports it, and
   * sending again with the same clientMsgId stores nothing twice.
   * @param {{to: {user:number}|{group:string}, body: string, kind?: string, clientMsgId?: string}} message
   * @param {{signal?: AbortSignal, timeoutMs?: number}} [options]
   */
  send({ to, body, kind, clientMsgId = newClientMsgId() }, options) {
    const frame = { type: 'send', clientMsgId, to, body };
    if (kind) frame.kind = kind;
    return this.request(frame, options);
  }

  /** Edits one of your messages (`target` is its id); resolves with `sent` like send(). */
  edit({ conversation, target, body, clientMsgId = newClientMsgId() }, options) {
    return this.request({ type: 'edit', clientMsgId, conversation, target, body }, options);
  }

  /** Deletes one of your messages for everyone; resolves with `sent` like send(). */
  delete({ conversation, target, clientMsgId = newClientMsgId() }, options) {
    return this.request({ type: 'delete', clientMsgId, conversation, target }, options);
  }

  /**
   * A frame answered by `sent`: kept (same clientMsgId) and sent again after every reconnect until answered, or
   * until its timeout passes or its signal aborts.
   */
  request(frame, { signal, timeoutMs = this.sendTimeoutMs } = {}) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(aborted(signal));
        return;
      }
      let timer = null;
      const onAbort = () => this.giveUp(frame.clientMsgId, aborted(signal));
      const settled = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      this.pending.set(frame.clientMsgId, {
        frame,
        resolve: (sent) => { settled(); resolve(sent); },
        reject: (error) => { settled(); reject(error); },
      });
      if (timeoutMs > 0) {
        timer = setTimeout(() => this.giveUp(frame.clientMsgId,
          new ParleyError('TIMEOUT', `no answer from the server within ${timeoutMs} ms`)), timeoutMs);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.transmit(frame);
    });
  }

  /** Stops waiting for (and resending) a request; a `sent` that comes later is still emitted as an event. */
  giveUp(clientMsgId, error) {
    const entry = this.pending.get(clientMsgId);
    if (!entry) return;
    this.pending.delete(clientMsgId);
    entry.reject(error);
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
   * Subscribes to topics of an app; `publication` events follow. Returns a Subscription whose `ready` resolves with
   * the `subscribed` frame, or rejects with a ParleyError (FORBIDDEN: the app does not allow you; LIMIT_EXCEEDED,
   * RATE_LIMITED: nothing was subscribed). Subscriptions belong to a connection, so the client subscribes again after
   * every reconnect — except to topics refused, left, or withdrawn by the app (`unsubscribed` with a reason).
   * @returns {Subscription}
   */
  subscribe(appId, topics) {
    return this.topics.subscribe(appId, topics);
  }

  unsubscribe(appId, topics) {
    this.topics.unsubscribe(appId, topics);
  }

  failPending(code, message) {
    for (const { reject } of [...this.pending.values()]) reject(new ParleyError(code, message));
    this.pending.clear();
  }

  // ---- receiving ----------------------------------------------------------------------------------

  onFrame(frame) {
    switch (frame?.type) {
      case 'message': return this.handleMessage(frame);
      case 'sent': return this.handleSent(frame);
      case 'synced': return this.handleSynced(frame);
      case 'error': return this.handleError(frame);
      case 'subscribed':
        this.topics.handleSubscribed(frame);
        return this.emit('subscribed', frame);
      case 'unsubscribed':
        this.topics.handleUnsubscribed(frame);
        return this.emit('unsubscribed', frame);
      default: return this.emit(frame?.type, frame); // read, typing, presence, publication, token, ...
    }
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
    this.topics.handleError(error); // a refused subscribe has no ref: it answers the oldest one waiting
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

/** The rejection of a request whose AbortSignal fired: ABORTED, with the signal's reason as its cause. */
function aborted(signal) {
  return new ParleyError('ABORTED', 'the request was aborted', undefined, { cause: signal.reason });
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
