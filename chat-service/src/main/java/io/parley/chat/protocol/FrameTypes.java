package io.parley.chat.protocol;

import java.util.Set;

/**
 * The {@code type} of every WebSocket frame: what {@link FrameParser} (and {@code NotifySocket}) accept from clients
 * and what {@link ServerFrames} writes. The one list of them; docs/asyncapi.yaml describes each, and
 * AsyncApiDocumentTest keeps the two equal.
 */
public final class FrameTypes {

    // ---- client → server ------------------------------------------------------------------------------------------
    public static final String SEND = "send";
    public static final String ACK = "ack";
    public static final String SYNC = "sync";
    public static final String EDIT = "edit";
    public static final String DELETE = "delete";
    /** Both ways: the client's read cursor moves; the other members get a read receipt. */
    public static final String READ = "read";
    /** Both ways: the client types; the other members are told. */
    public static final String TYPING = "typing";
    public static final String SUBSCRIBE = "subscribe";
    public static final String UNSUBSCRIBE = "unsubscribe";
    public static final String PING = "ping";
    /** Both ways: the client presents a fresh token; the server answers with its expiry. */
    public static final String TOKEN = "token";

    // ---- server → client ------------------------------------------------------------------------------------------
    public static final String SENT = "sent";
    public static final String MESSAGE = "message";
    public static final String SYNCED = "synced";
    public static final String PRESENCE = "presence";
    public static final String MEMBERSHIP = "membership";
    public static final String SUBSCRIBED = "subscribed";
    public static final String UNSUBSCRIBED = "unsubscribed";
    public static final String PUBLICATION = "publication";
    public static final String NOTIFICATION = "notification";
    public static final String PONG = "pong";
    public static final String EXPIRING = "expiring";
    public static final String ERROR = "error";

    /** What a client may send on {@code /ws/chat}. */
    public static final Set<String> CHAT_CLIENT = Set.of(SEND, ACK, SYNC, EDIT, DELETE, READ, TYPING, SUBSCRIBE,
            UNSUBSCRIBE, PING, TOKEN);
    /** What the server sends on {@code /ws/chat}. */
    public static final Set<String> CHAT_SERVER = Set.of(SENT, MESSAGE, SYNCED, READ, TYPING, PRESENCE, MEMBERSHIP,
            SUBSCRIBED, UNSUBSCRIBED, PUBLICATION, PONG, TOKEN, EXPIRING, ERROR);
    /** What a client may send on {@code /ws/notify}. */
    public static final Set<String> NOTIFY_CLIENT = Set.of(ACK, PING, TOKEN);
    /** What the server sends on {@code /ws/notify}. */
    public static final Set<String> NOTIFY_SERVER = Set.of(NOTIFICATION, PONG, TOKEN, EXPIRING, ERROR);

    private FrameTypes() {
    }
}
