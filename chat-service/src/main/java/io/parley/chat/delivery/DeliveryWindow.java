package io.parley.chat.delivery;

import java.util.Arrays;

/**
 * What one connection has been sent in one conversation and not yet acknowledged, as runs of seqs rather than a set
 * of frames: acknowledgements are cumulative and the conversation's log holds every message, so a retransmission
 * re-reads the range {@code (base, delivered]} from the log instead of keeping each frame in memory. Writes come in
 * runs (usually one: the live messages in seq order), so a conversation costs a few longs whatever the traffic, and
 * no allocation per delivery.
 *
 * <p>Confined to the connection's event loop (no synchronisation).
 */
final class DeliveryWindow {

    /** Highest seq the client acknowledged on this connection (0: none). */
    long clientAcked;
    /** When the oldest unacknowledged message of the range started waiting (reset by progress and by a resend). */
    long waitingSinceNanos;
    /** Resends of the range without progress from the client. */
    int attempts;
    /** Written, unacknowledged seqs as sorted, disjoint, non-adjacent runs: from = runs[2i], to = runs[2i + 1]. */
    private long[] runs = new long[2];
    private int runCount;

    /** The resend range starts after this seq. */
    long base() {
        return runCount == 0 ? clientAcked : Math.max(clientAcked, runs[0] - 1);
    }

    /** The highest written, unacknowledged seq (the resend range ends there). */
    long delivered() {
        return runCount == 0 ? clientAcked : runs[2 * runCount - 1];
    }

    boolean pending() {
        return runCount > 0;
    }

    long unacked() {
        long sum = 0;
        for (int i = 0; i < runCount; i++) {
            sum += runs[2 * i + 1] - runs[2 * i] + 1;
        }
        return sum;
    }

    /**
     * Whether {@code seq} was written here and awaits its acknowledgement — a second copy would be a duplicate (a live
     * delivery racing a sync replay of the same message). At or below what the client acknowledged it is false: a
     * sync replays everything after the cursor it names.
     */
    boolean inFlight(long seq) {
        if (seq <= clientAcked) {
            return false;
        }
        for (int i = 0; i < runCount; i++) {
            if (seq < runs[2 * i]) {
                return false;
            }
            if (seq <= runs[2 * i + 1]) {
                return true;
            }
        }
        return false;
    }

    /** A message is written; returns the change in unacknowledged messages. */
    long written(long seq, long nowNanos) {
        if (seq <= clientAcked || inFlight(seq)) {
            return 0; // acknowledged already, or already counted
        }
        if (runCount == 0) {
            waitingSinceNanos = nowNanos;
            attempts = 0;
        }
        int i = 0;
        while (i < runCount && runs[2 * i + 1] < seq - 1) {
            i++; // first run that ends at seq - 1 or later
        }
        if (i < runCount && runs[2 * i + 1] == seq - 1) {
            runs[2 * i + 1] = seq; // extends run i upwards; it may now touch run i + 1
            if (i + 1 < runCount && runs[2 * i + 2] == seq + 1) {
                runs[2 * i + 1] = runs[2 * i + 3];
                remove(i + 1);
            }
        } else if (i < runCount && runs[2 * i] == seq + 1) {
            runs[2 * i] = seq; // extends run i downwards
        } else {
            insert(i, seq);
        }
        return 1;
    }

    /** The client acknowledged everything up to {@code seq}; returns the change in unacknowledged messages. */
    long acknowledged(long seq, long nowNanos) {
        if (seq <= clientAcked) {
            return 0;
        }
        long before = unacked();
        clientAcked = seq;
        int drop = 0;
        while (drop < runCount && runs[2 * drop + 1] <= seq) {
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(runs, 2 * drop, runs, 0, 2 * (runCount - drop));
            runCount -= drop;
        }
        if (runCount > 0 && runs[0] <= seq) {
            runs[0] = seq + 1;
        }
        long after = unacked();
        if (after < before) {
            waitingSinceNanos = nowNanos; // progress: the client is alive and reading
            attempts = 0;
        }
        return after - before;
    }

    private void insert(int at, long seq) {
        if (2 * runCount + 2 > runs.length) {
            runs = Arrays.copyOf(runs, runs.length * 2);
        }
        System.arraycopy(runs, 2 * at, runs, 2 * at + 2, 2 * (runCount - at));
        runs[2 * at] = seq;
        runs[2 * at + 1] = seq;
        runCount++;
    }

    private void remove(int at) {
        System.arraycopy(runs, 2 * at + 2, runs, 2 * at, 2 * (runCount - at - 1));
        runCount--;
    }
}
