package io.parley.id.repository;

import io.parley.common.id.Id34;
import io.parley.common.id.SequenceBlock;
import io.parley.common.id.SequenceBlockSource;
import io.parley.common.redis.RedisScript;
import io.parley.id.config.IdConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Leases blocks of the one global sequence ({@link RedisKeys#SEQUENCE}) with one script call, fenced by time
 * ({@code sequence_lease.lua}): the counter is kept between a floor that grows with Redis's clock and that floor
 * plus {@code max-lead}. Two leases never overlap (the script is atomic) and each starts above every earlier one
 * — also across a loss of Redis's data, because a missing counter is re-seeded above anything the invariant let
 * out. A lease the invariant holds back (right after a re-seed, or leasing faster than the floor rate) is retried
 * after the wait the script names, without blocking: safe on the event loop.
 */
@ApplicationScoped
public class RedisSequenceBlockSource implements SequenceBlockSource {

    private static final Logger LOG = Logger.getLogger(RedisSequenceBlockSource.class);
    /** A lease is given up (503) rather than held back longer than this. */
    static final long MAX_WAIT_MILLIS = 30_000;
    /**
     * How long a leased sequence block may stay in use, for the wrap check: a day. Numbers in use at one moment
     * then span at most max-lead + floor-rate x this, which must stay below the 10-digit modulus.
     */
    static final long SEQUENCE_SPAN_SECONDS = 86_400;

    private final ReactiveRedisDataSource redis;
    private final RedisScript leaseScript = RedisScript.load("sequence_lease");
    private final String floorRate;
    private final String maxLead;
    private final String clockMargin;
    private final AtomicLong reseeds = new AtomicLong();
    private final IdConfig config;

    public RedisSequenceBlockSource(ReactiveRedisDataSource redis, IdConfig config) {
        this.redis = redis;
        this.config = config;
        IdConfig.Sequence sequence = config.sequence();
        this.floorRate = Long.toString(sequence.floorRate());
        this.maxLead = Long.toString(sequence.maxLead());
        this.clockMargin = Long.toString(marginNumbers(sequence));
    }

    void onStart(@Observes StartupEvent event) {
        validate(config);
    }

    /** Refuses fence settings that cannot hold, with a message naming the properties. */
    public static void validate(IdConfig config) {
        IdConfig.Sequence q = config.sequence();
        if (q.floorRate() < 1) {
            throw new IllegalStateException("parley.id.sequence.floor-rate (" + q.floorRate() + ") must be positive");
        }
        if (q.clockMargin().isNegative()) {
            throw new IllegalStateException("parley.id.sequence.clock-margin (" + q.clockMargin()
                    + ") must not be negative");
        }
        if (q.maxLead() < Math.max(config.maxBlockSize(), config.blockSize())) {
            throw new IllegalStateException("parley.id.sequence.max-lead (" + q.maxLead() + ") must be at least "
                    + "parley.id.max-block-size and parley.id.block-size (" + Math.max(config.maxBlockSize(),
                    config.blockSize()) + ")");
        }
        // max-lead + floor-rate x span < 10^10, written so that no product overflows
        if (q.maxLead() >= Id34.SEQUENCE_MODULUS
                || q.floorRate() > (Id34.SEQUENCE_MODULUS - 1 - q.maxLead()) / SEQUENCE_SPAN_SECONDS) {
            throw new IllegalStateException("parley.id.sequence.max-lead (" + q.maxLead() + ") + "
                    + "parley.id.sequence.floor-rate (" + q.floorRate() + ") x " + SEQUENCE_SPAN_SECONDS + " s must "
                    + "stay below 10^10, or the 10-digit sequence of 34-character ids wraps while blocks are in use");
        }
    }

    /** The clock margin in sequence numbers: how much floor it stands for. */
    public static long marginNumbers(IdConfig.Sequence sequence) {
        return Math.multiplyExact(sequence.floorRate(), sequence.clockMargin().toMillis()) / 1000;
    }

    @Override
    public Uni<SequenceBlock> lease(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("block size must be positive");
        }
        return leaseOnce(size, 0);
    }

    private Uni<SequenceBlock> leaseOnce(int size, long waitedMillis) {
        return leaseScript.run(redis, List.of(RedisKeys.SEQUENCE, RedisKeys.SEQUENCE_WRITER),
                        List.of(Integer.toString(size), floorRate, maxLead, clockMargin))
                .flatMap(reply -> {
                    if (reply.get(2).toLong() == 1) {
                        reseeds.incrementAndGet();
                        LOG.warnf("the global sequence counter was missing from Redis, or written by another Redis "
                                + "process (first start, a Redis restart or failover, or Redis lost its data): re-seeded "
                                + "above every number the time fence let out");
                    }
                    long end = reply.get(0).toLong();
                    if (end > 0) {
                        return Uni.createFrom().item(new SequenceBlock(end - size, end));
                    }
                    long wait = reply.get(1).toLong();
                    if (waitedMillis + wait > MAX_WAIT_MILLIS) {
                        return Uni.createFrom().failure(new IllegalStateException("sequence leases are held back "
                                + "by the time fence for more than " + MAX_WAIT_MILLIS + " ms (leasing faster "
                                + "than parley.id.sequence.floor-rate)"));
                    }
                    return Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(wait))
                            .flatMap(ignored -> leaseOnce(size, waitedMillis + wait));
                });
    }

    /** How many times a lease found the counter missing and re-seeded it. */
    public long reseeds() {
        return reseeds.get();
    }
}
