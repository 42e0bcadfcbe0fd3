package io.parley.id.service;

import io.parley.common.id.Id34Generator;
import io.parley.common.id.SequenceAllocator;
import io.parley.id.config.IdConfig;
import io.parley.id.repository.RedisSequenceBlockSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Wires the shared id machinery from {@code common} to this service's Redis and configuration. */
@ApplicationScoped
public class IdBeans {

    /** The wall clock (UTC). Tests of the generators build them with their own clocks instead. */
    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    /** 34-character ids from blocks of the global Redis sequence, prefetched before the current one runs out. */
    @Produces
    @Singleton
    Id34Generator id34Generator(RedisSequenceBlockSource blocks, IdConfig config, Clock clock) {
        return new Id34Generator(new SequenceAllocator(blocks, config.blockSize()), clock);
    }

    @Produces
    @Singleton
    SnowflakeGenerator snowflakeGenerator(IdConfig config, Clock clock) {
        return new SnowflakeGenerator(clock, config.snowflake().maxClockStepBack());
    }
}
