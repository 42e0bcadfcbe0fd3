package io.parley.common.redis;

/**
 * The Redis names two services share, so neither can rename one alone: chat-service writes them, notify-service
 * reads them. Each service keeps the names only it uses in its own {@code RedisKeys}.
 * <ul>
 *   <li>the presence hash: chat-service keeps {@link #presence} while a user has an open connection;
 *       notify-service asks whether it exists ("is the recipient online?") before relaying;</li>
 *   <li>send blocks: auth-service (the admin API) keeps the users blocked from sending in {@link #SEND_BLOCKED} and
 *       announces each change on {@link #SEND_BLOCKS_CHANNEL}; chat-service keeps a local copy and refuses their sends;</li>
 *   <li>the outbox stream: chat-service appends one {@link OutboxEvent} per message and offline recipient to
 *       {@link #OUTBOX_STREAM} (field {@link #OUTBOX_EVENT_FIELD}); notify-service consumes it.</li>
 * </ul>
 * Contract tests on both sides pin these (chat-service's {@code SharedRedisKeysTest}, notify-service's
 * {@code SharedNamesTest}) and common's {@code OutboxEventTest} pins the event's JSON.
 */
public final class SharedKeys {

    /** The outbox stream's default name (both services' config default to it). */
    public static final String OUTBOX_STREAM = "notify:outbox";

    /** The one field of an outbox entry: the event's JSON. */
    public static final String OUTBOX_EVENT_FIELD = "event";

    /** Set of the ids of users the operator blocked from sending (auth-service writes it from MySQL, which keeps it). */
    public static final String SEND_BLOCKED = "parley:send-blocked";

    /**
     * Pub/sub channel of changes to {@link #SEND_BLOCKED}: {@code <userId>:1} (blocked), {@code <userId>:0}
     * (unblocked), or {@link #SEND_BLOCKS_RELOAD} (read the whole set again). At most once: a subscriber that was
     * away reads the whole set when it is back.
     */
    public static final String SEND_BLOCKS_CHANNEL = "parley:send-blocked:changes";

    /** The message on {@link #SEND_BLOCKS_CHANNEL} that says: read the whole set again. */
    public static final String SEND_BLOCKS_RELOAD = "*";

    private SharedKeys() {
    }

    /** The message on {@link #SEND_BLOCKS_CHANNEL} for one user. */
    public static String sendBlockChange(long userId, boolean blocked) {
        return userId + (blocked ? ":1" : ":0");
    }

    /**
     * The hash that exists while the user has at least one open chat connection; its fields are the nodes holding
     * them ({@code node → count}). The braces are a Redis Cluster hash tag: every key of a user lives on one slot.
     */
    public static String presence(long user) {
        return "presence:{" + user + "}";
    }
}
