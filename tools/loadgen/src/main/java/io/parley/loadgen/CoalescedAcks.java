package io.parley.loadgen;

import java.util.ArrayDeque;
import java.util.HashMap;

/**
 * The coalesced ack policy of one lane, the way a well-behaved production client acknowledges: per client per
 * conversation, the first unacknowledged seq starts an ack-delay; when it is over, one cumulative
 * {@code ack} carries the highest contiguous seq seen by then. A busy conversation is acknowledged about once per
 * ack-delay, a conversation that goes quiet within ack-delay of its last message.
 *
 * <p>Why one queue and one lane timer rather than a Vert.x timer per conversation: every delay is the same, so
 * cursors enter the FIFO in deadline order and the lane's tick ({@link #tickMillis}) takes only those that are due
 * from its head — no timer object, heap insert or cancel per conversation per ack period (thousands a second in
 * the fan-out scenario), and no per-conversation task hand-off on the event loop the generator measures with.
 * The price is up to one tick of extra delay. Everything here runs on the lane's event loop.
 */
final class CoalescedAcks {

    /**
     * A gap still open this long is a message that will not come (a retransmission would have filled it within
     * the server's 10 s only if the server had sent it); step over it so the seqs after it are acknowledged.
     */
    static final long STEP_OVER_GAP_NANOS = 2_000_000_000L;

    /** Where acks go: the lane writes the frame and counts it. */
    interface Sink {
        void ack(Client client, String conversation, long seq);

        /** A gap given up on; {@code skipped} seqs were never seen. */
        void gapSteppedOver(Client client, String conversation, long skipped);
    }

    private final long delayNanos;
    private final ArrayDeque<AckCursor> due = new ArrayDeque<>();

    CoalescedAcks(int delayMillis) {
        this.delayNanos = delayMillis * 1_000_000L;
    }

    /** The lane's tick for this delay: fine enough to keep the delay (≤ 25 ms late), coarse enough to cost nothing. */
    static int tickMillis(int delayMillis) {
        return Math.max(10, Math.min(25, delayMillis / 6));
    }

    /** {@code client} saw {@code seq} of {@code conversation} (a {@code message}, or its own {@code sent}). */
    void seen(Client client, String conversation, long seq, long now) {
        HashMap<String, AckCursor> cursors = client.ackCursors();
        AckCursor cursor = cursors.get(conversation);
        if (cursor == null) {
            cursor = new AckCursor(client, conversation);
            cursors.put(conversation, cursor);
        }
        cursor.seen(seq, now);
        if (!cursor.queued && (cursor.hasSomethingToAck() || cursor.hasGap())) {
            schedule(cursor, now + delayNanos);
        }
    }

    private void schedule(AckCursor cursor, long at) {
        cursor.queued = true;
        cursor.dueAt = at;
        due.addLast(cursor);
    }

    /** Sends the acks that are due at {@code now}; returns how many. */
    int flush(long now, Sink sink) {
        int sent = 0;
        while (!due.isEmpty() && due.peekFirst().dueAt - now <= 0) {
            AckCursor cursor = due.pollFirst();
            cursor.queued = false;
            if (!cursor.client.open) {
                continue; // a closed client acknowledges nothing; its next connection would sync
            }
            if (cursor.hasGap() && now - cursor.gapSince() >= STEP_OVER_GAP_NANOS) {
                sink.gapSteppedOver(cursor.client, cursor.conversation, cursor.stepOverGap());
            }
            if (cursor.hasSomethingToAck()) {
                sink.ack(cursor.client, cursor.conversation, cursor.acknowledge());
                sent++;
            }
            if (cursor.hasGap()) {
                schedule(cursor, now + delayNanos); // look again: the gap fills, or is stepped over
            }
        }
        return sent;
    }

    /** Cursors waiting for their ack (tests, and the drain: none should wait long after traffic stops). */
    int waiting() {
        return due.size();
    }
}
