package io.parley.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A service's clock in tests: the system's, moved forward by what a test asks ({@link #advance}), so time-based
 * housekeeping (retention) is tested by moving the clock, never by sleeping. Unmoved, it is the system clock. Each
 * service's tests make it their {@code Clock} bean with a subclass that carries the CDI annotations (test-support has
 * no bean index of its own).
 */
public class MovableClock extends Clock {

    private volatile Duration offset = Duration.ZERO;

    public void advance(Duration by) {
        offset = offset.plus(by);
    }

    public void reset() {
        offset = Duration.ZERO;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }
}
