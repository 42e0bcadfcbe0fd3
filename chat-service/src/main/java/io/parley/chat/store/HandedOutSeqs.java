package io.parley.chat.store;

import io.parley.chat.config.ChatConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The highest seq this node handed out (its appends) or delivered (messages it received for its connections) per
 * conversation, over the last {@code seqMemory} to twice that. A Redis that comes back behind what it handed out — a
 * restart that lost its last second of writes, a failover to a replica that lagged — still has the conversation's
 * counter, only lower: each append passes what is remembered here and the script never assigns a seq at or below it
 * ({@code message_append.lua}), and {@link RedisRestartFence} raises every remembered counter as soon as it sees Redis
 * restarted. Without this the next messages would take seqs a device already holds, and its {@code sync} would skip
 * them.
 *
 * <p>Two generations of a concurrent map, the current one written: a conversation is looked up in both, and the older
 * generation is dropped when the current one is {@code seqMemory} old or holds {@code seqMemoryConversations}. Costs a
 * map update per message on the hot path, no Redis command.
 */
@Singleton
public class HandedOutSeqs {

    private final long generationNanos;
    private final int maxPerGeneration;
    private final LongSupplier nanoClock;
    private volatile ConcurrentHashMap<String, Long> current = new ConcurrentHashMap<>();
    private volatile ConcurrentHashMap<String, Long> previous = new ConcurrentHashMap<>();
    private volatile long currentSince;

    @Inject
    public HandedOutSeqs(ChatConfig config) {
        this(config.recovery().seqMemory().toNanos(), config.recovery().seqMemoryConversations(), System::nanoTime);
    }

    HandedOutSeqs(long generationNanos, int maxPerGeneration, LongSupplier nanoClock) {
        if (maxPerGeneration < 1) {
            throw new IllegalArgumentException("parley.chat.recovery.seq-memory-conversations must be at least 1");
        }
        this.generationNanos = generationNanos;
        this.maxPerGeneration = maxPerGeneration;
        this.nanoClock = nanoClock;
        this.currentSince = nanoClock.getAsLong();
    }

    /** The conversation reached {@code seq} (appended here, or delivered through here). */
    public void saw(String conversation, long seq) {
        ConcurrentHashMap<String, Long> map = current;
        if (map.size() >= maxPerGeneration || nanoClock.getAsLong() - currentSince >= generationNanos) {
            map = rotate(map);
        }
        map.merge(conversation, seq, Math::max);
    }

    /** The highest seq remembered for the conversation, or 0. */
    public long highest(String conversation) {
        Long now = current.get(conversation);
        Long before = previous.get(conversation);
        return Math.max(now == null ? 0 : now, before == null ? 0 : before);
    }

    /** Every remembered conversation with its highest seq (a copy). */
    public Map<String, Long> snapshot() {
        Map<String, Long> all = new HashMap<>(previous);
        current.forEach((cid, seq) -> all.merge(cid, seq, Math::max));
        return all;
    }

    private synchronized ConcurrentHashMap<String, Long> rotate(ConcurrentHashMap<String, Long> seen) {
        if (current != seen) {
            return current; // another thread rotated first
        }
        previous = seen;
        ConcurrentHashMap<String, Long> fresh = new ConcurrentHashMap<>();
        currentSince = nanoClock.getAsLong();
        current = fresh;
        return fresh;
    }
}
