package io.parley.id.repository;

import io.parley.common.id.SequenceBlock;
import io.parley.common.id.SequenceBlockSource;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Leases blocks of the one global sequence with a single {@code INCRBY} on {@link RedisKeys#SEQUENCE}: the
 * counter's new value is the block's exclusive end. {@code INCRBY} is atomic, so two leases (from any replica)
 * never overlap, and each starts above every earlier one. Non-blocking: safe on the event loop.
 */
@ApplicationScoped
public class RedisSequenceBlockSource implements SequenceBlockSource {

    private final ReactiveValueCommands<String, Long> counters;

    public RedisSequenceBlockSource(ReactiveRedisDataSource redis) {
        this.counters = redis.value(Long.class);
    }

    @Override
    public Uni<SequenceBlock> lease(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("block size must be positive");
        }
        return counters.incrby(RedisKeys.SEQUENCE, size).map(end -> new SequenceBlock(end - size, end));
    }
}
