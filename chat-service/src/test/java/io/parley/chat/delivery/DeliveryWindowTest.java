package io.parley.chat.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeliveryWindowTest {

    @Test
    void shouldKnowWhatIsInFlightWhileTheWritesHaveNoHole() {
        DeliveryWindow window = new DeliveryWindow();
        for (long seq = 101; seq <= 300; seq++) {
            assertFalse(window.inFlight(seq), "not written yet: " + seq);
            window.written(seq, 0);
        }
        assertTrue(window.inFlight(101), "a live copy racing the replay is a duplicate");
        assertTrue(window.inFlight(300));
        assertFalse(window.inFlight(301));
        assertEquals(200, window.unacked());
        assertEquals(100, window.base(), "a resend starts after the first written seq");
    }

    @Test
    void shouldWriteAReplayBelowWhatALiveMessageAlreadyAcknowledged() {
        DeliveryWindow window = new DeliveryWindow();
        window.written(60, 0);
        window.acknowledged(60, 1); // a fresh connection: the live message overtook the sync replay and was acked
        assertFalse(window.inFlight(45), "the replay of 45 must be written");
        window.written(45, 2);
        assertEquals(0, window.unacked(), "acknowledged already: nothing to resend");
    }

    @Test
    void shouldKnowExactlyWhatWasWrittenAroundAHole() {
        DeliveryWindow window = new DeliveryWindow();
        window.written(10, 0);
        window.written(12, 0); // 11 is the connection's own message, or still on its way
        assertFalse(window.inFlight(11), "never written here: a sync replay of it must go out");
        assertTrue(window.inFlight(12));
        assertEquals(2, window.unacked());
        assertEquals(9, window.base());
        assertEquals(12, window.delivered(), "the resend range covers the hole");
        window.written(11, 0);
        assertEquals(3, window.unacked(), "the runs joined");
        window.acknowledged(11, 1);
        assertEquals(1, window.unacked());
        assertEquals(11, window.base());
    }

    @Test
    void shouldNotWriteTwiceWhenLateLiveCopiesArriveBeforeTheReplay() {
        DeliveryWindow window = new DeliveryWindow();
        for (long seq = 290; seq <= 300; seq++) {
            window.written(seq, 0); // late live copies, ahead of the sync replay
        }
        for (long seq = 101; seq <= 289; seq++) {
            assertFalse(window.inFlight(seq));
            window.written(seq, 0);
        }
        for (long seq = 290; seq <= 300; seq++) {
            assertTrue(window.inFlight(seq), "the replay of " + seq + " would be a second copy");
        }
        assertEquals(200, window.unacked());
    }

    @Test
    void shouldRestartTheRangeAfterEverythingWasAcknowledged() {
        DeliveryWindow window = new DeliveryWindow();
        window.written(1, 0);
        window.written(3, 0);
        window.acknowledged(3, 5);
        assertFalse(window.pending());
        window.written(4, 10);
        assertTrue(window.inFlight(4), "a new range without a hole");
        assertEquals(10, window.waitingSinceNanos);
        assertEquals(1, window.unacked());
    }
}
