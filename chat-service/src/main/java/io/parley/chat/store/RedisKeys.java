package io.parley.chat.store;

import io.parley.common.redis.SharedKeys;

/**
 * Every Redis key and channel chat-service uses, in one place. Conversations are spread over
 * {@value #CONVERSATION_BUCKETS} buckets; every key of a conversation and its bucket's write-behind keys share the
 * bucket's hash tag {@code {s<bucket>}}, so the one-round-trip append script touches a single Redis Cluster slot.
 * A user's keys share {@code {u:<user>}}.
 */
public final class RedisKeys {

    /**
     * Buckets of conversations (Redis Cluster slots used by conversation data, and write-behind queues). A constant,
     * not a setting: it is part of every conversation key's name, so changing it would orphan stored data. 64 slots
     * spread evenly over up to ~64 Redis primaries.
     */
    public static final int CONVERSATION_BUCKETS = 64;

    /** The buckets' key prefixes, built once: every key of every message names one. */
    private static final String[] BUCKET_PREFIXES = new String[CONVERSATION_BUCKETS];

    static {
        for (int b = 0; b < CONVERSATION_BUCKETS; b++) {
            BUCKET_PREFIXES[b] = "chat:{s" + b + "}:";
        }
    }

    private RedisKeys() {
    }

    /** The bucket of a conversation (String.hashCode is specified, so every node agrees). */
    public static int bucket(String conversation) {
        return Math.floorMod(conversation.hashCode(), CONVERSATION_BUCKETS);
    }

    /** {@code chat:{s<bucket>}:<conversation>}: the prefix of every key of the conversation. */
    private static String conversationKey(String conversation) {
        return bucketPrefix(bucket(conversation)) + conversation;
    }

    /** The conversation's message log: a stream whose entry ids are {@code <seq>-0}. */
    public static String log(String conversation) {
        return conversationKey(conversation) + ":log";
    }

    /** The conversation's last assigned seq. */
    public static String seq(String conversation) {
        return conversationKey(conversation) + ":seq";
    }

    /** The highest seq MySQL holds for the conversation; the log is trimmed only below it. */
    public static String persisted(String conversation) {
        return conversationKey(conversation) + ":persisted";
    }

    /**
     * What one sender sent lately in the conversation (a hash: {@code c<clientMsgId>} → {@code id|seq|ts} for
     * de-duplication, {@code m<id>} → ts for edits), {@code previous}: the generation before (see
     * {@code message_append.lua}).
     */
    public static String recentSends(String conversation, long sender, boolean previous) {
        return conversationKey(conversation) + ":sent:" + sender + (previous ? ":old" : "");
    }

    /** A group conversation's members (a cache of MySQL's {@code group_members}). */
    public static String members(String conversation) {
        return conversationKey(conversation) + ":members";
    }

    /**
     * The conversations of one bucket that may have messages MySQL lacks (a set, added to by the append script and
     * emptied by the write-behind, which reads the messages from the conversations' logs).
     */
    public static String dirty(int bucket) {
        return bucketPrefix(bucket) + "dirty";
    }

    /**
     * Versions before this one: the conversations of one bucket that MySQL held whole, scored by when it did (epoch
     * ms), forgotten from Redis once quiet for {@code quietAfter}. Nothing is added any more (a quiet conversation's
     * log and mark expire instead); persist_take.lua drains what is left.
     */
    public static String quiet(int bucket) {
        return bucketPrefix(bucket) + "quiet";
    }

    /**
     * The size of the bucket's {@link #startedFilter} while every conversation of the bucket that MySQL knows is in
     * it (set by the write-behind once it rebuilt the filter from MySQL; lost with it when Redis loses its data).
     * While it holds the configured size, a missing counter of a conversation the filter does not hold is a new
     * conversation; otherwise the append asks MySQL first.
     */
    public static String seqsWhole(int bucket) {
        return bucketPrefix(bucket) + "seqs-whole";
    }

    /**
     * The bucket's filter of started conversations: a bitmap Bloom filter of the conversations whose seq counter may
     * have left Redis (see {@link StartedConversations}).
     */
    public static String startedFilter(int bucket) {
        return bucketPrefix(bucket) + "started";
    }

    /** Which node writes one bucket's conversations to MySQL: its name, with an expiry the node renews. */
    public static String writerLease(int bucket) {
        return bucketPrefix(bucket) + "writer";
    }

    /**
     * The write-behind stream of one bucket in versions before the log became the write-behind's queue: drained once
     * (its conversations are marked dirty; their messages are in their logs).
     */
    public static String legacyPersistQueue(int bucket) {
        return bucketPrefix(bucket) + "persist";
    }

    /** {@code chat:{s<bucket>}:}: what every key of the bucket and of its conversations starts with. */
    public static String bucketPrefix(int bucket) {
        return BUCKET_PREFIXES[bucket];
    }

    /**
     * The user's direct conversations: a hash, conversation to last activity (epoch ms). A hash, not a sorted set: a
     * send writes both participants' entries, and HSET costs Redis a fifth of a ZADD into a small sorted set (which
     * scans and re-sorts its listpack); the list is sorted when it is read, far less often.
     */
    public static String userConversations(long user) {
        return "chat:{u:" + user + "}:dconvs";
    }

    /** Present once {@link #userConversations} was reconciled with MySQL's history (absent after Redis lost it). */
    public static String userConversationsChecked(long user) {
        return "chat:{u:" + user + "}:dconvs:checked";
    }

    /** The sorted set versions before the hash kept the index in; deleted when the hash is rebuilt from MySQL. */
    public static String legacyUserConversations(long user) {
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
        return conversationKey(conversation) + ":members:ver";
    }

    /** Like {@link #membersVersion}, for the user's {@link #userGroups} set. */
    public static String userGroupsVersion(long user) {
        return "chat:{u:" + user + "}:groups:ver";
    }

    /** The highest seq acknowledged per conversation by one device (where its sync resumes). */
    public static String deviceAcked(long user, String device) {
        return "chat:{u:" + user + "}:dev:" + device + ":acked";
    }

    /** Pub/sub channel of everything addressed to one user (direct messages, membership changes). */
    public static String userChannel(long user) {
        return USER_CHANNEL + user;
    }

    /** Pub/sub channel of a group's messages, published once per message. */
    public static String groupChannel(String groupId) {
        return GROUP_CHANNEL + groupId;
    }

    private static final String USER_CHANNEL = "chat:user:";
    private static final String GROUP_CHANNEL = "chat:group:";

    public static boolean isUserChannel(String channel) {
        return channel.startsWith(USER_CHANNEL);
    }

    /** The user of a {@link #userChannel} (see {@link #isUserChannel}). */
    public static long userOfChannel(String channel) {
        return Long.parseLong(channel.substring(USER_CHANNEL.length()));
    }

    public static boolean isGroupChannel(String channel) {
        return channel.startsWith(GROUP_CHANNEL);
    }

    /** The group of a {@link #groupChannel} (see {@link #isGroupChannel}). */
    public static String groupOfChannel(String channel) {
        return channel.substring(GROUP_CHANNEL.length());
    }

    /** The latest edit or delete of each changed message: target id → {@code <kind>|<seq>|<body>}. */
    public static String changes(String conversation) {
        return conversationKey(conversation) + ":changes";
    }

    /** The highest seq the user has read per conversation (unread counts, read receipts). */
    public static String userRead(long user) {
        return "chat:{u:" + user + "}:read";
    }

    /** Bumped whenever the user's contacts (or who has the user as a contact) change: node caches compare it. */
    public static String contactsVersion(long user) {
        return "chat:{u:" + user + "}:contacts:ver";
    }

    // ---------------------------------------------------------------- presence (read by notify-service too)

    /**
     * Open {@code /ws/chat} connections of the user per node ({@code node → count}); exists exactly while the user
     * has one somewhere. notify-service reads it ("is the recipient online?"), so its name is part of the internal
     * contract (docs/protocol.md) and is defined in common ({@link SharedKeys#presence}).
     */
    public static String presence(long user) {
        return SharedKeys.presence(user);
    }

    /** The user's open connections ({@code node:connection} tags) scored by when they opened: the per-user cap. */
    public static String presenceConnections(long user) {
        return presence(user) + ":conns";
    }

    /** What was last announced: {@code online} or {@code offline:<lastSeen epoch ms>}. */
    public static String presenceState(long user) {
        return presence(user) + ":state";
    }

    /** Live nodes scored by lease expiry (epoch ms). */
    public static final String NODES = "chat:nodes";

    /** Users with a connection on the node (to take them offline if the node dies). */
    public static String nodeUsers(String node) {
        return "chat:node:{" + node + "}:users";
    }

    /** Held by the one node that is sweeping dead nodes. */
    public static final String SWEEP_LOCK = "chat:nodes:sweep";

    // ---------------------------------------------------------------- topics

    /** One shard of the publication buffer (a stream between the publish API and the pushers). */
    public static String publications(int shard) {
        return "chat:topics:{" + shard + "}:buffer";
    }

    /** The node pushing a publication shard now (a lease). */
    public static String publicationsOwner(int shard) {
        return "chat:topics:{" + shard + "}:owner";
    }

    public static final String PUSHERS_GROUP = "pushers";

    /** Pub/sub channel of one app's topic. */
    public static String topicChannel(String appId, String topic) {
        return TOPIC_CHANNEL + appId + ":" + topic;
    }

    private static final String TOPIC_CHANNEL = "chat:topic:";

    public static boolean isTopicChannel(String channel) {
        return channel.startsWith(TOPIC_CHANNEL);
    }

    /**
     * Pub/sub channel announcing withdrawn topic access: {@code "<appId> *"} (the app was made private) or
     * {@code "<appId> <user>"} (a grant was revoked). Every node listens.
     */
    public static final String APP_ACCESS_CHANNEL = "chat:app-access";

    /** Users an app lets subscribe to its topics. */
    public static String appGrants(String appId) {
        return "chat:app:{" + appId + "}:grants";
    }

    /** {@code 1} if every signed-in user may subscribe to the app's topics. */
    public static String appPublic(String appId) {
        return "chat:app:{" + appId + "}:public";
    }

    // ---------------------------------------------------------------- per-app quotas (quotas/)

    /**
     * Each node's share of an app's connections and topic subscribers: {@code c:<node>}, {@code s:<node>} and the
     * share's lease expiry {@code t:<node>} (epoch ms). Same hash tag as the app's other quota keys: one script, one
     * Cluster slot.
     */
    public static String quotaShares(String appId) {
        return "chat:quota:{" + appId + "}:shares";
    }

    /** Refusals by quota ({@code connections}, {@code subscribers}, {@code publications}, {@code notifications}). */
    public static String quotaRefusals(String appId) {
        return "chat:quota:{" + appId + "}:refused";
    }

    /** What the app posted in one second ({@code publications} or {@code notifications}): a counter that expires. */
    public static String quotaWindow(String appId, String what, long epochSecond) {
        return "chat:quota:{" + appId + "}:" + what + ":" + epochSecond;
    }

    // ---------------------------------------------------------------- in-app notifications

    /** The user's recent in-app notifications (a capped stream; entry id = delivery cursor). */
    public static String notifyInbox(long user) {
        return "notify:{u:" + user + "}:inbox";
    }

    /**
     * Present while an app's notification {@code id} counts as already posted to the user: the inbox entry id it got.
     * Same hash tag as the inbox, so one script checks and appends.
     */
    public static String notifyPosted(long user, String appId, String notificationId) {
        return "notify:{u:" + user + "}:posted:" + appId + ":" + notificationId;
    }

    /** The last inbox entry the user's {@code /ws/notify} clients acknowledged. */
    public static String notifyAcked(long user) {
        return "notify:{u:" + user + "}:acked";
    }

    /** Pub/sub channel of the user's in-app notifications. */
    public static String notifyChannel(long user) {
        return NOTIFY_CHANNEL + user;
    }

    private static final String NOTIFY_CHANNEL = "chat:notify:";

    public static boolean isNotifyChannel(String channel) {
        return channel.startsWith(NOTIFY_CHANNEL);
    }

    /** The user of a {@link #notifyChannel} (see {@link #isNotifyChannel}). */
    public static long userOfNotifyChannel(String channel) {
        return Long.parseLong(channel.substring(NOTIFY_CHANNEL.length()));
    }
}
