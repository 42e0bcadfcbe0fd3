// Types for the Parley JavaScript client (parley-client.js and the modules it re-exports).
//
// Written by hand from docs/asyncapi.yaml, the document of every /ws/chat and /ws/notify frame: one interface per
// AsyncAPI message, named <message>Frame, with the payload's fields (required ones not optional). test/types.test.mjs
// reads asyncapi.yaml and fails when a message, a field, an error code or a close code has no counterpart here.

// ---- shared schemas --------------------------------------------------------------------------------------------

/** A user id: a positive integer of at most 10 digits. */
export type UserId = number;
/** `d:<lo>:<hi>` (direct chat, smaller user id first) or `g:<groupId>`. */
export type ConversationId = string;
/** The 34-character id of a stored message. */
export type MessageId = string;
/** An integer from 0 to 2^53 - 1. */
export type Seq = number;
/** Exactly one of user and group. */
export type Address = { user: UserId } | { group: string };
export type MessageKind = 'text' | 'image' | 'file' | 'custom';

export type ErrorCode =
  | 'MALFORMED_JSON' | 'UNKNOWN_TYPE' | 'INVALID_INPUT' | 'PAYLOAD_TOO_LARGE' | 'FORBIDDEN' | 'NOT_FOUND'
  | 'UNAVAILABLE' | 'RATE_LIMITED' | 'CONTENT_REJECTED' | 'EDIT_WINDOW_CLOSED' | 'LIMIT_EXCEEDED'
  | 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'TOKEN_REVOKED' | 'SEND_BLOCKED';

// ---- client -> server frames -----------------------------------------------------------------------------------

export interface SendFrame { type: 'send'; clientMsgId: string; to: Address; body: string; kind?: MessageKind; }
export interface AckFrame { type: 'ack'; conversation: ConversationId; seq: Seq; }
export interface SyncFrame { type: 'sync'; cursors?: Record<ConversationId, Seq>; }
export interface EditFrame { type: 'edit'; clientMsgId: string; conversation: ConversationId; target: MessageId; body: string; }
export interface DeleteFrame { type: 'delete'; clientMsgId: string; conversation: ConversationId; target: MessageId; }
export interface ReadFrame { type: 'read'; conversation: ConversationId; seq: Seq; }
export interface TypingFrame { type: 'typing'; conversation: ConversationId; }
export interface SubscribeFrame { type: 'subscribe'; appId: string; topics: string[]; }
export interface UnsubscribeFrame { type: 'unsubscribe'; appId: string; topics: string[]; }
export interface PingFrame { type: 'ping'; }
export interface TokenFrame { type: 'token'; token: string; }
/** On /ws/notify: everything up to `seq` (a notification's seq, a string) is acknowledged. */
export interface NotificationAckFrame { type: 'ack'; seq: string; }

// ---- server -> client frames -----------------------------------------------------------------------------------

export interface SentFrame { type: 'sent'; clientMsgId: string; id: MessageId; conversation: ConversationId; seq: Seq; ts: number; }
export interface MessageFrame {
  type: 'message';
  id: MessageId;
  conversation: ConversationId;
  seq: Seq;
  from: UserId;
  to: Address;
  /** Empty for a delete. */
  body: string;
  kind: MessageKind | 'edit' | 'delete';
  /** Epoch milliseconds. */
  ts: number;
  /** For edit and delete: the id of the message changed. */
  target?: MessageId;
}
export interface SyncedFrame { type: 'synced'; more?: boolean; }
export interface ReadReceiptFrame { type: 'read'; conversation: ConversationId; user: UserId; seq: Seq; }
export interface TypingNoticeFrame { type: 'typing'; conversation: ConversationId; user: UserId; }
export interface PresenceFrame { type: 'presence'; user: UserId; status: 'online' | 'offline'; lastSeen?: number; }
export interface MembershipFrame { type: 'membership'; group: string; joined: boolean; }
export interface SubscribedFrame { type: 'subscribed'; appId: string; topics: string[]; }
/** Without reason: the answer to unsubscribe. With reason FORBIDDEN: the app withdrew the user's access. */
export interface UnsubscribedFrame { type: 'unsubscribed'; appId: string; topics: string[]; reason?: 'FORBIDDEN'; }
export interface PublicationFrame {
  type: 'publication';
  appId: string;
  topic: string;
  /** Text; base64 text with encoding base64. */
  data: unknown;
  encoding?: 'base64' | 'binary';
  id: string;
}
export interface PongFrame { type: 'pong'; }
/** A fresh token was accepted: the connection lives until exp (epoch seconds). */
export interface TokenAcceptedFrame { type: 'token'; exp: number; }
export interface ExpiringFrame { type: 'expiring'; exp: number; }
export interface NotificationFrame { type: 'notification'; id: string; seq: string; title: string; body: string; data?: unknown; ts: number; }
export interface ErrorFrame { type: 'error'; code: ErrorCode; message: string; ref?: string; }

export type ChatClientFrame =
  | SendFrame | AckFrame | SyncFrame | EditFrame | DeleteFrame | ReadFrame | TypingFrame | SubscribeFrame
  | UnsubscribeFrame | PingFrame | TokenFrame;
export type ChatServerFrame =
  | SentFrame | MessageFrame | SyncedFrame | ReadReceiptFrame | TypingNoticeFrame | PresenceFrame | MembershipFrame
  | SubscribedFrame | UnsubscribedFrame | PublicationFrame | PongFrame | TokenAcceptedFrame | ExpiringFrame | ErrorFrame;
export type NotifyClientFrame = NotificationAckFrame | PingFrame | TokenFrame;
export type NotifyServerFrame = NotificationFrame | PongFrame | TokenAcceptedFrame | ExpiringFrame | ErrorFrame;

// ---- the connection (reconnecting-socket.js) -------------------------------------------------------------------

/** Close codes: 4000-4499 reconnect and sync; 4500-4999 do not reconnect as is. */
export declare const CloseCodes: Readonly<{
  RECONNECT_ELSEWHERE: 4000; RESYNC: 4001; IDLE_TIMEOUT: 4002; SLOW_CONSUMER: 4003; RETRANSMIT_EXHAUSTED: 4004;
  SHEDDING: 4006; RATE_LIMITED: 4429; SESSION_ENDED: 4501; TOO_MANY_CONNECTIONS: 4508; FRAME_TOO_LARGE: 4513;
}>;

/** The `code` of the `closed` state when the server refused the token at the upgrade. */
export declare const RefusedStatus: Readonly<{ UNAUTHORIZED: 401; FORBIDDEN: 403 }>;

/** Why a request failed: the server's error code, or CLOSED, TIMEOUT, ABORTED. */
export declare class ParleyError extends Error {
  constructor(code: string, message: string, frame?: ErrorFrame, options?: { cause?: unknown });
  readonly name: 'ParleyError';
  readonly code: ErrorCode | 'CLOSED' | 'TIMEOUT' | 'ABORTED' | (string & {});
  /** The server's error frame, when it came from one. */
  readonly frame?: ErrorFrame;
}

export type ConnectionState =
  | { state: 'connecting'; attempt: number }
  | { state: 'connected' }
  | { state: 'reconnecting'; attempt: number; delayMs?: number; code?: number; reason?: string }
  /** code: a close code, 1000 after close(), or 401/403 when the upgrade was refused for the token. */
  | { state: 'closed'; code: number; reason: string };

export interface Backoff { initialMs?: number; maxMs?: number; factor?: number; jitter?: number; }

export interface ConnectionOptions {
  /** ws(s)://HOST:8080/ws/chat or /ws/notify. */
  url: string;
  /** An access token, or a (possibly async) function returning a fresh one (called before every attempt). */
  token: string | (() => string | Promise<string>);
  /** A WebSocket constructor (default: globalThis.WebSocket). */
  WebSocket?: new (url: string) => WebSocket;
  heartbeatMs?: number;
  backoff?: Backoff;
  random?: () => number;
  /**
   * Asked after a socket that closed before it opened, with the token it presented: the HTTP status the server
   * answers for it (401/403 stop the client; 0 when unknown). Default: GET /api/v1/conversations on the socket's
   * server. false: never ask (reconnect with back-off whatever happened).
   */
  authCheck?: ((token: string) => Promise<number>) | false;
}

/** The status a plain GET of /api/v1/conversations on the socket's server answers for the token (0 if unknown). */
export declare function probeToken(socketUrl: string, token: string): Promise<number>;

export interface CommonEvents {
  state: ConnectionState;
  error: ErrorFrame | { type: 'error'; code: 'TOKEN'; message: string };
  expiring: ExpiringFrame;
  token: TokenAcceptedFrame;
}

declare class ReconnectingSocket<Events extends CommonEvents> {
  readonly state: 'idle' | ConnectionState['state'];
  /** Resolves once connected; rejects (ParleyError CLOSED) if the client stops first. */
  connect(): Promise<void>;
  /** Closes for good; what waits is rejected with CLOSED. */
  close(): void;
  /** Skips the remaining back-off. */
  reconnectNow(): void;
  on<K extends keyof Events>(type: K, fn: (value: Events[K]) => void): () => void;
  on(type: string, fn: (value: any) => void): () => void;
  off<K extends keyof Events>(type: K, fn: (value: Events[K]) => void): void;
  off(type: string, fn: (value: any) => void): void;
}

// ---- /ws/chat --------------------------------------------------------------------------------------------------

export interface ChatEvents extends CommonEvents {
  message: MessageFrame;
  sent: SentFrame;
  synced: SyncedFrame;
  gap: { conversation: ConversationId; from: Seq; to: Seq };
  read: ReadReceiptFrame;
  typing: TypingNoticeFrame;
  presence: PresenceFrame;
  membership: MembershipFrame;
  subscribed: SubscribedFrame;
  unsubscribed: UnsubscribedFrame;
  publication: PublicationFrame;
}

export interface ParleyClientOptions extends ConnectionOptions {
  storage?: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  storageKey?: string;
  ackDelayMs?: number;
  /** Default timeout of send/edit/delete in ms; 0 (default): wait until answered. */
  sendTimeoutMs?: number;
}

export interface RequestOptions {
  /** Give up waiting for `sent` after this many ms: rejects with TIMEOUT, and the frame is not sent again. */
  timeoutMs?: number;
  /** Aborting rejects with ABORTED (the signal's reason as cause), and the frame is not sent again. */
  signal?: AbortSignal;
}

/** What subscribe() answers. */
export declare class Subscription {
  readonly appId: string;
  readonly topics: string[];
  readonly state: 'subscribing' | 'subscribed' | 'refused' | 'unsubscribed' | 'withdrawn';
  /** Resolves with `subscribed`; rejects with a ParleyError (FORBIDDEN, LIMIT_EXCEEDED, RATE_LIMITED, CLOSED). */
  readonly ready: Promise<SubscribedFrame>;
  unsubscribe(): void;
}

export declare class ParleyClient extends ReconnectingSocket<ChatEvents> {
  constructor(options: ParleyClientOptions);
  send(message: { to: Address; body: string; kind?: MessageKind; clientMsgId?: string }, options?: RequestOptions): Promise<SentFrame>;
  edit(change: { conversation: ConversationId; target: MessageId; body: string; clientMsgId?: string }, options?: RequestOptions): Promise<SentFrame>;
  delete(change: { conversation: ConversationId; target: MessageId; clientMsgId?: string }, options?: RequestOptions): Promise<SentFrame>;
  /** Whether the read mark moved (a seq not above the last one sends nothing). */
  read(conversation: ConversationId, seq: Seq): boolean;
  typing(conversation: ConversationId): void;
  subscribe(appId: string, topics: string[]): Subscription;
  unsubscribe(appId: string, topics: string[]): void;
  flushAcks(): void;
  readonly cursors: Map<ConversationId, Seq>;
}

// ---- /ws/notify (parley-notify-client.js) ----------------------------------------------------------------------

export interface NotifyEvents extends CommonEvents {
  notification: NotificationFrame;
}

export interface ParleyNotifyClientOptions extends ConnectionOptions {
  /** Acknowledge each notification once its listeners ran (default true); false: call ack(seq). */
  autoAck?: boolean;
  /** At most one ack per this many ms, for the highest seq (default 150). */
  ackDelayMs?: number;
}

export declare class ParleyNotifyClient extends ReconnectingSocket<NotifyEvents> {
  constructor(options: ParleyNotifyClientOptions);
  /** Everything up to seq is seen: not sent again. */
  ack(seq: string): void;
  flushAck(): void;
}

/** Orders two notification seqs (`<ms>-<n>`). */
export declare function compareNotificationSeq(a: string, b: string): number;

// ---- helpers for user interfaces -------------------------------------------------------------------------------

export interface ShownMessage extends Partial<MessageFrame> {
  id: string;
  clientMsgId?: string;
  pending?: boolean;
  failed?: string;
  edited?: boolean;
  deleted?: boolean;
  editedSeq?: number;
}

export declare class Timeline {
  constructor(options?: { conversation?: ConversationId; me?: UserId });
  readonly maxSeq: number;
  readonly minSeq: number;
  add(m: Partial<MessageFrame> & { id: string }): ShownMessage | undefined;
  addPending(draft: { clientMsgId: string; from: UserId; body: string; ts?: number }): ShownMessage;
  confirm(sent: SentFrame): ShownMessage;
  fail(clientMsgId: string, reason?: string): ShownMessage | undefined;
  remove(id: string): void;
  get(id: string): ShownMessage | undefined;
  noteRead(user: UserId, seq: Seq): void;
  readersOf(m: ShownMessage): UserId[];
  statusOf(m: ShownMessage): 'pending' | 'failed' | 'sent' | 'read';
  list(): ShownMessage[];
  last(): ShownMessage | undefined;
}

export declare function dayKey(ts: number): string;
export declare function dayLabel(ts: number, now?: number, locale?: string): string;
export declare function withDaySeparators<T extends { ts?: number }>(messages: T[]): Array<T | { separator: string; ts: number }>;

export declare class TypingThrottle {
  constructor(options?: { intervalMs?: number; now?: () => number });
  typed(conversation: ConversationId): boolean;
  reset(conversation: ConversationId): void;
}

export declare class TypingTracker {
  constructor(options?: { expiryMs?: number; now?: () => number });
  typing(conversation: ConversationId, user: UserId): void;
  stopped(conversation: ConversationId, user: UserId): void;
  who(conversation: ConversationId): UserId[];
  nextExpiryIn(conversation: ConversationId): number | null;
}

export interface DirectoryUser { id: UserId; username: string; displayName?: string }

export declare class UserDirectory {
  constructor(options: { lookup: (ids: UserId[]) => Promise<DirectoryUser[]>; batchMax?: number; onChange?: (ids: UserId[]) => void });
  put(user: DirectoryUser): void;
  get(id: UserId): DirectoryUser | undefined;
  name(id: UserId): string;
  want(ids: UserId[]): Promise<void>;
}

export default ParleyClient;
