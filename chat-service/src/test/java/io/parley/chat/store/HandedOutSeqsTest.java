package io.parley.chat.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What a node remembers of the seqs it saw handed out: the highest per conversation, for one to two generations. */
class HandedOutSeqsTest {

    private final AtomicLong now = new AtomicLong();

    @Test
    void shouldKeepTheHighestSeqPerConversation() {
        HandedOutSeqs seqs = new HandedOutSeqs(1_000, 100, now::get);
        seqs.saw("d:1:2", 5);
        seqs.saw("d:1:2", 3); // a late delivery of an older message does not lower it
        seqs.saw("g:x", 9);
        assertEquals(5, seqs.highest("d:1:2"));
        assertEquals(9, seqs.highest("g:x"));
        assertEquals(0, seqs.highest("d:3:4"), "never seen");
        assertEquals(Map.of("d:1:2", 5L, "g:x", 9L), seqs.snapshot());
    }

    @Test
    void shouldForgetAConversationTwoGenerationsAfterItWasLastSeen() {
        HandedOutSeqs seqs = new HandedOutSeqs(1_000, 100, now::get);
        seqs.saw("d:1:2", 5);
        now.set(1_000);
        seqs.saw("d:3:4", 1); // a new generation: d:1:2 is in the previous one, still remembered
        assertEquals(5, seqs.highest("d:1:2"));
        seqs.saw("d:1:2", 6); // seen again: in the current one
        now.set(2_000);
        seqs.saw("g:x", 1);
        assertEquals(6, seqs.highest("d:1:2"));
        assertEquals(1, seqs.highest("d:3:4"));
        now.set(3_000);
        seqs.saw("g:y", 1);
        assertEquals(0, seqs.highest("d:3:4"), "not seen for two generations");
        assertEquals(Map.of("g:x", 1L, "g:y", 1L), seqs.snapshot());
    }

    @Test
    void aFullGenerationShouldStartTheNextOneEarly() {
        HandedOutSeqs seqs = new HandedOutSeqs(1_000_000, 2, now::get);
        seqs.saw("a", 1);
        seqs.saw("b", 1);
        seqs.saw("c", 1); // the current one held 2: a new generation
        seqs.saw("d", 1);
        assertEquals(Map.of("a", 1L, "b", 1L, "c", 1L, "d", 1L), seqs.snapshot());
        seqs.saw("e", 1); // and again: a and b are gone, memory stays bounded by twice the limit
        assertEquals(Map.of("c", 1L, "d", 1L, "e", 1L), seqs.snapshot());
    }
}
