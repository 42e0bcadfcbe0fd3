package io.parley.loadgen;

import java.util.TreeSet;

/**
 * One conversation as one client sees it, for cumulative acknowledgements: {@code ack seq=S} tells the server
 * "everything up to S is delivered", so the client may acknowledge only up to the highest seq below which it has
 * seen every seq — its own sends ({@code sent}) included, since they take seqs in the conversation too. Seqs
 * beyond a gap wait in {@link #ahead} until the gap fills. Touched only on the owning lane's event loop.
 */
final class AckCursor {

    final Client client;
    final String conversation;

    /** Highest seq with every seq up to it seen; the first seq seen starts it (the server sends from the cursor). */
    private long contiguous = Long.MIN_VALUE;
    /** Seqs seen beyond a gap (rare: a `sent` overtaken by the other side's message); null while there is none. */
    private TreeSet<Long> ahead;
    /** When the current gap opened (nanos), if there is one. */
    private long gapSince;
    /** Highest seq acknowledged so far; 0 before the first ack. */
    private long acked;
    /** A seq at or below {@link #acked} came again (a retransmission): our ack may have been lost, send it again. */
    private boolean reack;

    /** Queued in {@link CoalescedAcks} to be acknowledged at {@link #dueAt}. */
    boolean queued;
    long dueAt;

    AckCursor(Client client, String conversation) {
        this.client = client;
        this.conversation = conversation;
    }

    /** Records a seq seen at {@code now}. */
    void seen(long seq, long now) {
        if (contiguous == Long.MIN_VALUE || seq == contiguous + 1) {
            contiguous = seq;
            drainAhead();
        } else if (seq > contiguous + 1) {
            if (ahead == null) {
                ahead = new TreeSet<>();
                gapSince = now;
            }
            ahead.add(seq);
        }
        if (seq <= acked) {
            reack = true;
        }
    }

    private void drainAhead() {
        while (ahead != null && ahead.remove(contiguous + 1)) {
            contiguous++;
        }
        if (ahead != null && ahead.isEmpty()) {
            ahead = null;
        }
    }

    /** True if an ack would tell the server something (new seqs, or a retransmission to answer). */
    boolean hasSomethingToAck() {
        return contiguous > acked || reack;
    }

    /** True while seqs wait beyond a gap. */
    boolean hasGap() {
        return ahead != null;
    }

    long gapSince() {
        return gapSince;
    }

    /**
     * Gives up on a gap that stayed open too long (a message the server never sent: loss, which the ledger
     * counts): moves past it to the highest seq seen, so the seqs after it are acknowledged and not retransmitted.
     * Returns how many seqs were skipped.
     */
    long stepOverGap() {
        long skipped = ahead.last() - contiguous - ahead.size();
        contiguous = ahead.last();
        ahead = null;
        return skipped;
    }

    long contiguous() {
        return contiguous;
    }

    /** Marks everything up to {@link #contiguous} acknowledged; returns the seq to put in the ack frame. */
    long acknowledge() {
        acked = Math.max(acked, contiguous);
        reack = false;
        return contiguous;
    }
}
