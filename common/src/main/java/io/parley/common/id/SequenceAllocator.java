package io.parley.common.id;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Hands out sequence numbers from leased blocks without a network call per number. When the current block
 * runs below a low-water mark the next one is leased in the background, so callers rarely wait.
 * Numbers from one allocator strictly increase. Thread-safe; the critical section is a few field updates.
 * <p>
 * A block is used for at most {@link #DEFAULT_MAX_BLOCK_AGE} (then the rest of it is dropped): id-service's
 * sequence follows a time floor, so numbers leased within a bounded time stay within 10^10 of each other, and the
 * 10-digit sequence part of 34-character ids cannot repeat between blocks in use at once (id-service's README,
 * "Across a Redis loss").
 */
public final class SequenceAllocator {

    /** How long a leased block is used at most; well inside the day id-service's sequence fence allows. */
    public static final Duration DEFAULT_MAX_BLOCK_AGE = Duration.ofHours(12);

    private final SequenceBlockSource source;
    private final int blockSize;
    private final long lowWater;
    private final long maxAgeNanos;
    private final LongSupplier nanoClock;

    private long cursor;
    private long end;
    private long blockLeasedAt;
    private SequenceBlock prefetched;
    private long prefetchedLeasedAt;
    private CompletableFuture<SequenceBlock> inFlight;

    public SequenceAllocator(SequenceBlockSource source, int blockSize) {
        this(source, blockSize, DEFAULT_MAX_BLOCK_AGE, System::nanoTime);
    }

    /** With a block age limit and a nanosecond clock of the caller's choice (tests move it). */
    public SequenceAllocator(SequenceBlockSource source, int blockSize, Duration maxBlockAge, LongSupplier nanoClock) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be positive");
        }
        if (maxBlockAge.isNegative() || maxBlockAge.isZero()) {
            throw new IllegalArgumentException("maxBlockAge must be positive");
        }
        this.source = source;
        this.blockSize = blockSize;
        this.lowWater = Math.max(1, blockSize / 4);
        this.maxAgeNanos = maxBlockAge.toNanos();
        this.nanoClock = nanoClock;
    }

    /** The next number, or -1 if none is at hand (the caller then waits on {@link #next()}). */
    public long tryNext() {
        long value;
        synchronized (this) {
            dropStaleBlock();
            value = cursor < end || takePrefetched() ? cursor++ : -1;
        }
        tryPrefetch();
        return value;
    }

    /** The next number, leasing a new block first when needed. */
    public Uni<Long> next() {
        long value = tryNext();
        if (value >= 0) {
            return Uni.createFrom().item(value);
        }
        return blockAtHand().flatMap(ignored -> next());
    }

    /**
     * Reserves {@code count} consecutive-in-order numbers and returns them. Numbers may span two blocks,
     * so they are returned as an array rather than a range.
     */
    public Uni<long[]> next(int count) {
        long[] out = new long[count];
        return fill(out, 0);
    }

    private Uni<long[]> fill(long[] out, int from) {
        int i = from;
        synchronized (this) {
            dropStaleBlock();
            while (i < out.length) {
                if (cursor >= end && !takePrefetched()) {
                    break;
                }
                long take = Math.min(end - cursor, out.length - i);
                for (long k = 0; k < take; k++) {
                    out[i++] = cursor++;
                }
            }
        }
        if (i == out.length) {
            tryPrefetch();
            return Uni.createFrom().item(out);
        }
        int filled = i;
        return blockAtHand().flatMap(ignored -> fill(out, filled));
    }

    /** Starts leasing the next block in the background once the current one runs low (or out). */
    private void tryPrefetch() {
        boolean prefetch;
        synchronized (this) {
            prefetch = end - cursor <= lowWater && prefetched == null && inFlight == null;
        }
        if (prefetch) {
            fetch().subscribe().with(b -> { }, e -> { });
        }
    }

    /** Completes once a block is at hand: at once if one was prefetched meanwhile, else after a lease. */
    private synchronized Uni<SequenceBlock> blockAtHand() {
        if (prefetched != null || cursor < end) {
            return Uni.createFrom().item(prefetched);
        }
        return fetch();
    }

    /**
     * Leases one block (sharing a lease already in flight) and keeps it as the prefetched block. The lease is
     * shared through a CompletableFuture, and each caller gets its own Uni of it: a memoized Uni re-entered from
     * a waiter's synchronous continuation mixed up items of different types (a long[] reached a SequenceBlock
     * consumer — SequenceAllocatorTest's concurrent test reproduced it).
     */
    private synchronized Uni<SequenceBlock> fetch() {
        CompletableFuture<SequenceBlock> lease = inFlight;
        if (lease == null) {
            lease = new CompletableFuture<>();
            inFlight = lease;
            CompletableFuture<SequenceBlock> leasing = lease;
            source.lease(blockSize).subscribe().with(block -> {
                synchronized (this) {
                    prefetched = block;
                    prefetchedLeasedAt = nanoClock.getAsLong();
                    inFlight = null;
                }
                leasing.complete(block);
            }, failure -> {
                synchronized (this) {
                    inFlight = null;
                }
                leasing.completeExceptionally(failure);
            });
        }
        return Uni.createFrom().completionStage(lease);
    }

    private boolean takePrefetched() {
        if (prefetched == null) {
            return false;
        }
        if (nanoClock.getAsLong() - prefetchedLeasedAt > maxAgeNanos) {
            prefetched = null; // leased too long ago: a fresh lease replaces it
            return false;
        }
        cursor = prefetched.start();
        end = prefetched.end();
        blockLeasedAt = prefetchedLeasedAt;
        prefetched = null;
        return true;
    }

    /** Drops the rest of the current block once it is older than the limit (the caller holds the lock). */
    private void dropStaleBlock() {
        if (cursor < end && nanoClock.getAsLong() - blockLeasedAt > maxAgeNanos) {
            end = cursor;
        }
    }
}
