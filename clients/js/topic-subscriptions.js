// An app's topics on /ws/chat (docs/protocol.md, "Topics"): what the client wants subscribed, the answers the server
// owes, and what is subscribed again after a reconnect.
//
// How an answer finds its request: the server answers `subscribe` with `subscribed` and refuses one with an `error`
// (FORBIDDEN, LIMIT_EXCEEDED, RATE_LIMITED) that carries no `ref`. It handles a connection's subscribe and unsubscribe
// frames one after another, so the answers come in the order of the requests: each answer settles the oldest request
// of this connection still waiting. Requests not answered when the connection drops are sent again on the next one.

import { ParleyError } from './reconnecting-socket.js';

/** Codes of an `error` without `ref` that refuse a subscribe (nothing of it is subscribed). */
const SUBSCRIBE_REFUSALS = new Set(['FORBIDDEN', 'LIMIT_EXCEEDED', 'RATE_LIMITED']);

const key = (appId, topic) => `${appId}\u0000${topic}`;

/** What subscribe() returns: `ready` settles when the server answers (subscribed, or refused with its code). */
export class Subscription {
  constructor(owner, appId, topics) {
    this.owner = owner;
    this.appId = appId;
    this.topics = [...topics];
    this.state = 'subscribing'; // subscribing | subscribed | refused | unsubscribed | withdrawn
    this.ready = new Promise((resolve, reject) => { this.settle = { resolve, reject }; });
    this.ready.catch(() => {}); // a caller who never awaits `ready` gets no unhandled rejection
  }

  /** Leaves this subscription's topics. */
  unsubscribe() {
    if (this.state === 'unsubscribed' || this.state === 'refused') return;
    this.owner.unsubscribe(this.appId, this.topics);
  }

  resolve(frame) {
    if (this.state !== 'subscribing') return;
    this.state = 'subscribed';
    this.settle.resolve(frame);
  }

  reject(error) {
    if (this.state !== 'subscribing') return;
    this.state = 'refused';
    this.settle.reject(error);
  }
}

export class TopicSubscriptions {
  /** @param {(frame: object) => boolean} transmit sends a frame if the socket is open, else answers false */
  constructor(transmit) {
    this.transmit = transmit;
    this.wanted = new Map();       // appId -> Set of topics to hold (subscribed again on every connection)
    this.subscriptions = new Set(); // the live Subscription objects (subscribing or subscribed)
    this.unanswered = [];           // this connection's requests, oldest first: {type, appId, topics, waiters}
  }

  subscribe(appId, topics) {
    const subscription = new Subscription(this, appId, topics);
    if (!this.wanted.has(appId)) this.wanted.set(appId, new Set());
    for (const topic of topics) this.wanted.get(appId).add(topic);
    this.subscriptions.add(subscription);
    this.request('subscribe', appId, subscription.topics, [subscription]); // not open: sent on connect
    return subscription;
  }

  unsubscribe(appId, topics) {
    const leaving = new Set(topics.map((t) => key(appId, t)));
    for (const topic of topics) this.wanted.get(appId)?.delete(topic);
    if (this.wanted.get(appId)?.size === 0) this.wanted.delete(appId);
    for (const subscription of this.subscriptions) {
      if (subscription.appId !== appId || !subscription.topics.every((t) => leaving.has(key(appId, t)))) continue;
      subscription.reject(new ParleyError('CLOSED', 'unsubscribed before the server answered'));
      subscription.state = 'unsubscribed';
      this.subscriptions.delete(subscription);
    }
    this.request('unsubscribe', appId, [...topics], []);
  }

  /** A new connection holds no topics: subscribe to everything wanted, and the waiting subscriptions wait on that. */
  resubscribe() {
    this.unanswered = [];
    for (const [appId, topics] of this.wanted) {
      const waiters = [...this.subscriptions].filter((s) => s.appId === appId && s.state === 'subscribing');
      this.request('subscribe', appId, [...topics], waiters);
    }
  }

  request(type, appId, topics, waiters) {
    if (this.transmit({ type, appId, topics })) this.unanswered.push({ type, appId, topics, waiters });
  }

  /** The oldest unanswered request of that type and app (normally the very oldest: answers come in order). */
  take(type, appId) {
    const i = this.unanswered.findIndex((r) => r.type === type && (appId === undefined || r.appId === appId));
    return i < 0 ? undefined : this.unanswered.splice(i, 1)[0];
  }

  handleSubscribed(frame) {
    for (const waiter of this.take('subscribe', frame.appId)?.waiters ?? []) waiter.resolve(frame);
  }

  /**
   * `unsubscribed` answers our unsubscribe — or, with a `reason` (FORBIDDEN), says the app withdrew the user's access:
   * those topics are gone and must not be subscribed again on the next connection.
   */
  handleUnsubscribed(frame) {
    if (!frame.reason) {
      this.take('unsubscribe', frame.appId);
      return;
    }
    const gone = new Set((frame.topics ?? []).map((t) => key(frame.appId, t)));
    for (const topic of frame.topics ?? []) this.wanted.get(frame.appId)?.delete(topic);
    if (this.wanted.get(frame.appId)?.size === 0) this.wanted.delete(frame.appId);
    for (const subscription of this.subscriptions) {
      if (subscription.appId === frame.appId && subscription.topics.some((t) => gone.has(key(frame.appId, t)))) {
        subscription.state = 'withdrawn';
        this.subscriptions.delete(subscription);
      }
    }
  }

  /** An `error` frame: true if it refused our oldest subscribe (its subscriptions are rejected with the code). */
  handleError(error) {
    if (error.ref != null || !SUBSCRIBE_REFUSALS.has(error.code) || this.unanswered[0]?.type !== 'subscribe') return false;
    const { appId, topics, waiters } = this.unanswered.shift();
    for (const waiter of waiters) {
      waiter.reject(new ParleyError(error.code, error.message, error));
      this.subscriptions.delete(waiter);
    }
    if (error.code === 'FORBIDDEN') { // the app does not allow this user (any more): none of its topics
      this.handleUnsubscribed({ appId, topics: [...(this.wanted.get(appId) ?? [])], reason: error.code });
      return true;
    }
    // Nothing of a refused subscribe is subscribed: forget its topics unless a live subscription still holds them.
    const held = new Set([...this.subscriptions].flatMap((s) => s.topics.map((t) => key(s.appId, t))));
    for (const topic of topics) if (!held.has(key(appId, topic))) this.wanted.get(appId)?.delete(topic);
    if (this.wanted.get(appId)?.size === 0) this.wanted.delete(appId);
    return true;
  }

  /** The client stopped: waiting subscriptions are rejected. */
  failAll(code, message) {
    for (const subscription of this.subscriptions) subscription.reject(new ParleyError(code, message));
    this.unanswered = [];
  }
}
