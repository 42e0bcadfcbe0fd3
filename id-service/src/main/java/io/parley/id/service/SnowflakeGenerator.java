package io.parley.id.service;

import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * Issues Snowflake ids (see {@link Snowflake}) with the worker id this instance leases.
 * <p>
 * Guarantees: ids from one generator strictly increase, and no timestamp is issued twice for a worker id —
 * neither by this generator nor by another holder of the same worker id before or after it (the lease's
 * floor and ceiling, see {@link #activate}).
 * <p>
 * The clock policy: a timestamp lower than the last issued one is never used. When the clock steps back by at
 * most {@code maxClockStepBack}, ids keep the last timestamp (a logical clock): they borrow its remaining
 * sequence numbers and, when those run out, move on to the next millisecond without waiting for the wall clock.
 * A larger step back refuses ids (503) until the clock has caught up. When the 4,096 numbers of a millisecond are
 * used up with the clock in step, issuing waits for the next millisecond (under one millisecond).
 * <p>
 * Thread-safe: one lock, held for a few arithmetic operations per id (and, rarely, that sub-millisecond wait),
 * so callers run on worker threads, not the event loop.
 */
public final class SnowflakeGenerator {

    private static final Logger LOG = Logger.getLogger(SnowflakeGenerator.class);
    /** Re-reading the clock every 20 µs while waiting for the next millisecond: short, and not a busy spin. */
    private static final long WAIT_NANOS = 20_000;

    private final Clock clock;
    private final long maxStepBackMillis;

    private int worker = -1;
    /** The last issued timestamp (epoch ms), or the floor given by the lease; never decreases. */
    private long last;
    /** The last sequence number used in {@link #last}. */
    private int sequence;
    /** The highest timestamp the lease lets this generator issue (already stored as the high-water mark). */
    private long ceiling;
    /** Whether the clock is behind {@link #last} (for logging once per episode). */
    private boolean behind;
    private long clockStepsBack;

    public SnowflakeGenerator(Clock clock, Duration maxClockStepBack) {
        this.clock = clock;
        this.maxStepBackMillis = maxClockStepBack.toMillis();
    }

    /**
     * Starts issuing with a freshly leased worker id: timestamps above {@code floor} (the worker id's high-water
     * mark) and above anything this generator issued before, and at most {@code ceiling}.
     */
    public synchronized void activate(int workerId, long floor, long ceiling) {
        if (workerId < 0 || workerId > Snowflake.MAX_WORKER) {
            throw new IllegalArgumentException("worker id must be 0.." + Snowflake.MAX_WORKER);
        }
        this.worker = workerId;
        this.last = Math.max(last, floor);
        // Marks the floor's millisecond as used up, so the next id takes a later one: the previous holder may
        // have used any sequence number in it, and ids from this generator must increase across worker ids.
        this.sequence = Snowflake.MAX_SEQUENCE;
        this.ceiling = ceiling;
    }

    /** Raises the ceiling after a renewal stored it as the high-water mark. */
    public synchronized void extend(long newCeiling) {
        ceiling = Math.max(ceiling, newCeiling);
    }

    /** Stops issuing (lease lost or released) and returns the last timestamp issued. */
    public synchronized long deactivate() {
        worker = -1;
        return last;
    }

    /** The leased worker id, or -1 when there is none. */
    public synchronized int workerId() {
        return worker;
    }

    /** The last timestamp issued (or the floor), epoch ms. */
    public synchronized long lastTimestamp() {
        return last;
    }

    /**
     * The base for the next reservation: the clock, or the logical clock when it runs ahead — but never more than
     * {@code maxClockStepBack} above the clock (ids are refused beyond that anyway). So a reservation never
     * reaches further than clock + max-clock-step-back + the reservation, the bound the fence after a Redis loss
     * rests on (see {@link io.parley.id.repository.RedisWorkerLeases#fenceMillis}).
     */
    public synchronized long reservationBase() {
        long now = clock.millis();
        return Math.min(Math.max(now, last), now + maxStepBackMillis);
    }

    /** How many times the clock was seen stepping back. */
    public synchronized long clockStepsBack() {
        return clockStepsBack;
    }

    /** Why ids cannot be issued right now, or {@code null} when they can. */
    public synchronized String unavailableReason() {
        if (worker < 0) {
            return "no Snowflake worker id is leased";
        }
        long now = clock.millis();
        if (last - now > maxStepBackMillis) {
            return "the clock is " + (last - now) + " ms behind the last issued timestamp or the worker id's fence "
                    + "(tolerated: " + maxStepBackMillis + " ms)";
        }
        if (Math.max(now, last) > ceiling) {
            return "the worker-id lease reservation ran out (renewals are failing)";
        }
        return null;
    }

    /** {@code count} new ids, increasing. */
    public synchronized long[] next(int count) {
        long[] ids = new long[count];
        for (int i = 0; i < count; i++) {
            ids[i] = nextId();
        }
        return ids;
    }

    private long nextId() {
        if (worker < 0) {
            throw unavailable("no Snowflake worker id is leased");
        }
        long now = clock.millis();
        long time;
        int seq;
        if (now > last) {
            if (behind) {
                behind = false;
                LOG.infof("the clock has caught up with the last Snowflake timestamp");
            }
            time = now;
            seq = 0;
        } else {
            if (now < last) {
                noteBehind(last - now);
            }
            if (sequence < Snowflake.MAX_SEQUENCE) {
                time = last;
                seq = sequence + 1;
            } else {
                time = nextMillisecond(now);
                seq = 0;
            }
        }
        if (time > ceiling) {
            throw unavailable("the worker-id lease reservation ran out (renewals are failing)");
        }
        if (!Snowflake.inRange(time)) {
            throw unavailable("the clock is outside the Snowflake time range");
        }
        last = time;
        sequence = seq;
        return Snowflake.compose(time, worker, seq);
    }

    private void noteBehind(long millisBehind) {
        if (millisBehind > maxStepBackMillis) {
            throw unavailable("the clock is " + millisBehind + " ms behind the last Snowflake timestamp (it stepped "
                    + "back, or the worker id is fenced after a Redis loss; tolerated: " + maxStepBackMillis
                    + " ms); Snowflakes resume when it catches up");
        }
        if (!behind) {
            behind = true;
            clockStepsBack++;
            LOG.warnf("the clock is %d ms behind the last Snowflake timestamp (it stepped back, or a worker id "
                    + "was taken over with a reservation ahead); continuing on the last timestamp until it catches up",
                    millisBehind);
        }
    }

    /** The millisecond after {@link #last}: waits for the clock when it is in step, borrows it when it is behind. */
    private long nextMillisecond(long now) {
        while (now == last) {
            LockSupport.parkNanos(WAIT_NANOS);
            now = clock.millis();
        }
        return now > last ? now : last + 1;
    }

    private static ApiException unavailable(String message) {
        return new ApiException(ErrorCode.UNAVAILABLE, message, 1);
    }
}
