package io.parley.chat.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.protocol.ChatMessage;
import io.parley.common.node.NodeName;
import io.parley.common.redis.RedisScript;
import io.parley.common.thread.BackgroundLoop;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.ClaimedMessages;
import io.quarkus.redis.datasource.stream.StreamCommands;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.XGroupCreateArgs;
import io.quarkus.redis.datasource.stream.XPendingSummary;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The write-behind: moves messages from the Redis persist streams ({@link RedisKeys#persistQueue}) into MySQL.
 *
 * <p>Guarantees: nothing is lost and nothing is written twice. Each node reads every shard as one consumer of the
 * {@value RedisKeys#PERSIST_GROUP} group; a batch is inserted in one MySQL transaction ({@code INSERT IGNORE}, so
 * a replayed entry is a no-op) and only after the commit is it acknowledged ({@code XACK}) and deleted from the
 * stream ({@code XDEL}). Entries a crashed node read but never acknowledged are claimed ({@code XAUTOCLAIM}) once
 * idle for {@code claimIdle}; entries of a failed batch stay pending and are read again. After a batch, each of its
 * conversations' {@link RedisKeys#persisted} mark is raised (and the log trimmed below it, keeping
 * {@code hotMessages}) — but only to a seq below which MySQL has every message, so a log is never trimmed over a
 * message that another consumer still holds un-committed.
 *
 * <p>One loop per node on its own platform thread (blocking Redis and JDBC; never the event loop, and not the
 * scheduler, whose intervals round up to a second). It sleeps {@code pollInterval} after every round that found
 * no full batch, so a steady trickle costs 64 reads per interval and a backlog drains at full speed.
 */
@ApplicationScoped
public class WriteBehindPersister {

    private static final Logger LOG = Logger.getLogger(WriteBehindPersister.class);
    private static final RedisScript ADVANCE = RedisScript.load("persisted_advance");
    private static final RedisScript ADVANCE_BATCH = RedisScript.load("persisted_advance_batch");
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final Duration REDIS_WAIT = Duration.ofSeconds(10);
    /** XAUTOCLAIM pages per shard per claim round, so one round cannot starve the normal reads. */
    private static final int CLAIM_PAGES = 10;
    /** Redis commands in flight at once when advancing the marks of a batch's conversations. */

    private final RedisDataSource redis;
    private final ReactiveRedisDataSource reactiveRedis;
    private final StreamCommands<String, String, String> streams;
    private final HistoryRepository history;
    private final PersistListener persisted;
    private final ChatConfig.Persistence config;
    private final String consumer;
    private final boolean[] groupReady;
    /** Per shard: entries of ours may be pending (a failed batch) and are re-read with id {@code 0} first. */
    private final boolean[] ownBacklog;
    private final Counter persistedCounter;
    private final Counter failureCounter;
    private final Counter claimedCounter;
    private final Timer batchTimer;
    private final AtomicLong pendingGauge = new AtomicLong();

    private final BackgroundLoop loop;
    private long nextClaimAt;

    public WriteBehindPersister(RedisDataSource redis, ReactiveRedisDataSource reactiveRedis, HistoryRepository history,
                                ChatConfig config, MeterRegistry metrics, PersistListener persisted) {
        this.persisted = persisted;
        this.redis = redis;
        this.reactiveRedis = reactiveRedis;
        this.streams = redis.stream(String.class);
        this.history = history;
        this.config = config.persistence();
        this.consumer = NodeName.unique();
        this.groupReady = new boolean[RedisKeys.CONVERSATION_BUCKETS];
        this.ownBacklog = new boolean[RedisKeys.CONVERSATION_BUCKETS];
        this.persistedCounter = Counter.builder("parley.chat.persist.messages")
                .description("messages written to MySQL by the write-behind").register(metrics);
        this.failureCounter = Counter.builder("parley.chat.persist.failures")
                .description("write-behind rounds that failed (retried after a back-off)").register(metrics);
        this.claimedCounter = Counter.builder("parley.chat.persist.claimed")
                .description("persist entries claimed from a consumer that stopped acknowledging (crashed node)")
                .register(metrics);
        this.batchTimer = Timer.builder("parley.chat.persist.batch")
                .description("one write-behind batch: MySQL insert, XACK/XDEL, persisted marks").register(metrics);
        Gauge.builder("parley.chat.persist.pending", pendingGauge, AtomicLong::get)
                .description("persist entries delivered to a consumer and not yet acknowledged (all shards)")
                .register(metrics);
        // Pause after every round that left no full batch behind: a round costs 64 Redis calls, and going again at
        // once under a steady trickle made this loop spin (thousands of XREADGROUPs a second, on every node, and
        // Redis CPU with them). A backlog still drains at full speed.
        this.loop = new BackgroundLoop("chat-write-behind", "write-behind", LOG, this::round)
                .idle(this.config.pollInterval()).maxBackoff(MAX_BACKOFF)
                .failureNote("; nothing is acknowledged before MySQL commits")
                .onFailure(e -> {
                    failureCounter.increment();
                    Arrays.fill(ownBacklog, true);
                });
    }

    void onStart(@Observes StartupEvent event) {
        nextClaimAt = System.nanoTime();
        loop.start();
        LOG.infof("write-behind started as consumer %s of %d persist shards", consumer, RedisKeys.CONVERSATION_BUCKETS);
    }

    void onStop(@Observes ShutdownEvent event) {
        // the current batch finishes (or fails and stays pending for another node to claim)
        if (loop.stop(REDIS_WAIT)) {
            leaveGroups();
        } else if (loop.alive()) {
            LOG.warn("write-behind did not stop in time; its pending entries will be claimed by another node");
            loop.interrupt();
        }
    }

    /** This node's consumer name in the persist groups. */
    public String consumer() {
        return consumer;
    }

    /**
     * One round over every shard (and now and then a claim round); true if a full batch was left behind. What the
     * shards hold is read first and written to MySQL in one transaction: under 1:1 traffic every shard holds a few
     * entries, and a transaction per shard (64 per round, five rounds a second on every node) was most of the
     * write-behind's CPU and MySQL's.
     */
    private boolean round() {
        boolean backlog = false;
        long now = System.nanoTime();
        if (now - nextClaimAt >= 0) {
            backlog |= claimRound() >= config.batchSize();
            nextClaimAt = System.nanoTime() + claimEvery().toNanos();
        }
        Map<Integer, List<StreamMessage<String, String, String>>> read = new HashMap<>();
        for (int shard = 0; shard < RedisKeys.CONVERSATION_BUCKETS && loop.running(); shard++) {
            List<StreamMessage<String, String, String>> entries = readRound(shard);
            if (!entries.isEmpty()) {
                read.put(shard, entries);
                backlog |= entries.size() >= config.batchSize();
            }
        }
        persist(read);
        return backlog;
    }

    /** One batch of the shard: first our own pending entries (after a failure), then new ones. */
    private List<StreamMessage<String, String, String>> readRound(int shard) {
        String key = RedisKeys.persistQueue(shard);
        ensureGroup(shard);
        XReadGroupArgs args = new XReadGroupArgs().count(config.batchSize());
        if (ownBacklog[shard]) {
            List<StreamMessage<String, String, String>> mine = read(shard, key, "0", args);
            if (!mine.isEmpty()) {
                return mine;
            }
            ownBacklog[shard] = false;
        }
        return read(shard, key, ">", args);
    }

    private List<StreamMessage<String, String, String>> read(int shard, String key, String from, XReadGroupArgs args) {
        try {
            List<StreamMessage<String, String, String>> entries =
                    streams.xreadgroup(RedisKeys.PERSIST_GROUP, consumer, key, from, args);
            return entries == null ? List.of() : entries;
        } catch (RuntimeException e) {
            if (has(e, "NOGROUP")) {
                // the stream or group vanished (Redis restarted empty, keys flushed): recreate it next round
                groupReady[shard] = false;
                return List.of();
            }
            throw e;
        }
    }

    /** Claims entries other consumers (crashed nodes) left pending longer than {@code claimIdle}. */
    private int claimRound() {
        int handled = 0;
        long pending = 0;
        for (int shard = 0; shard < RedisKeys.CONVERSATION_BUCKETS && loop.running(); shard++) {
            String key = RedisKeys.persistQueue(shard);
            ensureGroup(shard);
            String cursor = "0-0";
            for (int page = 0; page < CLAIM_PAGES && loop.running(); page++) {
                ClaimedMessages<String, String, String> claimed;
                try {
                    claimed = streams.xautoclaim(key, RedisKeys.PERSIST_GROUP, consumer, config.claimIdle(), cursor,
                            config.batchSize());
                } catch (RuntimeException e) {
                    if (has(e, "NOGROUP")) {
                        groupReady[shard] = false;
                        break;
                    }
                    throw e;
                }
                List<StreamMessage<String, String, String>> entries = claimed.getMessages();
                if (entries != null && !entries.isEmpty()) {
                    claimedCounter.increment(entries.size());
                    LOG.infof("claimed %d persist entries of shard %d left pending by another consumer", entries.size(), shard);
                    handled += persist(shard, entries);
                }
                cursor = claimed.getId();
                if (cursor == null || "0-0".equals(cursor)) {
                    break;
                }
            }
            if (groupReady[shard]) {
                XPendingSummary summary = streams.xpending(key, RedisKeys.PERSIST_GROUP);
                pending += summary == null ? 0 : summary.getPendingCount();
            }
        }
        pendingGauge.set(pending);
        return handled;
    }

    /** {@link #persist(Map)} for one shard's entries. */
    private int persist(int shard, List<StreamMessage<String, String, String>> entries) {
        return entries.isEmpty() ? 0 : persist(Map.of(shard, entries));
    }

    /**
     * Persists entries of any shards: one MySQL transaction, then XACK + XDEL per shard, then the persisted marks.
     * Throws (leaving every entry pending) if MySQL or Redis fails.
     */
    private int persist(Map<Integer, List<StreamMessage<String, String, String>>> byShard) {
        if (byShard.isEmpty()) {
            return 0;
        }
        long started = System.nanoTime();
        List<ChatMessage> messages = new ArrayList<>();
        Map<String, TreeSet<Long>> seqsByConversation = new HashMap<>();
        int entryCount = 0;
        for (List<StreamMessage<String, String, String>> entries : byShard.values()) {
            entryCount += entries.size();
            for (StreamMessage<String, String, String> entry : entries) {
                ChatMessage message = parse(entry);
                if (message == null) {
                    // cannot be written anywhere; acknowledged so it does not block the shard (logged with its fields)
                    continue;
                }
                messages.add(message);
                seqsByConversation.computeIfAbsent(message.conversation(), c -> new TreeSet<>()).add(message.seq());
            }
        }
        history.insertBatch(messages);
        persisted.onPersisted(messages); // the offline relay, before the acknowledgement
        // only now that MySQL has committed may Redis forget the entries
        for (Map.Entry<Integer, List<StreamMessage<String, String, String>>> shard : byShard.entrySet()) {
            String key = RedisKeys.persistQueue(shard.getKey());
            String[] ids = shard.getValue().stream().map(StreamMessage::id).toArray(String[]::new);
            streams.xack(key, RedisKeys.PERSIST_GROUP, ids);
            streams.xdel(key, ids);
        }
        persistedCounter.increment(messages.size());
        advanceMarks(seqsByConversation);
        batchTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return entryCount;
    }

    /**
     * Raises each conversation's persisted mark to the batch's highest seq and trims its log, if MySQL holds every
     * message from the current mark up to it. It may not: another node may hold earlier entries of the same
     * conversation un-committed (entries of one shard are spread over the group's consumers), or a crashed node's
     * entries wait for their claim. Then the mark stays, and a later batch raises it.
     */
    private void advanceMarks(Map<String, TreeSet<Long>> seqsByConversation) {
        List<String> conversations = new ArrayList<>(seqsByConversation.keySet());
        if (conversations.isEmpty()) {
            return;
        }
        // the common case in one call for the whole batch: its own seqs prove MySQL has everything above the mark
        List<String> keys = new ArrayList<>(conversations.size() * 2);
        List<String> args = new ArrayList<>(conversations.size() * 3 + 1);
        String keep = Integer.toString(config.hotMessages());
        args.add(keep);
        for (String cid : conversations) {
            TreeSet<Long> seqs = seqsByConversation.get(cid);
            keys.add(RedisKeys.persisted(cid));
            keys.add(RedisKeys.log(cid));
            args.add(Long.toString(seqs.first()));
            args.add(Long.toString(seqs.last()));
            args.add(Integer.toString(seqs.size()));
        }
        Response reply = ADVANCE_BATCH.run(redis, keys, args.toArray(String[]::new));
        // the rest (a batch with holes, or starting above the mark): as before, MySQL decides
        for (int i = 0; i < conversations.size(); i++) {
            if (reply.get(2 * i).toInteger() != 2) {
                continue;
            }
            String cid = conversations.get(i);
            long mark = reply.get(2 * i + 1).toLong();
            TreeSet<Long> seqs = seqsByConversation.get(cid);
            long top = seqs.last();
            long needed = top - mark;
            boolean complete = seqs.tailSet(mark, false).size() == needed
                    || history.countRange(cid, mark + 1, top) == needed;
            if (complete) {
                ADVANCE.run(reactiveRedis, List.of(RedisKeys.persisted(cid), RedisKeys.log(cid)),
                        List.of(Long.toString(top), keep)).await().atMost(REDIS_WAIT);
            } else {
                LOG.debugf("%s: MySQL does not yet hold every message in (%d, %d]; its mark stays", cid, mark, top);
            }
        }
    }

    private ChatMessage parse(StreamMessage<String, String, String> entry) {
        Map<String, String> fields = entry.payload();
        try {
            return MessageStore.fromEntry(fields.get("cid"), Long.parseLong(fields.get("seq")), fields);
        } catch (RuntimeException e) {
            LOG.errorf("persist entry %s is malformed and is dropped: %s (%s)", entry.id(), fields, describe(e));
            return null;
        }
    }

    private void ensureGroup(int shard) {
        if (groupReady[shard]) {
            return;
        }
        try {
            // From 0, not $: entries appended before the group existed (first start) are persisted too. The stream
            // never holds persisted entries (they are deleted after the commit), so nothing is written twice.
            streams.xgroupCreate(RedisKeys.persistQueue(shard), RedisKeys.PERSIST_GROUP, "0",
                    new XGroupCreateArgs().mkstream());
        } catch (RuntimeException e) {
            if (!has(e, "BUSYGROUP")) {
                throw e;
            }
        }
        groupReady[shard] = true;
    }

    /** On a clean stop with nothing pending, removes this node's consumer from the groups (no clutter left). */
    private void leaveGroups() {
        try {
            for (int shard = 0; shard < RedisKeys.CONVERSATION_BUCKETS; shard++) {
                String key = RedisKeys.persistQueue(shard);
                XPendingSummary summary = streams.xpending(key, RedisKeys.PERSIST_GROUP);
                Long mine = summary == null || summary.getConsumers() == null ? null : summary.getConsumers().get(consumer);
                if (mine == null || mine == 0) {
                    // DELCONSUMER drops the consumer's pending entries, so only when it has none
                    redis.execute("XGROUP", "DELCONSUMER", key, RedisKeys.PERSIST_GROUP, consumer);
                }
            }
        } catch (RuntimeException e) {
            LOG.debugf("write-behind: could not leave the persist groups on shutdown (%s)", describe(e));
        }
    }

    private Duration claimEvery() {
        Duration half = config.claimIdle().dividedBy(2);
        return half.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : half;
    }

    private static boolean has(Throwable e, String text) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(text)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        return BackgroundLoop.describe(e);
    }
}
