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
 *       {@link #OUTBOX_STREAM} (field {@link #OUTBOX_EVENT_FIELD}); notify-service consumes it;</li>
 *   <li>push devices: notify-service keeps {@link #pushDevices}, the device ids a user registered for push, so
 *       chat-service's relay can tell whether an online user has a device with no open connection (one that must
 *       still be pushed to) without asking MySQL.</li>
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

    /**
     * The set of the device ids (the tokens' {@code did}) the user registered for push; absent when there are none.
     * Same hash tag as {@link #presence}: the relay reads both in one script call on any shard. A copy of MySQL's
     * {@code push_devices}, rewritten by notify-service whenever the user's devices change.
     */
    public static String pushDevices(long user) {
        return "push:devices:{" + user + "}";
    }

    /**
     * Separates a connection's tag from its device id in a member of the user's open connections (chat-service's
     * {@code presence:{user}:conns}): {@code <node>:<connection>|<did>}. Device ids never contain it.
     */
    public static final char CONNECTION_DEVICE_SEPARATOR = '|';
}
