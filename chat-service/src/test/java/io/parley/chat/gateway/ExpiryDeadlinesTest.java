package io.parley.chat.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The token-expiry deadline queue hands out only what is due, earliest first, and keeps the rest. */
class ExpiryDeadlinesTest {

    @Test
    void shouldHandOutOnlyTheConnectionsThatAreDueEarliestFirst() {
        ExpiryDeadlines deadlines = new ExpiryDeadlines();
        for (int i = 0; i < 10_000; i++) {
            deadlines.add(2_000 + i, "far-" + i); // tokens far from expiry: never touched before their second
        }
        deadlines.add(1_005, "b");
        deadlines.add(1_001, "a");
        deadlines.add(1_900, "c");

        assertNull(deadlines.pollDue(1_000), "nothing is due yet");
        List<String> due = new ArrayList<>();
        for (ExpiryDeadlines.Due d; (d = deadlines.pollDue(1_005)) != null; ) {
            due.add(d.connectionId());
        }
        assertEquals(List.of("a", "b"), due);
        assertEquals(10_001, deadlines.size(), "the rest stay queued");
        assertEquals("c", deadlines.pollDue(1_999).connectionId());
        assertNull(deadlines.pollDue(1_999));
    }

    @Test
    void shouldKeepAConnectionPutBackForALaterDeadline() {
        ExpiryDeadlines deadlines = new ExpiryDeadlines();
        deadlines.add(100, "renewed");
        ExpiryDeadlines.Due first = deadlines.pollDue(100);
        assertEquals(new ExpiryDeadlines.Due(100, "renewed"), first);
        deadlines.add(700, "renewed"); // a fresher token moved its expiry on
        assertNull(deadlines.pollDue(699));
        assertEquals(new ExpiryDeadlines.Due(700, "renewed"), deadlines.pollDue(700));
    }
}
