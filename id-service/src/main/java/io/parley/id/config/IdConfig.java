package io.parley.id.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * id-service settings (environment: {@code PARLEY_ID_*}, e.g. {@code PARLEY_ID_BLOCK_SIZE},
 * {@code PARLEY_ID_SNOWFLAKE_LEASE_TTL}).
 */
@ConfigMapping(prefix = "parley.id")
public interface IdConfig {

    /**
     * How many numbers of the global sequence this service leases from Redis at a time for the 34-character ids
     * it issues itself. One Redis call per block; a restart wastes at most two blocks.
     */
    @WithDefault("10000")
    int blockSize();

    /** The most ids one {@code GET /api/v1/ids} or {@code GET /api/v1/snowflakes} call may ask for. */
    @WithDefault("10000")
    int maxCount();

    /** The largest block one {@code POST /api/v1/sequence-blocks} call may lease. */
    @WithDefault("1000000")
    int maxBlockSize();

    /** The time fence of the global sequence (see "Across a Redis loss" in the README). */
    Sequence sequence();

    /** Snowflake worker-id leasing and clock policy. */
    Snowflake snowflake();

    /**
     * The global sequence never comes back below a number already leased, even when Redis loses the counter:
     * the counter is kept above a floor that grows with time ({@link #floorRate()} numbers a second) and never
     * more than {@link #maxLead()} ahead of it, so a lost counter is re-seeded at floor + max-lead + margin.
     */
    interface Sequence {

        /**
         * Numbers per second the floor grows by: the sustained rate of sequence numbers (ids plus leased blocks,
         * all replicas) the platform may use; faster leasing waits once it is {@link #maxLead()} ahead.
         */
        @WithDefault("100000")
        long floorRate();

        /**
         * How far the counter may run ahead of the floor (a burst allowance, in numbers). At least
         * {@code max-block-size}; with the floor rate it bounds the numbers in use at once (see the README).
         */
        @WithDefault("1000000000")
        long maxLead();

        /**
         * How far behind the lost Redis's clock the clock of the Redis that replaces it may be (a failover to
         * another host). A re-seed adds this much floor on top; leases wait about this long after a re-seed.
         */
        @WithDefault("1s")
        Duration clockMargin();
    }

    interface Snowflake {

        /**
         * How long a worker-id lease lives in Redis without renewal. A crashed replica's worker id becomes free
         * this long after its last renewal. Must be more than twice {@link #renewInterval()}.
         */
        @WithDefault("10s")
        Duration leaseTtl();

        /**
         * How often the lease is renewed. Each renewal also reserves timestamps up to twice this interval ahead
         * (the high-water mark a later holder of the same worker id starts above), so it must be at most half
         * of {@link #maxClockStepBack()}. At least 1s (the scheduler's finest interval).
         */
        @WithDefault("2s")
        Duration renewInterval();

        /**
         * How far the clock may step back and still be ridden out: ids keep the last issued timestamp
         * (borrowing sequence numbers) until the clock catches up. A larger step back refuses snowflakes
         * (503, readiness DOWN) until the clock has caught up.
         */
        @WithDefault("5s")
        Duration maxClockStepBack();

        /**
         * How far apart the clocks of two replicas may be. A worker id found without a high-water mark (Redis
         * lost its data, or a first start) is fenced: its new holder starts renew-interval × 2 +
         * max-clock-step-back + this above its own clock, above anything an earlier holder can still issue.
         */
        @WithDefault("1s")
        Duration maxClockSkew();
    }
}
