package io.parley.chat.store;

import io.parley.common.redis.RedisScript;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Watches Redis's {@code run_id} (new on every start of a Redis process, and on a failover the new primary's own): when
 * it changes, Redis may have come back behind what it handed out — a restart that lost its last second, a replica
 * that lagged — so every seq counter this node remembers ({@link HandedOutSeqs}) is raised to what it saw handed out
 * ({@code seqs_raise.lua}, never lowering one). A restart that lost nothing raises nothing. Appends through this node
 * check their own conversation anyway ({@code message_append.lua}); this covers the conversations whose next message
 * goes through another node, which may not remember them.
 *
 * <p>One {@code INFO server} per interval. Standalone Redis only: on a Cluster each shard has its own run_id and the
 * per-append check alone applies.
 */
@Singleton
public class RedisRestartFence {

    private static final Logger LOG = Logger.getLogger(RedisRestartFence.class);
    private static final RedisScript RAISE = RedisScript.load("seqs_raise");
    /** Counters per script call: a raise never holds Redis for long. */
    static final int BATCH = 500;

    private final RedisDataSource redis;
    private final HandedOutSeqs handedOut;
    private final SeqFences fences;
    private final boolean oneShard;
    private volatile String runId;

    public RedisRestartFence(RedisDataSource redis, HandedOutSeqs handedOut, SeqFences fences,
                             @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone") String clientType) {
        this.redis = redis;
        this.handedOut = handedOut;
        this.fences = fences;
        this.oneShard = "standalone".equalsIgnoreCase(clientType);
    }

    @Scheduled(every = "${parley.chat.recovery.restart-check-interval:1S}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void check() {
        if (!oneShard) {
            return;
        }
        String now;
        try {
            now = runIdOf(redis.execute("INFO", "server").toString());
        } catch (RuntimeException redisAway) {
            return; // asked again next time; the run_id seen last stays the reference
        }
        String before = runId;
        if (now == null || now.equals(before)) {
            return;
        }
        if (before != null) {
            try {
                fences.raisedAfterRestart(raise(handedOut.snapshot()), before, now);
            } catch (RuntimeException e) {
                LOG.warnf("Redis restarted (run_id %s -> %s); raising the seq counters failed, trying again: %s",
                        before, now, e.toString());
                return; // the run_id is not taken: the next check raises again
            }
        }
        runId = now;
    }

    /** Raises the remembered counters, a bucket (one slot) and {@link #BATCH} at a time; returns how many rose. */
    int raise(Map<String, Long> highest) {
        Map<Integer, List<Map.Entry<String, Long>>> byBucket = new HashMap<>();
        highest.entrySet().forEach(e -> byBucket.computeIfAbsent(RedisKeys.bucket(e.getKey()), b -> new ArrayList<>())
                .add(e));
        int raised = 0;
        for (List<Map.Entry<String, Long>> bucket : byBucket.values()) {
            for (int from = 0; from < bucket.size(); from += BATCH) {
                List<Map.Entry<String, Long>> batch = bucket.subList(from, Math.min(bucket.size(), from + BATCH));
                List<String> keys = new ArrayList<>(batch.size());
                String[] seqs = new String[batch.size()];
                for (int i = 0; i < batch.size(); i++) {
                    keys.add(RedisKeys.seq(batch.get(i).getKey()));
                    seqs[i] = Long.toString(batch.get(i).getValue());
                }
                raised += RAISE.run(redis, keys, seqs).toInteger();
            }
        }
        return raised;
    }

    /** The {@code run_id} line of {@code INFO server}, or null. */
    static String runIdOf(String info) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("run_id:")) {
                return line.substring("run_id:".length()).strip();
            }
        }
        return null;
    }
}
