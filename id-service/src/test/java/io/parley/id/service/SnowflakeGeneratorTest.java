package io.parley.id.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SnowflakeGeneratorTest {

    private static final long T = Snowflake.EPOCH_MILLIS + 1_000_000_000L;
    private static final Duration TOLERANCE = Duration.ofSeconds(5);
    private static final long FAR = Long.MAX_VALUE / 2;

    private final TestClock clock = new TestClock(T);
    private final SnowflakeGenerator generator = new SnowflakeGenerator(clock, TOLERANCE);

    @Test
    void shouldIssueIncreasingIdsCarryingWorkerAndTime() {
        generator.activate(617, 0, FAR);
        clock.tickEvery(100);
        long[] ids = generator.next(10_000);
        assertStrictlyIncreasing(ids);
        Snowflake.Parts first = Snowflake.decode(ids[0]);
        assertEquals(617, first.worker());
        assertEquals(T, first.timestamp());
        assertEquals(0, first.sequence());
    }

    @Test
    void shouldKeepIdsIncreasingAndUniqueWhenClockStepsBackTwoSeconds() {
        generator.activate(1, 0, FAR);
        long[] before = generator.next(100);
        clock.set(T - 2_000);
        // The clock does not move: riding out the step back must borrow, never wait for the wall clock.
        long[] during = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> generator.next(10_000));
        clock.set(T + 10);
        long[] after = generator.next(100);

        long[] all = concat(before, during, after);
        assertStrictlyIncreasing(all);
        assertEquals(all.length, distinct(all));
        for (long id : during) {
            assertTrue(Snowflake.decode(id).timestamp() >= T, "no timestamp below the last issued one");
        }
        // 100 + 10,000 ids from T on: T is used up, then the logical clock borrowed T+1 and T+2.
        assertEquals(T + 2, Snowflake.decode(during[during.length - 1]).timestamp());
        assertEquals(T + 10, Snowflake.decode(after[0]).timestamp());
        assertEquals(1, generator.clockStepsBack());
    }

    @Test
    void shouldMoveToNextMillisecondWhenSequenceRunsOutWithinOne() {
        generator.activate(2, 0, FAR);
        clock.tickEvery(5_000);
        long[] ids = generator.next(4_097);
        assertStrictlyIncreasing(ids);
        for (int i = 0; i < 4_096; i++) {
            Snowflake.Parts parts = Snowflake.decode(ids[i]);
            assertEquals(T, parts.timestamp());
            assertEquals(i, parts.sequence());
        }
        Snowflake.Parts overflow = Snowflake.decode(ids[4_096]);
        assertEquals(T + 1, overflow.timestamp(), "waited for the next millisecond");
        assertEquals(0, overflow.sequence());
    }

    @Test
    void shouldRefuseWhenClockStepsBackBeyondToleranceUntilItCatchesUp() {
        generator.activate(3, 0, FAR);
        long last = generator.next(1)[0];
        clock.set(T - 6_000);

        ApiException refused = assertThrows(ApiException.class, () -> generator.next(1));
        assertEquals(ErrorCode.UNAVAILABLE, refused.code());
        assertNotNull(generator.unavailableReason());

        clock.set(T + 1);
        assertNull(generator.unavailableReason());
        long next = generator.next(1)[0];
        assertTrue(next > last);
        assertEquals(T + 1, Snowflake.decode(next).timestamp());
    }

    @Test
    void shouldStartAboveTheFloorOfEarlierHolders() {
        generator.activate(4, T + 1_000, T + 5_000);
        long id = generator.next(1)[0];
        assertEquals(T + 1_001, Snowflake.decode(id).timestamp(), "the floor's millisecond counts as used");
    }

    @Test
    void shouldRefuseTimestampsBeyondTheLeaseReservationUntilExtended() {
        generator.activate(5, 0, T + 1);
        generator.next(1);
        clock.set(T + 2);
        ApiException refused = assertThrows(ApiException.class, () -> generator.next(1));
        assertEquals(ErrorCode.UNAVAILABLE, refused.code());
        assertNotNull(generator.unavailableReason());

        generator.extend(T + 100);
        assertEquals(T + 2, Snowflake.decode(generator.next(1)[0]).timestamp());
    }

    @Test
    void shouldRefuseWithoutLeaseAndReturnLastTimestampOnDeactivation() {
        ApiException refused = assertThrows(ApiException.class, () -> generator.next(1));
        assertEquals(ErrorCode.UNAVAILABLE, refused.code());
        assertNotNull(generator.unavailableReason());

        generator.activate(6, 0, FAR);
        generator.next(3);
        assertEquals(T, generator.deactivate());
        assertEquals(-1, generator.workerId());
        assertThrows(ApiException.class, () -> generator.next(1));
    }

    @Test
    void shouldKeepIncreasingAcrossWorkerIdsAfterLeaseChange() {
        generator.activate(900, 0, FAR);
        long high = generator.next(1)[0];
        generator.deactivate();
        generator.activate(7, 0, FAR);
        clock.tickEvery(3);
        long low = generator.next(1)[0];
        assertTrue(low > high, "a smaller worker id still gives a larger id: it moves to a later millisecond");
        assertEquals(7, Snowflake.decode(low).worker());
    }

    @Test
    void shouldIssueUniqueIdsAcrossThreads() throws Exception {
        SnowflakeGenerator real = new SnowflakeGenerator(Clock.systemUTC(), TOLERANCE);
        real.activate(8, 0, FAR);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<long[]>> batches = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                batches.add(pool.submit(() -> {
                    long[] mine = new long[25_000];
                    for (int i = 0; i < mine.length; i += 1_000) {
                        System.arraycopy(real.next(1_000), 0, mine, i, 1_000);
                    }
                    return mine;
                }));
            }
            Set<Long> all = new HashSet<>();
            for (Future<long[]> batch : batches) {
                long[] ids = batch.get();
                assertStrictlyIncreasing(ids);
                for (long id : ids) {
                    all.add(id);
                }
            }
            assertEquals(100_000, all.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldDecodeWhatItComposes() {
        long id = Snowflake.compose(T, 1023, 4095);
        assertEquals(new Snowflake.Parts(T, 1023, 4095), Snowflake.decode(id));
        assertTrue(id > 0);
    }

    private static void assertStrictlyIncreasing(long[] ids) {
        for (int i = 1; i < ids.length; i++) {
            assertTrue(ids[i] > ids[i - 1], "id " + i + " (" + ids[i] + ") is not above " + ids[i - 1]);
        }
    }

    private static long distinct(long[] ids) {
        Set<Long> seen = new HashSet<>();
        for (long id : ids) {
            seen.add(id);
        }
        return seen.size();
    }

    private static long[] concat(long[]... parts) {
        int n = 0;
        for (long[] p : parts) {
            n += p.length;
        }
        long[] out = new long[n];
        int at = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
