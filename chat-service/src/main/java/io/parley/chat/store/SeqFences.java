package io.parley.chat.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Counts (and logs) seq counters found behind what this node saw handed out — Redis came back behind (see
 * {@link HandedOutSeqs}) — and raised: by an append ({@code message_append.lua}) or by {@link RedisRestartFence}.
 * Metric {@code parley_chat_seq_fences_total{by="append"|"restart"}}.
 */
@Singleton
public class SeqFences {

    private static final Logger LOG = Logger.getLogger(SeqFences.class);

    private final Counter byAppend;
    private final Counter byRestart;

    public SeqFences(MeterRegistry metrics) {
        String description = "Seq counters found behind what this node saw handed out (Redis came back behind) and raised";
        this.byAppend = Counter.builder("parley.chat.seq.fences").tag("by", "append").description(description)
                .register(metrics);
        this.byRestart = Counter.builder("parley.chat.seq.fences").tag("by", "restart").description(description)
                .register(metrics);
    }

    void raisedByAppend(String conversation, long seq) {
        byAppend.increment();
        LOG.warnf("conversation %s: Redis's seq counter was behind what this node saw handed out; the message took"
                + " seq %d instead of reusing one (Redis came back behind: a restart or a failover that lost writes)",
                conversation, seq);
    }

    void raisedAfterRestart(int counters, String runIdBefore, String runIdNow) {
        byRestart.increment(counters);
        if (counters > 0) {
            LOG.warnf("Redis restarted (run_id %s -> %s) and came back behind: %d seq counters raised to what this node"
                    + " saw handed out", runIdBefore, runIdNow, counters);
        } else {
            LOG.infof("Redis restarted (run_id %s -> %s); no seq counter was behind what this node saw handed out",
                    runIdBefore, runIdNow);
        }
    }
}
