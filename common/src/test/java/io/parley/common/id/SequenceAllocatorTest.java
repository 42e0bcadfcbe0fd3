package io.parley.common.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SequenceAllocatorTest {

    /** An in-process stand-in with the same guarantee as the Redis counter: increasing, never overlapping. */
    private static final class CountingSource implements SequenceBlockSource {
        final AtomicLong counter = new AtomicLong(1000);
        final AtomicInteger leases = new AtomicInteger();

        @Override
        public Uni<SequenceBlock> lease(int size) {
            leases.incrementAndGet();
            long end = counter.addAndGet(size);
            return Uni.createFrom().item(new SequenceBlock(end - size, end));
        }
    }

    @Test
    void aBlockOlderThanTheLimitIsDroppedForAFreshOne() {
        CountingSource source = new CountingSource();
        AtomicLong nanos = new AtomicLong();
        SequenceAllocator allocator = new SequenceAllocator(source, 100, Duration.ofHours(1), nanos::get);
        long first = allocator.next().await().indefinitely();
        int leasesBefore = source.leases.get();

        nanos.addAndGet(Duration.ofMinutes(59).toNanos());
        assertEquals(first + 1, allocator.next().await().indefinitely(), "a young block is used on");
        assertEquals(leasesBefore, source.leases.get());

        nanos.addAndGet(Duration.ofMinutes(2).toNanos());
        long afterLimit = allocator.next().await().indefinitely();
        assertTrue(afterLimit >= first + 100, "the rest of the old block is dropped: " + afterLimit);
        assertTrue(source.leases.get() > leasesBefore);
        long[] batch = allocator.next(3).await().indefinitely();
        assertEquals(afterLimit + 1, batch[0], "the fresh block is used on");
    }

    @Test
    void numbersStrictlyIncreaseAcrossBlocks() {
        CountingSource source = new CountingSource();
        SequenceAllocator allocator = new SequenceAllocator(source, 10);
        long previous = -1;
        for (int i = 0; i < 95; i++) {
            long next = allocator.next().await().indefinitely();
            assertTrue(next > previous, next + " after " + previous);
            previous = next;
        }
        assertTrue(source.leases.get() >= 10, "leased " + source.leases.get() + " blocks of 10 for 95 numbers");
    }

    @Test
    void batchesSpanBlocksWithoutDuplicates() {
        SequenceAllocator allocator = new SequenceAllocator(new CountingSource(), 7);
        Set<Long> seen = new HashSet<>();
        long previous = -1;
        for (int round = 0; round < 20; round++) {
            for (long n : allocator.next(13).await().indefinitely()) {
                assertTrue(seen.add(n), "duplicate " + n);
                assertTrue(n > previous);
                previous = n;
            }
        }
        assertEquals(260, seen.size());
    }

    @Test
    void tryNextNeverWaits() {
        SequenceAllocator allocator = new SequenceAllocator(new CountingSource(), 5);
        assertEquals(-1, allocator.tryNext(), "nothing leased yet; the lease starts in the background");
        long first = allocator.tryNext();
        assertTrue(first >= 1000, "the background lease arrived: " + first);
    }

    @Test
    void id34GeneratorFormatsAndParses() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-25T23:31:08Z"), ZoneOffset.UTC);
        Id34Generator generator = new Id34Generator(new SequenceAllocator(new CountingSource(), 100), clock);
        String id = generator.next(42).await().indefinitely();
        assertEquals(34, id.length());
        assertTrue(id.startsWith("20261125233108" + "0000000042"), id);
        Id34.Parts parts = Id34.parse(id);
        assertNotNull(parts);
        assertEquals(42, parts.user());
        assertEquals(1000, parts.sequence());
        assertNull(Id34.parse("2026112523310800000000420000001000x"));
        assertNull(Id34.parse("20261345233108000000004200000010000".substring(0, 34)), "month 13");
    }

    /**
     * Concurrent callers asking for batches while leases complete on another thread (as Redis replies do): every
     * number is handed out once, and no caller sees a failure.
     */
    @Test
    void shouldServeConcurrentBatchesWhileLeasesCompleteAsynchronously() throws Exception {
        java.util.concurrent.ScheduledExecutorService redis = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        java.util.concurrent.atomic.AtomicLong counter = new java.util.concurrent.atomic.AtomicLong();
        SequenceBlockSource async = size -> io.smallrye.mutiny.Uni.createFrom().emitter(e ->
                redis.schedule(() -> {
                    long end = counter.addAndGet(size);
                    e.complete(new SequenceBlock(end - size, end));
                }, 200, java.util.concurrent.TimeUnit.MICROSECONDS));
        SequenceAllocator allocator = new SequenceAllocator(async, 5000);
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(4);
        java.util.Set<Long> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.List<java.util.concurrent.Future<?>> work = new java.util.ArrayList<>();
        for (int c = 0; c < 4; c++) {
            work.add(callers.submit(() -> {
                for (int round = 0; round < 300; round++) {
                    long[] ids = allocator.next(1000).await().atMost(java.time.Duration.ofSeconds(10));
                    for (long id : ids) {
                        if (!seen.add(id)) {
                            throw new AssertionError("handed out twice: " + id);
                        }
                    }
                }
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> f : work) {
            f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
        callers.shutdown();
        redis.shutdown();
        org.junit.jupiter.api.Assertions.assertEquals(4 * 300 * 1000, seen.size());
    }
}
