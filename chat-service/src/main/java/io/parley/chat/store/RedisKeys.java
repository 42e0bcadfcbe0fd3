package io.parley.chat.store;

/**
 * Every Redis key and channel chat-service uses, in one place. All keys of one conversation share the hash
 * tag {@code {<conversation>}}, so the append script touches a single Redis Cluster slot; a user's keys share
 * {@code {u:<user>}}.
 */
public final class RedisKeys {

    private RedisKeys() {
    }

    /** The conversation's message log: a stream whose entry ids are {@code <seq>-0}. */
    public static String log(String conversation) {
        return "chat:{" + conversation + "}:log";
    }

    /** The conversation's last assigned seq. */
    public static String seq(String conversation) {
        return "chat:{" + conversation + "}:seq";
    }

    /** The highest seq MySQL holds for the conversation; the log is trimmed only below it. */
    public static String persisted(String conversation) {
        return "chat:{" + conversation + "}:persisted";
    }

    /** A sent message's original answer, under its sender and {@code clientMsgId}, for de-duplication. */
    public static String dedupe(String conversation, long sender, String clientMsgId) {
        return "chat:{" + conversation + "}:cmid:" + sender + ":" + clientMsgId;
    }

    /** A group conversation's members (a cache of MySQL's {@code group_members}). */
    public static String members(String conversation) {
        return "chat:{" + conversation + "}:members";
    }

    /**
     * One shard of the write-behind queue (a stream read by the {@value #PERSIST_GROUP} consumer group).
     * Standalone Redis takes any key in a script; on Redis Cluster the shard key must be chosen in the
     * conversation's slot (see docs/protocol.md, Redis layout).
     */
    public static String persistQueue(int shard) {
        return "chat:persist:{" + shard + "}";
    }

    public static final String PERSIST_GROUP = "mysql-writer";

    /** The user's direct conversations, scored by last activity (epoch ms). */
    public static String userConversations(long user) {
        return "chat:{u:" + user + "}:convs";
    }

    /** The groups the user belongs to (a cache of MySQL's {@code group_members}). */
    public static String userGroups(long user) {
        return "chat:{u:" + user + "}:groups";
    }

    /**
     * A member of every <em>loaded</em> membership cache set ({@link #members} of a group conversation and
     * {@link #userGroups}): such a set was rebuilt from MySQL and is kept in step with it after every commit. A set
     * without it (missing, evicted) is not loaded and is rebuilt on the next read. Never a user or group id:
     * whoever reads these sets skips it. It also keeps the members set of a group whose last member left in
     * existence, so the append script answers {@code forbidden} rather than {@code no-members}.
     */
    public static final String LOADED_MARKER = "~";

    /**
     * Bumped after every committed membership change of the group; a rebuild of {@link #members} from MySQL
     * writes only if it has not moved since the rebuild read MySQL (so a change racing a rebuild is never lost).
     */
    public static String membersVersion(String conversation) {
        return "chat:{" + conversation + "}:members:ver";
    }

    /** Like {@link #membersVersion}, for the user's {@link #userGroups} set. */
    public static String userGroupsVersion(long user) {
        return "chat:{u:" + user + "}:groups:ver";
    }

    /** The highest seq acknowledged per conversation by any of the user's devices (for unread counts). */
    public static String userAcked(long user) {
        return "chat:{u:" + user + "}:acked";
    }

    /** The highest seq acknowledged per conversation by one device (where its sync resumes). */
    public static String deviceAcked(long user, String device) {
        return "chat:{u:" + user + "}:dev:" + device + ":acked";
    }

    /** Pub/sub channel of everything addressed to one user (direct messages, membership changes). */
    public static String userChannel(long user) {
        return "chat:user:" + user;
    }

    /** Pub/sub channel of a group's messages, published once per message. */
    public static String groupChannel(String groupId) {
        return "chat:group:" + groupId;
    }
}
