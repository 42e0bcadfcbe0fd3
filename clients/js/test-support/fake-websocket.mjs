// A stand-in for the browser's WebSocket class (not a Parley server): each test plays the server's part by
// accepting, delivering frames and closing, and reads what the client sent.

export function fakeWebSocket() {
  const sockets = [];

  class FakeWebSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0; // CONNECTING
      this.sent = [];
      this.closedByClient = null;
      sockets.push(this);
    }

    // --- the browser API the client uses ---
    send(data) {
      if (this.readyState !== 1) throw new Error('send on a socket that is not open');
      this.sent.push(JSON.parse(data));
    }

    close(code = 1000, reason = '') {
      if (this.readyState >= 2) return;
      this.readyState = 3;
      this.closedByClient = { code, reason };
      queueMicrotask(() => this.onclose?.({ code, reason }));
    }

    // --- the server's side, driven by the test ---
    accept() {
      this.readyState = 1;
      this.onopen?.({});
    }

    deliver(frame) {
      this.onmessage?.({ data: JSON.stringify(frame) });
    }

    drop(code = 1006, reason = '') {
      this.readyState = 3;
      this.onclose?.({ code, reason });
    }

    frames(type) {
      return this.sent.filter((f) => f.type === type);
    }
  }

  /** Resolves with the n-th socket the client opened (0-based), waiting for it if need be. */
  async function socket(n, timeoutMs = 2000) {
    const until = Date.now() + timeoutMs;
    while (!sockets[n]) {
      if (Date.now() > until) throw new Error(`socket #${n} was never opened (${sockets.length} so far)`);
      await new Promise((r) => setTimeout(r, 1));
    }
    return sockets[n];
  }

  return { WebSocket: FakeWebSocket, sockets, socket };
}
