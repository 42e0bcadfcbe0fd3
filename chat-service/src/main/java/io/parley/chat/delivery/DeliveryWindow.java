package io.parley.chat.delivery;

/**
 * What one connection has been sent in one conversation and not yet acknowledged, as a seq range rather than a set
 * of frames: acknowledgements are cumulative and the conversation's log holds every message, so a retransmission
 * re-reads the range {@code (base, delivered]} from the log instead of keeping each frame in memory. Two longs per
 * conversation whatever the traffic, no allocation per delivery.
 *
 * <p>Confined to the connection's event loop (no synchronisation).
 */
final class DeliveryWindow {

    /** Highest seq the client acknowledged on this connection (0: none). */
    long clientAcked;
    /** Lowest seq written on this connection (0: none yet). */
    long first;
    /** Highest seq written on this connection. */
    long delivered;
    /** When the oldest unacknowledged message of the range started waiting (reset by progress and by a resend). */
    long waitingSinceNanos;
    /** Every seq in {@code [first, delivered]} was written (no hole): {@link #inFlight} is exact. */
    boolean gapless = true;
    /** Resends of the range without progress from the client. */
    int attempts;

    /** The range starts after this seq: below it the client acknowledged or was never sent anything here. */
    long base() {
        return Math.max(clientAcked, first - 1);
    }

    long unacked() {
        return delivered > base() ? delivered - base() : 0;
    }

    boolean pending() {
        return delivered > base();
    }

    /**
     * Whether {@code seq} was written here and is not yet acknowledged — a second copy would be a duplicate (a live
     * delivery racing a sync replay of the same message). Known exactly only while the writes had no hole
     * ({@link #gapless}); otherwise this answers false and the copy is written (clients drop duplicates by id). At or
     * below what the client acknowledged it is false too: a sync replays everything after the cursor it names.
     */
    boolean inFlight(long seq) {
        return gapless && first != 0 && seq >= first && seq <= delivered && seq > clientAcked;
    }

    /** A message is written; returns the change in unacknowledged messages. */
    long written(long seq, long nowNanos) {
        if (seq <= clientAcked) {
            return 0; // a replay of what the client acknowledged: nothing to track
        }
        long before = unacked();
        if (!pending()) {
            // everything before was acknowledged: the range starts again here
            first = seq;
            delivered = seq;
            gapless = true;
            waitingSinceNanos = nowNanos;
            attempts = 0;
        } else if (seq == delivered + 1) {
            delivered = seq;
        } else if (seq == first - 1) {
            first = seq;
        } else if (seq > delivered) {
            gapless = false;
            delivered = seq;
        } else if (seq < first) {
            gapless = false;
            first = seq;
        }
        return unacked() - before;
    }

    /** The client acknowledged everything up to {@code seq}; returns the change in unacknowledged messages. */
    long acknowledged(long seq, long nowNanos) {
        if (seq <= clientAcked) {
            return 0;
        }
        long before = unacked();
        clientAcked = seq;
        long after = unacked();
        if (after < before) {
            waitingSinceNanos = nowNanos; // progress: the client is alive and reading
            attempts = 0;
        }
        return after - before;
    }
}
