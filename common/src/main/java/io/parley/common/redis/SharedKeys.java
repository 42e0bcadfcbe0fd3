package io.parley.common.redis;

/**
 * The Redis names two services share, so neither can rename one alone: chat-service writes them, notify-service
 * reads them. Each service keeps the names only it uses in its own {@code RedisKeys}.
 * <ul>
 *   <li>the presence hash: chat-service keeps {@link #presence} while a user has an open connection;
 *       notify-service asks whether it exists ("is the recipient online?") before relaying;</li>
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

    private SharedKeys() {
    }

    /**
     * The hash that exists while the user has at least one open chat connection; its fields are the nodes holding
     * them ({@code node → count}). The braces are a Redis Cluster hash tag: every key of a user lives on one slot.
     */
    public static String presence(long user) {
        return "presence:{" + user + "}";
    }
}
