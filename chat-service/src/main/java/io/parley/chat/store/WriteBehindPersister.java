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
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The write-behind: moves messages from the conversations' Redis logs into MySQL.
 *
 * <p>The log is the queue. The append script adds the conversation to its bucket's dirty set
 * ({@link RedisKeys#dirty}); a round reads, for the dirty conversations of the buckets this node writes, the entries
 * above each conversation's persisted mark ({@code persist_take.lua}), inserts them in one MySQL transaction
 * ({@code INSERT IGNORE}: a replay writes nothing twice), then raises the marks, trims the logs below them (keeping
 * {@code hotMessages}) and takes the conversations off the dirty sets unless more came in ({@code persist_done.lua}).
 * The log is never trimmed above the mark, so a message MySQL lacks is always in Redis, and a round that fails
 * before the marks move is simply read again. Nothing is copied into a second stream (the message was written to
 * Redis once, not twice), and there is nothing to acknowledge or delete.
 *
 * <p>A conversation MySQL holds whole that stays quiet for {@code quietAfter} leaves Redis (log, mark and seq counter
 * expire, set by persist_done.lua, which also puts the conversation in its bucket's filter of started conversations,
 * {@link StartedConversations}; the next append lifts the expiries): Redis holds what is active, whatever the rate at
 * which new conversations start; sync and history read MySQL meanwhile, and the next message its seq floor. (Versions
 * before this one listed such conversations in a per-bucket sorted set and forgot 100 a second; persist_take.lua
 * drains what is left of it.) After Redis lost its data, the filters are rebuilt from MySQL ({@code seqs_seed.lua})
 * before appends stop asking MySQL for the floor of every conversation without a counter.
 *
 * <p>One node writes a bucket at a time: it holds the bucket's lease ({@link RedisKeys#writerLease}), renewed at
 * half-life while it runs, released on a clean stop, and taken over by another node {@code claimIdle} after a node
 * died. Two writers overlapping (a pause longer than the lease) only insert the same rows twice, which MySQL ignores.
 *
 * <p>One loop per node on its own platform thread (blocking Redis and JDBC; never the event loop). It sleeps
 * {@code pollInterval} after every round that left no backlog; on a one-shard Redis a round is one call for every
 * bucket (on a Cluster one per bucket: a script's keys share one slot).
 */
@ApplicationScoped
public class WriteBehindPersister {

    private static final Logger LOG = Logger.getLogger(WriteBehindPersister.class);
    private static final RedisScript TAKE = RedisScript.load("persist_take");
    private static final RedisScript DONE = RedisScript.load("persist_done");
    private static final RedisScript SEED = RedisScript.load("seqs_seed");
    /**
     * Conversations per call of persist_done.lua: a script holds Redis while it runs, and every append waits behind
     * it — 500 conversations took 8 ms on average under 1:1 load (SLOWLOG), a hundred take a fifth of that.
     */
    private static final int MARKS_PER_CALL = 100;
    /** Counters per re-seed call: one call never holds Redis for long. */
    private static final int SEED_BATCH = 1000;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final RedisDataSource redis;
    private final HistoryRepository history;
    private final PersistListener persisted;
    private final ChatConfig.Persistence config;
    /** The size of the buckets' filters of started conversations ({@link StartedConversations}). */
    private final long filterBits;
    private final String consumer;
    /** The buckets read by one call: all of them on a one-shard Redis, one each on a Cluster. */
    private final List<int[]> bucketGroups = new ArrayList<>();
    private final Counter persistedCounter;
    private final Counter failureCounter;
    private final Counter takenOverCounter;
    private final Counter conflictCounter;
    private final Timer batchTimer;
    private final AtomicLong waitingGauge = new AtomicLong();
    private final BackgroundLoop loop;
    /** The pause after the current round (written by the loop's thread): poll-interval, or idle-poll-interval. */
    private volatile Duration pause;
    /** Whether the pause has grown past poll-interval: an append here then wakes the loop. */
    private volatile boolean slowed;
    /** When the last round with housekeeping started (System.nanoTime; the loop's thread only). */
    private long lastHousekeepingNanos = System.nanoTime() - Duration.ofDays(1).toNanos();
    /** The buckets this node writes (their lease is its own), as of the last round. */
    private volatile BitSet heldBuckets = new BitSet();

    public WriteBehindPersister(RedisDataSource redis, HistoryRepository history, ChatConfig config,
                                MeterRegistry metrics, PersistListener persisted,
                                @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone")
                                String clientType) {
        this.redis = redis;
        this.history = history;
        this.persisted = persisted;
        this.config = config.persistence();
        this.filterBits = StartedConversations.checkedBits(this.config.startedFilterBits());
        this.consumer = NodeName.unique();
        this.pause = this.config.pollInterval();
        if ("standalone".equalsIgnoreCase(clientType)) {
            int[] all = new int[RedisKeys.CONVERSATION_BUCKETS];
            for (int b = 0; b < all.length; b++) {
                all[b] = b;
            }
            bucketGroups.add(all);
        } else {
            for (int b = 0; b < RedisKeys.CONVERSATION_BUCKETS; b++) {
                bucketGroups.add(new int[]{b});
            }
        }
        this.persistedCounter = Counter.builder("parley.chat.persist.messages")
                .description("messages written to MySQL by the write-behind").register(metrics);
        this.failureCounter = Counter.builder("parley.chat.persist.failures")
                .description("write-behind rounds that failed (retried after a back-off)").register(metrics);
        this.takenOverCounter = Counter.builder("parley.chat.persist.claimed")
                .description("write-behind buckets this node took over (free at start, or left by a node that stopped "
                        + "or died)").register(metrics);
        this.conflictCounter = Counter.builder("parley.chat.persist.seq.conflicts")
                .description("messages not stored because MySQL holds their conversation and seq with another message "
                        + "(a seq assigned twice; each is logged as an error)").register(metrics);
        this.batchTimer = Timer.builder("parley.chat.persist.batch")
                .description("one write-behind batch: read from the logs, MySQL insert, marks").register(metrics);
        Gauge.builder("parley.chat.persist.pending", waitingGauge, AtomicLong::get)
                .description("conversations with messages not yet in MySQL, in the buckets this node writes")
                .register(metrics);
        this.loop = new BackgroundLoop("chat-write-behind", "write-behind", LOG, this::round)
                .idle(this::pause).maxBackoff(MAX_BACKOFF)
                .failureNote("; the persisted marks move only after MySQL commits")
                .onFailure(e -> failureCounter.increment());
    }

    void onStart(@Observes StartupEvent event) {
        loop.start();
        LOG.infof("write-behind started as %s over %d buckets", consumer, RedisKeys.CONVERSATION_BUCKETS);
    }

    void onStop(@Observes ShutdownEvent event) {
        // the current batch finishes (or fails: another node reads it again once the leases are free)
        if (loop.stop(STOP_WAIT)) {
            releaseLeases();
        } else if (loop.alive()) {
            LOG.warn("write-behind did not stop in time; its buckets pass to another node when the leases expire");
            loop.interrupt();
        }
    }

    /** This node's name on the buckets' writer leases. */
    public String consumer() {
        return consumer;
    }

    /** One round over every bucket; true if it left a backlog (a full batch), so the next goes at once. */
    private boolean round() {
        BitSet held = new BitSet(RedisKeys.CONVERSATION_BUCKETS);
        long now = System.nanoTime();
        boolean housekeeping = now - lastHousekeepingNanos >= housekeepingNanos();
        if (housekeeping) {
            lastHousekeepingNanos = now;
        }
        boolean backlog = false;
        long waiting = 0;
        for (int[] buckets : bucketGroups) {
            if (!loop.running()) {
                break;
            }
            Taken taken = take(buckets, housekeeping);
            waiting += taken.waiting;
            held.or(taken.held);
            if (!taken.unmarked.isEmpty()) {
                reseed(taken.unmarked);
            }
            if (!taken.messages.isEmpty()) {
                persist(taken);
                backlog |= taken.messages.size() >= config.batchSize();
            }
        }
        if (housekeeping) {
            waitingGauge.set(waiting); // other rounds count only what they saw
        }
        heldBuckets = held;
        idleAfter(waiting == 0);
        return backlog;
    }

    /**
     * After a round that found nothing the loop waits idle-poll-interval, not poll-interval, so an idle node does not
     * read its buckets five times a second; a message stored on this node wakes it at once
     * ({@link #appended(String)}) if it writes that bucket, and a round that finds work (stored by another node)
     * brings it back to poll-interval.
     */
    private void idleAfter(boolean nothingFound) {
        Duration busy = config.pollInterval();
        Duration quarterLease = quarterLease();
        Duration idle = config.idlePollInterval().compareTo(quarterLease) < 0 ? config.idlePollInterval() : quarterLease;
        boolean slow = nothingFound && idle.compareTo(busy) > 0;
        pause = slow ? idle : busy;
        slowed = slow;
    }

    /** The pause after the current round (for tests). */
    Duration pause() {
        return pause;
    }

    /**
     * A message was stored on this node in {@code conversation}: if the loop slowed down for lack of work and this
     * node writes the conversation's bucket, it looks again now. (Messages of buckets another node writes are that
     * node's to read; woken by each of them, this one would read the buckets after every append and find nothing.)
     */
    public void appended(String conversation) {
        if (slowed && heldBuckets.get(RedisKeys.bucket(conversation))) {
            slowed = false;
            loop.wake();
        }
    }

    /**
     * What one read returned: the messages, per conversation the top seq read, the dirty count, the buckets whose
     * counters Redis lost, and the buckets this node holds.
     */
    private record Taken(List<ChatMessage> messages, Map<String, Long> tops, long waiting, List<Integer> unmarked,
                         BitSet held) {
    }

    /**
     * How often a round does the buckets' housekeeping (persist_take.lua: free leases taken, ours renewed at
     * half-life, lost counters found, quiet conversations forgotten, the backlog counted): once a second, or four
     * times per lease so renewals never lapse. The other rounds under load only read the buckets this node holds — the
     * housekeeping of 64 buckets was about 450 commands in every round, five rounds a second.
     */
    private long housekeepingNanos() {
        return Math.min(Duration.ofSeconds(1).toNanos(), quarterLease().toNanos());
    }

    /**
     * A quarter of the writer lease: rounds renew the leases at half-life, so neither the idle pause nor the
     * housekeeping period may grow past this, or a renewal could lapse.
     */
    private Duration quarterLease() {
        return config.claimIdle().dividedBy(4);
    }

    private Taken take(int[] buckets, boolean housekeeping) {
        List<String> keys = new ArrayList<>(buckets.length * 5);
        String[] args = new String[6 + buckets.length];
        args[0] = consumer;
        args[1] = Long.toString(config.claimIdle().toMillis());
        args[2] = Integer.toString(config.batchSize());
        args[3] = Long.toString(System.currentTimeMillis() - config.quietAfter().toMillis());
        args[4] = housekeeping ? "1" : "0";
        args[5] = Long.toString(filterBits);
        for (int i = 0; i < buckets.length; i++) {
            keys.add(RedisKeys.writerLease(buckets[i]));
            keys.add(RedisKeys.dirty(buckets[i]));
            keys.add(RedisKeys.legacyPersistQueue(buckets[i]));
            keys.add(RedisKeys.quiet(buckets[i]));
            keys.add(RedisKeys.seqsWhole(buckets[i]));
            args[6 + i] = RedisKeys.bucketPrefix(buckets[i]);
        }
        Response reply = TAKE.run(redis, keys, args);
        long taken = reply.get(1).toLong();
        if (taken > 0) {
            takenOverCounter.increment(taken);
        }
        List<Integer> unmarked = new ArrayList<>();
        for (int u = 0; u < reply.get(2).size(); u++) {
            unmarked.add(buckets[reply.get(2).get(u).toInteger() - 1]);
        }
        BitSet held = new BitSet(RedisKeys.CONVERSATION_BUCKETS);
        for (int h = 0; h < reply.get(3).size(); h++) {
            held.set(buckets[reply.get(3).get(h).toInteger() - 1]);
        }
        List<ChatMessage> messages = new ArrayList<>();
        Map<String, Long> tops = new LinkedHashMap<>();
        for (int i = 4; i + 2 < reply.size(); i += 3) { // cid, mark, entries
            String cid = reply.get(i).toString();
            Response entries = reply.get(i + 2);
            long top = 0;
            for (int e = 0; e < entries.size(); e++) {
                Response entry = entries.get(e);
                long seq = MessageStore.seqOf(entry.get(0).toString());
                ChatMessage message = parse(cid, seq, entry.get(1));
                if (message != null) {
                    messages.add(message);
                }
                top = Math.max(top, seq);
            }
            tops.put(cid, top);
        }
        return new Taken(messages, tops, reply.get(0).toLong(), unmarked, held);
    }

    /**
     * These buckets' filters of started conversations are not known to be whole (their seqs-whole marker is gone —
     * Redis lost its data — or names another filter size): each is emptied and every conversation MySQL holds a
     * message of is put back in it, then the marker, so a missing counter of a conversation the filter does not hold
     * means a new conversation again and appends stop asking MySQL first. Until then each append of a conversation
     * without a counter asks MySQL itself (message_append.lua's no-seq), so nothing waits for this. A conversation
     * that goes quiet meanwhile is added by persist_done.lua, after the emptying.
     */
    private void reseed(List<Integer> buckets) {
        java.util.Set<Integer> wanted = new java.util.HashSet<>(buckets);
        for (int bucket : buckets) {
            redis.key().del(RedisKeys.startedFilter(bucket));
        }
        Map<Integer, List<String>> byBucket = new HashMap<>();
        long[] seen = {0};
        history.forEachConversation(cid -> {
            int bucket = RedisKeys.bucket(cid);
            if (wanted.contains(bucket)) {
                List<String> pending = byBucket.computeIfAbsent(bucket, b -> new ArrayList<>());
                pending.add(cid);
                seen[0]++;
                if (pending.size() >= SEED_BATCH) {
                    seed(bucket, pending, false);
                    pending.clear();
                }
            }
        });
        for (int bucket : buckets) {
            seed(bucket, byBucket.getOrDefault(bucket, List.of()), true);
        }
        LOG.infof("write-behind: %d buckets' filters of started conversations rebuilt from MySQL (%d conversations): "
                + "Redis had lost them, or their size changed", buckets.size(), seen[0]);
    }

    private void seed(int bucket, List<String> conversations, boolean last) {
        List<String> keys = List.of(RedisKeys.seqsWhole(bucket), RedisKeys.startedFilter(bucket));
        String[] args = new String[2 + conversations.size() * StartedConversations.POSITIONS];
        args[0] = last ? "1" : "0";
        args[1] = Long.toString(filterBits);
        int a = 2;
        for (String cid : conversations) {
            for (String position : StartedConversations.positions(cid, filterBits)) {
                args[a++] = position;
            }
        }
        SEED.run(redis, keys, args);
    }

    /** Inserts in one MySQL transaction, relays, then raises the marks. Throws (nothing moves) if MySQL fails. */
    private void persist(Taken taken) {
        long started = System.nanoTime();
        if (history.insertBatch(taken.messages) < taken.messages.size()) {
            reportSeqConflicts(taken.messages);
        }
        persisted.onPersisted(taken.messages); // the offline relay, before the marks move
        persistedCounter.increment(taken.messages.size());
        List<Map.Entry<String, Long>> tops = new ArrayList<>(taken.tops.entrySet());
        for (int from = 0; from < tops.size(); from += MARKS_PER_CALL) {
            raiseMarks(tops.subList(from, Math.min(tops.size(), from + MARKS_PER_CALL)));
        }
        batchTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }

    private void raiseMarks(List<Map.Entry<String, Long>> tops) {
        List<String> keys = new ArrayList<>(tops.size() * 5);
        List<String> args = new ArrayList<>(tops.size() * 5 + 2);
        args.add(Integer.toString(config.hotMessages()));
        args.add(Long.toString(config.quietAfter().toMillis()));
        for (Map.Entry<String, Long> top : tops) {
            String cid = top.getKey();
            keys.add(RedisKeys.persisted(cid));
            keys.add(RedisKeys.log(cid));
            keys.add(RedisKeys.seq(cid));
            keys.add(RedisKeys.dirty(RedisKeys.bucket(cid)));
            keys.add(RedisKeys.startedFilter(RedisKeys.bucket(cid)));
            args.add(cid);
            args.add(Long.toString(top.getValue()));
            args.addAll(List.of(StartedConversations.positions(cid, filterBits)));
        }
        DONE.run(redis, keys, args.toArray(String[]::new));
    }

    /**
     * Rows the insert skipped although MySQL does not hold their id: their seq is taken by another message. Seqs are
     * re-seeded from MySQL when Redis loses a counter (message_append.lua), so this must not happen; if it does, the
     * message is not dropped silently: an error names it whole (to be restored by hand) and a metric counts it.
     */
    private void reportSeqConflicts(List<ChatMessage> messages) {
        for (ChatMessage m : history.missingByIdAmong(messages)) {
            conflictCounter.increment();
            LOG.errorf("write-behind: seq %d of %s is already held in MySQL by another message; message not stored: %s",
                    m.seq(), m.conversation(), m);
        }
    }

    private ChatMessage parse(String cid, long seq, Response fields) {
        Map<String, String> f = new HashMap<>();
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            f.put(fields.get(i).toString(), fields.get(i + 1).toString());
        }
        try {
            return MessageStore.fromEntry(cid, seq, f);
        } catch (RuntimeException e) {
            // cannot be written anywhere; the mark passes it so it does not block the conversation (logged whole)
            LOG.errorf("log entry %d of %s is malformed and is not written to MySQL: %s (%s)", seq, cid, f,
                    BackgroundLoop.describe(e));
            return null;
        }
    }

    /** On a clean stop, frees this node's buckets for the others at once (not after the lease expires). */
    private void releaseLeases() {
        try {
            for (int b = 0; b < RedisKeys.CONVERSATION_BUCKETS; b++) {
                redis.execute("EVAL", "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end",
                        "1", RedisKeys.writerLease(b), consumer);
            }
        } catch (RuntimeException e) {
            LOG.debugf("write-behind: could not release its leases on shutdown (%s); they expire",
                    BackgroundLoop.describe(e));
        }
    }
}
