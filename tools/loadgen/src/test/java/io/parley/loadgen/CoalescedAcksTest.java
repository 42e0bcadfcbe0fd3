package io.parley.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoalescedAcksTest {

    private static final long MS = 1_000_000L;

    /** Records the acks the policy sends, as "client:conversation:seq". */
    private static final class Recorded implements CoalescedAcks.Sink {
        final List<String> acks = new ArrayList<>();
        long skipped;

        @Override
        public void ack(Client client, String conversation, long seq) {
            acks.add(client.index + ":" + conversation + ":" + seq);
        }

        @Override
        public void gapSteppedOver(Client client, String conversation, long skipped) {
            this.skipped += skipped;
        }
    }

    private static Client openClient(int index) {
        Client c = new Client(index, 100 + index, "token", 0);
        c.open = true;
        return c;
    }

    @Test
    void shouldAcknowledgeOnlyTheHighestContiguousSeqOnceTheDelayIsOver() {
        CoalescedAcks acks = new CoalescedAcks(150);
        Recorded sink = new Recorded();
        Client c = openClient(1);
        for (long seq = 1; seq <= 5; seq++) {
            acks.seen(c, "g:7", seq, seq * MS);
        }
        acks.seen(c, "g:7", 7, 6 * MS); // 6 missing: a gap
        acks.seen(c, "g:7", 8, 7 * MS);

        assertEquals(0, acks.flush(150 * MS, sink), "the delay runs from the first unacknowledged seq (t=1 ms)");
        assertEquals(1, acks.flush(151 * MS, sink));
        assertEquals(List.of("1:g:7:5"), sink.acks, "one cumulative ack, stopping before the gap");

        acks.seen(c, "g:7", 6, 200 * MS); // the gap fills: 6, 7, 8 are now contiguous
        acks.flush(351 * MS, sink);
        assertEquals(List.of("1:g:7:5", "1:g:7:8"), sink.acks);
        assertEquals(0, acks.waiting());
    }

    @Test
    void shouldCountTheClientsOwnSentSeqsSoTheyDoNotLeaveAGap() {
        CoalescedAcks acks = new CoalescedAcks(100);
        Recorded sink = new Recorded();
        Client c = openClient(2);
        acks.seen(c, "d:1:2", 1, 0);      // a message from the other side
        acks.seen(c, "d:1:2", 3, MS);     // another one, overtaking our own `sent` for seq 2
        acks.seen(c, "d:1:2", 2, 2 * MS); // our `sent`
        acks.flush(100 * MS, sink);
        assertEquals(List.of("2:d:1:2:3"), sink.acks);
    }

    @Test
    void shouldKeepConversationsAndClientsApartAndSendNothingWhenNothingIsNew() {
        CoalescedAcks acks = new CoalescedAcks(150);
        Recorded sink = new Recorded();
        Client a = openClient(1);
        Client b = openClient(2);
        acks.seen(a, "g:1", 1, 0);
        acks.seen(a, "g:2", 4, 0);
        acks.seen(b, "g:1", 1, 0);
        assertEquals(3, acks.flush(150 * MS, sink));
        assertEquals(List.of("1:g:1:1", "1:g:2:4", "2:g:1:1"), sink.acks);
        assertEquals(0, acks.flush(10_000 * MS, sink), "nothing new: no second ack");
    }

    @Test
    void shouldAckARetransmissionAgainBecauseTheFirstAckMayHaveBeenLost() {
        CoalescedAcks acks = new CoalescedAcks(150);
        Recorded sink = new Recorded();
        Client c = openClient(1);
        acks.seen(c, "g:1", 1, 0);
        acks.seen(c, "g:1", 2, 0);
        acks.flush(150 * MS, sink);
        acks.seen(c, "g:1", 2, 10_000 * MS); // the server sent 2 again
        acks.flush(10_150 * MS, sink);
        assertEquals(List.of("1:g:1:2", "1:g:1:2"), sink.acks);
    }

    @Test
    void shouldStepOverAGapThatNeverFillsSoTheSeqsAfterItAreAcknowledged() {
        CoalescedAcks acks = new CoalescedAcks(150);
        Recorded sink = new Recorded();
        Client c = openClient(1);
        acks.seen(c, "g:1", 1, 0);
        acks.seen(c, "g:1", 4, 0); // 2 and 3 never come
        long t = 0;
        while (t < CoalescedAcks.STEP_OVER_GAP_NANOS + 200 * MS) {
            t += 25 * MS;
            acks.flush(t, sink);
        }
        assertEquals(List.of("1:g:1:1", "1:g:1:4"), sink.acks);
        assertEquals(2, sink.skipped);
        assertEquals(0, acks.waiting());
    }

    @Test
    void shouldDropTheAcksOfAClosedClient() {
        CoalescedAcks acks = new CoalescedAcks(150);
        Recorded sink = new Recorded();
        Client c = openClient(1);
        acks.seen(c, "g:1", 1, 0);
        c.open = false;
        assertEquals(0, acks.flush(200 * MS, sink));
        assertTrue(sink.acks.isEmpty());
    }

    @Test
    void shouldTakeTheAckFlagsWithCoalescedAsTheDefault() {
        Options defaults = Options.parse(new String[] {"fanout"});
        assertEquals(Options.AckPolicy.COALESCED, defaults.ackPolicy);
        assertEquals(150, defaults.ackDelayMillis);
        assertEquals(30, defaults.warmupSeconds);
        Options perMessage = Options.parse(new String[] {"direct", "--ack", "per-message", "--warmup", "5", "--deflate"});
        assertEquals(Options.AckPolicy.PER_MESSAGE, perMessage.ackPolicy);
        assertEquals(5, perMessage.warmupSeconds);
        assertTrue(perMessage.deflate);
        assertEquals(120, Options.parse(new String[] {"fanout", "--ack-delay-ms", "120"}).ackDelayMillis);
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"fanout", "--ack", "sometimes"}));
        Options idle = Options.parse(new String[] {"idle"});
        assertEquals(18_000, idle.clients);
        assertEquals(30, idle.durationSeconds);
    }

    @Test
    void shouldTickOftenEnoughForTheDelayButNotFasterThanNeeded() {
        assertEquals(25, CoalescedAcks.tickMillis(150));
        assertEquals(10, CoalescedAcks.tickMillis(20));
    }
}
