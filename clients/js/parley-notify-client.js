// The /ws/notify client: an app's in-app notifications for the signed-in user (docs/protocol.md, "/ws/notify").
//
// On every connection the server sends what the user has not acknowledged, then new notifications live; a
// notification can come twice (one posted while the backlog is read, a reconnect before the ack went out), so the
// client drops repeats by `id`. Acknowledging is cumulative (`{"type":"ack","seq"}`: everything up to seq), so the
// client acknowledges the highest seq seen once per ackDelayMs instead of once per notification — a backlog of 1,000
// would otherwise be 1,000 frames, past the server's inbound rate limit (burst 200), which closes the socket (4429).

import { ReconnectingSocket } from './reconnecting-socket.js';

const SEEN_IDS_KEPT = 2000; // notification ids remembered for de-duplication (the inbox keeps 1,000)

/** Orders two notification seqs (`<ms>-<n>`, a Redis stream position): negative, 0 or positive. */
export function compareNotificationSeq(a, b) {
  const [am, an] = String(a).split('-').map(BigInt);
  const [bm, bn] = String(b).split('-').map(BigInt);
  if (am !== bm) return am < bm ? -1 : 1;
  if (an !== bn) return an < bn ? -1 : 1;
  return 0;
}

export class ParleyNotifyClient extends ReconnectingSocket {
  /**
   * @param {object} options  those of ReconnectingSocket (url: ws(s)://host:8080/ws/notify, token, WebSocket,
   *                          heartbeatMs, backoff, random, authCheck), and:
   * @param {boolean} [options.autoAck]    acknowledge each notification once its listeners ran (default true);
   *                                       false: call ack(seq) when the user has seen it
   * @param {number} [options.ackDelayMs]  at most one `ack` per this many ms, for the highest seq (default 150)
   */
  constructor({ autoAck = true, ackDelayMs = 150, ...connection } = {}) {
    super(connection);
    this.autoAck = autoAck;
    if (!(ackDelayMs >= 0)) throw new TypeError('ackDelayMs must be 0 or more');
    this.ackDelayMs = ackDelayMs;
    this.seen = new Set();   // recent notification ids (insertion-ordered, so the oldest go first)
    this.ackDue = null;      // the highest seq to acknowledge, not sent yet
    this.acked = null;       // the highest seq acknowledged on this connection
    this.ackTimer = null;
  }

  onFrame(frame) {
    if (frame?.type !== 'notification') {
      this.emit(frame?.type, frame); // error, token, ...
      return;
    }
    if (this.seen.has(frame.id)) { // a repeat: the earlier ack may not have gone out
      if (this.autoAck) this.ack(frame.seq);
      return;
    }
    this.seen.add(frame.id);
    if (this.seen.size > SEEN_IDS_KEPT) this.seen.delete(this.seen.values().next().value);
    this.emit('notification', frame);
    if (this.autoAck) this.ack(frame.seq);
  }

  /** Everything up to `seq` is seen: the server does not send it again. Sent within ackDelayMs, coalesced. */
  ack(seq) {
    if (this.ackDue !== null && compareNotificationSeq(seq, this.ackDue) <= 0) return;
    if (this.acked !== null && compareNotificationSeq(seq, this.acked) <= 0) return;
    this.ackDue = seq;
    if (this.ackDelayMs <= 0) {
      this.flushAck();
      return;
    }
    this.ackTimer ??= setTimeout(() => { this.ackTimer = null; this.flushAck(); }, this.ackDelayMs);
  }

  /** Sends the due ack now (done by itself when its timer ends, on connect, close() and when the page is hidden). */
  flushAck() {
    clearTimeout(this.ackTimer);
    this.ackTimer = null;
    if (this.ackDue === null) return;
    if (this.transmit({ type: 'ack', seq: this.ackDue })) {
      this.acked = this.ackDue;
      this.ackDue = null;
    } // else: kept due, sent when the next connection opens
  }

  onConnected() { this.flushAck(); }

  onDisconnected() { this.acked = null; }

  onBackground() { this.flushAck(); }

  clearTimers() {
    super.clearTimers();
    clearTimeout(this.ackTimer);
    this.ackTimer = null;
  }
}
