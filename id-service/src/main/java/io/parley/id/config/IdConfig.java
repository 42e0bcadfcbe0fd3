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

    /** Snowflake worker-id leasing and clock policy. */
    Snowflake snowflake();

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
    }
}
