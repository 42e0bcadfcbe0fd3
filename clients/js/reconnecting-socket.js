// The connection life both Parley sockets share (/ws/chat: ParleyClient, /ws/notify: ParleyNotifyClient): a token
// fetched before every attempt, reconnect with back-off, close codes, heartbeat, token renewal on `expiring`, the
// browser's online/offline and page-hide events — and the end of trying when the server refuses the token.
//
// Why a refused upgrade needs a question of its own: chat-service refuses an upgrade with a bad, expired or revoked
// token with HTTP 401 (403 for an app token), but neither a browser's WebSocket nor Node's says so — the socket just
// closes with 1006 before it opened, exactly as when the network is down. So after a socket that never opened, the
// client asks the same server with the same token over plain HTTP (`authCheck`, by default a GET of
// /api/v1/conversations, which answers 401/403 for a token the upgrade refuses); on 401/403 it stops, instead of
// presenting a dead token every 30 s for ever.

export const CloseCodes = Object.freeze({
  RECONNECT_ELSEWHERE: 4000, RESYNC: 4001, IDLE_TIMEOUT: 4002, SLOW_CONSUMER: 4003,
  RETRANSMIT_EXHAUSTED: 4004, SHEDDING: 4006, RATE_LIMITED: 4429, SESSION_ENDED: 4501, TOO_MANY_CONNECTIONS: 4508,
  FRAME_TOO_LARGE: 4513,
});

/** HTTP statuses of a refused upgrade (docs/protocol.md): the `code` of the `closed` state when the token is refused. */
export const RefusedStatus = Object.freeze({ UNAUTHORIZED: 401, FORBIDDEN: 403 });

const OPEN = 1; // WebSocket.OPEN

/** A failure of a request to the server: `code` is the server's error code, or CLOSED, TIMEOUT, ABORTED. */
export class ParleyError extends Error {
  constructor(code, message, frame, options) {
    super(message, options);
    this.name = 'ParleyError';
    this.code = code;
    this.frame = frame;
  }
}

/**
 * The default `authCheck`: the status a plain GET of the socket's server answers for the token — 401 (refused) or
 * 403 (an app token) when the upgrade would be refused for it. 0 when the question cannot be asked (no fetch, no
 * network, a cross-origin page without CORS): the client then reconnects as after any network failure.
 */
export async function probeToken(socketUrl, token) {
  if (typeof globalThis.fetch !== 'function') return 0;
  try {
    const url = new URL(socketUrl, globalThis.location?.href);
    url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
    url.pathname = '/api/v1/conversations';
    url.search = '';
    const response = await globalThis.fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    return response.status;
  } catch {
    return 0;
  }
}

export class ReconnectingSocket {
  /**
   * @param {object} options
   * @param {string} options.url            ws(s)://host:8080/ws/chat or /ws/notify
   * @param {string|function} options.token access token, or a (possibly async) function returning a fresh one;
   *                                        called before every connection attempt and when the server says `expiring`
   * @param {function} [options.WebSocket]  WebSocket constructor (default: globalThis.WebSocket)
   * @param {number} [options.heartbeatMs]  ping interval (default 25 s; the server closes after 60 s idle)
   * @param {object} [options.backoff]      { initialMs: 500, maxMs: 30000, factor: 2, jitter: 0.5 }
   * @param {function} [options.random]     source of jitter (default Math.random)
   * @param {function|false} [options.authCheck] (token) => HTTP status, asked after a socket that never opened;
   *                                        401/403 stop the client. Default: probeToken on the socket's server
   */
  constructor({ url, token, WebSocket, heartbeatMs = 25_000, backoff = {}, random = Math.random, authCheck } = {}) {
    if (!url) throw new TypeError('url is required');
    if (token == null) throw new TypeError('token is required');
    this.url = url;
    this.token = token;
    this.WebSocket = WebSocket || globalThis.WebSocket;
    if (typeof this.WebSocket !== 'function') {
      throw new TypeError('no WebSocket: pass options.WebSocket (Node 20 has no global one)');
    }
    this.heartbeatMs = heartbeatMs;
    this.backoff = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5, ...backoff };
    this.random = random;
    this.authCheck = authCheck === false ? null : (authCheck ?? ((t) => probeToken(this.url, t)));

    this.state = 'idle';        // idle | connecting | connected | reconnecting | closed
    this.listeners = new Map(); // event type -> Set of functions
    this.ws = null;
    this.attempt = 0;           // failed connection attempts since the last good one (drives back-off)
    this.stopped = true;
    this.timers = { reconnect: null, heartbeat: null };
    this.lastHeard = 0;
    this.refusedToken = null;   // the last token the server refused (a token function returning it again: stop)
    this.authRefusals = 0;      // refused tokens in a row

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
    // The page is going away (or may be killed in the background): what is due must not wait for its timers.
    this.onPageHide = () => this.onBackground();
    this.onVisibilityChange = () => { if (globalThis.document?.visibilityState === 'hidden') this.onBackground(); };
  }

  // ---- hooks for the endpoint's client --------------------------------------------------------------

  /** The socket opened (state `connected` is out): resume. */
  onConnected() {}

  /** A parsed frame other than pong and expiring. */
  onFrame(frame) { this.emit(frame?.type, frame); }

  /** The connection was lost; a reconnect follows. */
  onDisconnected() {}

  /** The client stops for good (close(), or the server said not to come back): fail what waits. */
  onStopped(code, message) {} // eslint-disable-line no-unused-vars

  /** The page is hidden or left: send what is due now. */
  onBackground() {}

  // ---- events -------------------------------------------------------------------------------------

  /** Subscribes to `state`, `error` or any server frame type; returns a function that unsubscribes. */
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

  /** Opens the connection; resolves once connected, rejects if the server ends the session (or refuses the token) first. */
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

  /** Closes for good; requests still waiting are rejected with CLOSED. */
  close() {
    this.onBackground(); // what is due goes out while the socket is still open
    this.stop(1000, 'client closed');
    const ws = this.ws;
    this.detach();
    try { ws?.close(1000, 'client closed'); } catch { /* already closing */ }
  }

  /** Stops for good with `code` (a close code, or 401/403 for a refused token) as the `closed` state's code. */
  stop(code, reason) {
    this.stopped = true;
    globalThis.removeEventListener?.('online', this.onOnline);
    globalThis.removeEventListener?.('offline', this.onOffline);
    globalThis.removeEventListener?.('pagehide', this.onPageHide);
    globalThis.document?.removeEventListener?.('visibilitychange', this.onVisibilityChange);
    this.clearTimers();
    this.onStopped('CLOSED', code === 1000 ? 'the client was closed' : `connection closed (${code}): ${reason}`);
    this.setState('closed', { code, reason });
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
    if (this.stopped) return undefined;
    if (token === this.refusedToken) return this.refused(this.lastRefusal);
    const url = this.url + (this.url.includes('?') ? '&' : '?') + 'access_token=' + encodeURIComponent(token);
    let ws;
    try {
      ws = new this.WebSocket(url);
    } catch (e) {
      return this.scheduleReconnect(1006, String(e?.message ?? e));
    }
    this.ws = ws;
    let opened = false;
    const failedBeforeOpen = (code, reason) => {
      if (this.ws !== ws) return; // handled already (browsers fire error, then close)
      this.detach();
      try { ws.close(); } catch { /* never opened */ }
      this.handleFailedUpgrade(token, code, reason);
    };
    ws.onopen = () => { opened = true; this.handleOpen(); };
    ws.onmessage = (event) => this.handleFrame(event.data);
    ws.onclose = (event) => {
      if (!opened) {
        failedBeforeOpen(event.code, event.reason);
        return;
      }
      this.detach();
      this.handleClose(event.code, event.reason);
    };
    // After open, a close event follows every error. Before open, Node's WebSocket (undici, Node 20) fires only
    // `error` for a refused upgrade and never `close`: the error is the end of the attempt.
    ws.onerror = () => { if (!opened) failedBeforeOpen(1006, 'the connection failed before it opened'); };
    return undefined;
  }

  handleOpen() {
    this.lastHeard = Date.now();
    this.authRefusals = 0;
    this.refusedToken = null;
    this.timers.heartbeat = setInterval(() => this.heartbeat(), this.heartbeatMs);
    this.setState('connected');
    this.onConnected();
  }

  /** A socket that closed before it opened: the network, a draining node — or a refused token (ask). */
  async handleFailedUpgrade(token, code, reason) {
    if (this.stopped) return;
    const status = this.authCheck ? await this.authCheck(token).catch(() => 0) : 0;
    if (this.stopped) return;
    if (status !== RefusedStatus.UNAUTHORIZED && status !== RefusedStatus.FORBIDDEN) {
      this.handleClose(code, reason);
      return;
    }
    this.refusedToken = token;
    this.lastRefusal = status;
    this.authRefusals++;
    // A fixed token stays refused. A token function gets one more chance at once (it may refresh an expired token);
    // if it returns the refused token again, or a second fresh one is refused too, the client stops.
    if (typeof this.token !== 'function' || this.authRefusals >= 2) this.refused(status);
    else this.open();
  }

  refused(status) {
    const reason = status === RefusedStatus.FORBIDDEN
      ? 'upgrade refused (403): not a user token'
      : 'upgrade refused (401): the token is invalid, expired or revoked; sign in again';
    this.stop(status, reason);
  }

  handleClose(code, reason = '') {
    this.clearTimers();
    this.onDisconnected();
    if (this.stopped) return;
    // 4500-4999: the server says do not come back like this (session ended, too many connections, frame too large)
    if (code >= 4500 && code <= 4999) {
      this.stop(code, reason);
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
  }

  /** Sends a frame if the socket is open; false if it is not (the caller keeps it for the next connection). */
  transmit(frame) {
    if (this.ws?.readyState !== OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  handleFrame(data) {
    this.lastHeard = Date.now();
    let frame;
    try { frame = JSON.parse(data); } catch { return; }
    if (frame?.type === 'pong') return;
    if (frame?.type === 'expiring') {
      this.handleExpiring(frame);
      return;
    }
    this.onFrame(frame);
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
}
