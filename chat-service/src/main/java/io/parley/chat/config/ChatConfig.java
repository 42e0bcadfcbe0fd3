package io.parley.chat.config;

import io.parley.common.redis.SharedKeys;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** chat-service settings (environment: {@code PARLEY_CHAT_*}). Every limit is here. */
@ConfigMapping(prefix = "parley.chat")
public interface ChatConfig {

    /** Where id-service is; message ids are allocated locally from sequence blocks leased there. */
    @WithDefault("http://127.0.0.1:8084")
    String idServiceUrl();

    /** Where auth-service is; used to check that a recipient user exists. */
    @WithDefault("http://127.0.0.1:8081")
    String authServiceUrl();

    /**
     * User ids per {@code GET /api/v1/users?ids=…} call to auth-service (checking a new group's members): at most
     * auth-service's {@code PARLEY_AUTH_USERS_BATCH_MAX}.
     */
    @WithDefault("200")
    int userLookupBatch();

    /** Guards the node admin endpoint ({@code X-Admin-Key}); without it the endpoint answers 404. */
    Optional<String> adminKey();

    /** Sequence numbers leased from id-service at a time. */
    @WithDefault("10000")
    int idBlockSize();

    /** Limits on what a client may send. */
    Limits limits();

    /** Keep-alive, acknowledgement and retransmission timing. */
    Delivery delivery();

    /** Write-behind from Redis streams to MySQL. */
    Persistence persistence();

    /** Who is online: node leases, grace before "offline", contact caches. */
    Presence presence();

    /** Multi-tenant topic push: the publication buffer and its pushers. */
    Topics topics();

    /** In-app notifications on {@code /ws/notify} and the offline relay outbox for notify-service. */
    Notify notifications();

    /** The sensitive-word filter. */
    Filter filter();

    /** Graceful drain on shutdown and load shedding. */
    Drain drain();

    /** Per-tenant (per-app) quotas, enforced across every node (docs/protocol.md, "Quotas"). */
    Quotas quotas();

    /** What {@code sent} promises about where the message is (docs/protocol.md, durability). */
    Durability durability();

    /** The hot path's Redis connections ({@code store/RedisPipeline}). */
    RedisClient redis();

    /** Getting back from MySQL what Redis lost (docs/operations.md, "What lives where"). */
    Recovery recovery();

    /** How long history is kept, and the background purge of what is older (docs/operations.md, "Retention"). */
    Retention retention();

    interface Recovery {
        /**
         * How long a user's conversation index counts as reconciled with MySQL's history; after a Redis wipe (or
         * this long) the next conversation list compares it with MySQL again (one indexed query).
         */
        @WithDefault("24H")
        Duration indexCheckedFor();

        /** How often read cursors gathered from read receipts are written behind to MySQL. */
        @WithDefault("1S")
        Duration readCursorFlushInterval();

        /**
         * How long a node remembers the highest seq it handed out or delivered per conversation (between this and
         * twice this): a Redis that comes back behind — a restart that lost its last second, a failover to a replica
         * that lagged — gets its counters raised to what was handed out, so no seq is used twice. Cover the longest
         * Redis outage you expect to ride out.
         */
        @WithDefault("10M")
        Duration seqMemory();

        /**
         * At most this many conversations are remembered per generation (two generations are kept); more, and the
         * oldest generation is dropped sooner than {@link #seqMemory()}. About 100 bytes each.
         */
        @WithDefault("200000")
        int seqMemoryConversations();

        /** How often a node asks Redis whether it restarted (its {@code run_id}), to raise the counters then. */
        @WithDefault("1S")
        Duration restartCheckInterval();
    }

    interface Retention {
        /**
         * Messages older than this (by their time) are purged from MySQL's history; {@code 0} keeps history for
         * ever. Chat messages belong to one tenant ({@code chat}); per kind of conversation below.
         */
        @WithDefault("0S")
        Duration messageAge();

        /** Overrides {@link #messageAge()} for direct conversations; absent: the global age. */
        Optional<Duration> directMessageAge();

        /** Overrides {@link #messageAge()} for group conversations; absent: the global age. */
        Optional<Duration> groupMessageAge();

        /** How often the purge looks for expired history. */
        @WithDefault("10M")
        Duration interval();

        /** Rows deleted per statement (each its own short transaction, so no lock is held for long). */
        @WithDefault("500")
        int batchSize();

        /** Pause between two batches, so a large backlog does not keep MySQL busy. */
        @WithDefault("100ms")
        Duration pauseBetweenBatches();

        /** At most this many batches per round; the rest waits for the next round. */
        @WithDefault("1000")
        int maxBatchesPerRound();
    }

    interface RedisClient {
        /**
         * Pipeline hot-path commands on one connection per event loop (one write per loop turn). Needs a plain
         * standalone {@code redis://} host; otherwise, or when false, the shared Quarkus Redis client carries them.
         */
        @WithDefault("true")
        boolean pipeline();

        /** Commands awaiting a reply (or a connection) per event loop; past it a command fails at once (UNAVAILABLE). */
        @WithDefault("20000")
        int maxPending();

        /** A reply later than this drops the connection and fails what waits on it; also the connect timeout. */
        @WithDefault("5s")
        Duration timeout();
    }

    interface Durability {
        /**
         * {@code memory}: in the primary's memory. {@code aof}: also the primary's append-only file with
         * {@code appendfsync always} (checked: readiness is DOWN if Redis is not configured so). {@code replica}:
         * also on {@link #replicas()} replicas ({@code WAIT}) before {@code sent}; standalone Redis (or Sentinel) only.
         */
        @WithDefault("memory")
        Level level();

        /** How long a send waits for its replicas; then the client gets UNAVAILABLE and resends (nothing is lost). */
        @WithDefault("500ms")
        Duration replicaTimeout();

        @WithDefault("1")
        int replicas();

        enum Level { MEMORY, AOF, REPLICA }
    }

    interface Drain {
        /**
         * On SIGTERM clients are closed (4000) spread over most of this window (also Quarkus' shutdown delay); the
         * pod's terminationGracePeriodSeconds must be longer.
         */
        @WithDefault("3S")
        Duration window();

        /** How long a shed call spreads its closes (4006) by default. */
        @WithDefault("10S")
        Duration shedWindow();
    }

    interface Limits {
        /** Largest message body, in characters. Larger: an {@code error} frame, nothing stored. */
        @WithDefault("4000")
        int maxBodyChars();

        /** Largest text frame, in bytes. Larger: the connection is closed (4513). */
        @WithDefault("65536")
        int maxFrameBytes();

        /** Sustained frames per second a connection may send. */
        @WithDefault("50")
        int framesPerSecond();

        /** Burst of frames above the sustained rate before the connection is closed (4429). */
        @WithDefault("200")
        int frameBurst();

        /** Frames waiting to be written to one connection; a client that lets more pile up is closed (4003). */
        @WithDefault("2000")
        int outboundQueue();

        /** Delivered but unacknowledged messages one connection may hold; past it the client is closed (4003). */
        @WithDefault("5000")
        int maxUnacked();

        /**
         * How long a permitted upgrade may take to become a connection: until then the node holds what arrives for
         * it (see delivery/Arrival); a socket that closes first releases it at once.
         */
        @WithDefault("10s")
        Duration arrivalTimeout();

        /** Largest group. */
        @WithDefault("10000")
        int maxGroupMembers();

        /** Longest {@code clientMsgId}. */
        @WithDefault("64")
        int maxClientMsgIdChars();

        /** Open {@code /ws/chat} connections one user may have (all nodes); a newer one closes the oldest (4005). */
        @WithDefault("10")
        int maxConnectionsPerUser();

        /** Topics one connection may be subscribed to; past it {@code subscribe} is refused (LIMIT_EXCEEDED). */
        @WithDefault("100")
        int maxTopicSubscriptions();

        /** Sustained {@code send}/{@code edit}/{@code delete} frames per second per user on a node. */
        @WithDefault("20")
        int sendsPerSecond();

        /** Burst of sends above the sustained rate before they are refused with RATE_LIMITED. */
        @WithDefault("60")
        int sendBurst();

        /**
         * Overload shedding: while the oldest Redis command of a connection's event loop has waited longer than this
         * for its reply, new {@code send}/{@code edit}/{@code delete} frames on that loop are refused at once with
         * {@code UNAVAILABLE} (nothing stored; the client resends the same clientMsgId) instead of queueing behind
         * it. 0 turns shedding off.
         */
        @WithDefault("200ms")
        Duration shedAfter();

        /** How long after sending a message its sender may edit or delete it. */
        @WithDefault("15M")
        Duration editWindow();

        /** Largest publication payload, in bytes (after base64 decoding for binary data). */
        @WithDefault("65536")
        int maxPublicationBytes();

        /** Contacts one user may have. */
        @WithDefault("5000")
        int maxContacts();
    }

    interface Presence {
        /** How often a node renews its lease; its users stay online only while it does. */
        @WithDefault("2S")
        Duration heartbeat();

        /** A node whose lease is older than this is dead: its users go offline (bounded crash detection). */
        @WithDefault("10S")
        Duration nodeLease();

        /** A user whose last device left is announced offline only if still gone after this (no flapping). */
        @WithDefault("3S")
        Duration offlineGrace();

        /** Users whose mutual-contact lists a node keeps in memory (checked against a version in Redis). */
        @WithDefault("100000")
        int contactCacheSize();
    }

    interface Topics {
        /** Publication buffer shards (Redis streams); each is pushed by one node at a time, in order. */
        @WithDefault("4")
        int shards();

        /** Publications one shard's buffer may hold before the API answers 429 (a burst is absorbed, not dropped). */
        @WithDefault("100000")
        int backlog();

        /** Publications a pusher takes from its shard per read. */
        @WithDefault("500")
        int pushBatch();

        /** Longest topic name. */
        @WithDefault("128")
        int maxTopicChars();

        /** The largest {@code limit} of one page of {@code GET /api/v1/apps/{appId}/grants}. */
        @WithDefault("1000")
        int maxGrantsPage();
    }

    /**
     * What one app may use across all nodes. 0 means unlimited. An app's own figures come from {@link #overrides()}.
     */
    interface Quotas {
        /** Connections holding at least one subscription to the app's topics. */
        @WithDefault("0")
        long connections();

        /** Topic subscriptions (one connection, one topic) to the app's topics. */
        @WithDefault("0")
        long subscribers();

        /** Publications the app may post per second (publish API). */
        @WithDefault("0")
        long publicationsPerSecond();

        /** In-app notifications per second, counted per recipient (one post to 10 users is 10). */
        @WithDefault("0")
        long notificationsPerSecond();

        /**
         * Per-app figures that replace the defaults above:
         * {@code <appId>:<quota>=<n>[,<quota>=<n>…][;<appId>:…]} with quota one of {@code connections},
         * {@code subscribers}, {@code publications-per-second}, {@code notifications-per-second} — e.g.
         * {@code big-tenant:connections=100000,publications-per-second=5000;trial:connections=100}.
         */
        Optional<String> overrides();

        /**
         * A node's share of an app's connections and subscribers counts for the others only while the node renews it
         * (every fifth of this): a node that dies frees its share after this long.
         */
        @WithDefault("10S")
        Duration lease();
    }

    interface Notify {
        /** Notifications kept per user for {@code /ws/notify} clients that were offline. */
        @WithDefault("1000")
        int inboxSize();

        /**
         * How long a posted notification's {@code id} is remembered per app and user: posting the same id again
         * within it stores and pushes nothing and answers the same (so a caller may retry a post it is unsure of).
         */
        @WithDefault("24H")
        Duration dedupeWindow();

        /** The Redis stream notify-service relays from: a message for a user with no open connection goes here. */
        @WithDefault(SharedKeys.OUTBOX_STREAM)
        String outboxStream();

        /** Whether offline recipients' messages are written to the outbox at all. */
        @WithDefault("true")
        boolean relayEnabled();

        /** Groups up to this size relay to their offline members; larger groups do not (one entry per member). */
        @WithDefault("50")
        int relayMaxGroupMembers();

        /** Outbox entries kept (approximate MAXLEN) if notify-service falls behind. */
        @WithDefault("1000000")
        long outboxMaxLength();
    }

    interface Filter {
        @WithDefault("true")
        boolean enabled();

        /** {@code replace}: listed words are masked; {@code reject}: the text is refused. */
        @WithDefault("replace")
        FilterMode mode();

        /** The words (comma-separated in an environment variable). */
        Optional<List<String>> words();

        /** A file with one word per line, added to {@link #words()}. */
        Optional<String> wordsFile();

        /** The character that replaces each character of a listed word. */
        @WithDefault("*")
        String mask();

        /** Per tenant (an app id): its own list and mode for that app's topic publications. */
        Map<String, Tenant> tenants();

        interface Tenant {
            Optional<List<String>> words();

            Optional<String> wordsFile();

            Optional<FilterMode> mode();
        }
    }

    interface Delivery {
        /**
         * How often the server pings each socket (WebSocket ping; the pong counts as activity). Sent by one sweep per
         * event loop each second, so pings keep the spread of the connections' opening times.
         */
        @WithDefault("20S")
        Duration pingInterval();

        /** A connection that sends nothing (not even a ping) for this long is closed (4002). */
        @WithDefault("60S")
        Duration idleTimeout();

        /** A delivered message not acknowledged within this time is sent again. */
        @WithDefault("10S")
        Duration retransmitAfter();

        /** After this many unanswered retransmissions the connection is closed (4004) so the client resyncs. */
        @WithDefault("5")
        int retransmitAttempts();

        /**
         * How long a {@code clientMsgId} is remembered for de-duplication (after the sender's last message in the
         * conversation): as long as a quiet conversation stays in Redis ({@code persistence.quiet-after}), so Redis
         * holds nothing of a conversation quiet for longer (docs/protocol.md says why it is no longer a day).
         */
        @WithDefault("6H")
        Duration dedupeTtl();

        /**
         * How many of a sender's latest messages per conversation are remembered at least, for de-duplication and
         * edits (up to twice as many are): a resend, edit or delete of an older one is not recognised. Bounds Redis
         * memory by the active senders instead of the message rate times {@link #dedupeTtl()}.
         */
        @WithDefault("256")
        int dedupeWindow();

        /**
         * How long a connection's acknowledgements gather before its device cursor is written to Redis (also on close
         * and before a sync): one write per connection per this time at most, not one per ack. A reconnecting device
         * that sends no cursors may be sent this much again, which it drops by id.
         */
        @WithDefault("1S")
        Duration ackFlushDelay();

        /** Most messages one {@code sync} sends per conversation; {@code synced} says {@code more:true} past it. */
        @WithDefault("1000")
        int syncPageSize();
    }

    interface Persistence {

        /** Entries written to MySQL per batch. */
        @WithDefault("500")
        int batchSize();

        /** How often each node looks for conversations with messages MySQL lacks, when the last round left none. */
        @WithDefault("200ms")
        Duration pollInterval();

        /**
         * The pause after a round that found nothing (an idle node reads its buckets this often, not every
         * poll-interval). A message stored on the node, in a bucket it writes, wakes it at once; one stored by another
         * node waits for MySQL up to this long (it is in Redis, with its AOF, meanwhile).
         */
        @WithDefault("1S")
        Duration idlePollInterval();

        /**
         * The lease on a bucket of conversations that one node writes to MySQL: a node that dies leaves its buckets
         * to the others after this long (a clean stop frees them at once).
         */
        @WithDefault("30S")
        Duration claimIdle();

        /** Recent messages kept in each conversation's Redis stream after MySQL holds them (fast sync). */
        @WithDefault("1000")
        int hotMessages();

        /**
         * A conversation MySQL holds whole and that stays quiet this long leaves Redis (its log, mark and seq counter):
         * Redis then holds the conversations that are active; a later sync or history reads MySQL, and its next
         * message reads its seq floor there.
         */
        @WithDefault("6H")
        Duration quietAfter();

        /**
         * Bits of each bucket's filter of started conversations (64 buckets; a Redis bitmap of this many bits each,
         * 128 KiB at the default): it tells a new conversation from one whose counter left Redis without asking MySQL.
         * About ten bits per conversation that went quiet keeps false positives (a MySQL query for a new conversation)
         * near 2 %; beyond that they grow, nothing breaks. A change rebuilds the filters from MySQL once. 1024 to 2^32.
         */
        @WithDefault("1048576")
        long startedFilterBits();
    }
}
