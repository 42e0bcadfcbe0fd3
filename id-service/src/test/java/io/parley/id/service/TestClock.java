package io.parley.id.service;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock the test sets by hand. Optionally it moves one millisecond forward every {@code readsPerTick} reads,
 * so code that waits for the next millisecond can get there without real time passing.
 */
final class TestClock extends Clock {

    private final AtomicLong millis;
    private final AtomicLong reads = new AtomicLong();
    private volatile long readsPerTick;

    TestClock(long startMillis) {
        this.millis = new AtomicLong(startMillis);
    }

    void set(long value) {
        millis.set(value);
    }

    void advance(long delta) {
        millis.addAndGet(delta);
    }

    /** Moves one millisecond forward every {@code n} reads (0: never). */
    void tickEvery(long n) {
        reads.set(0);
        readsPerTick = n;
    }

    @Override
    public long millis() {
        long n = readsPerTick;
        if (n > 0 && reads.incrementAndGet() % n == 0) {
            return millis.incrementAndGet();
        }
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}
