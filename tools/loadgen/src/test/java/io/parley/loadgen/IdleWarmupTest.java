package io.parley.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The idle scenario's warm-up round: its flag and the gauge it waits on. */
class IdleWarmupTest {

    private static final String METRICS = """
            # HELP parley_chat_connections open /ws/chat connections on this node
            # TYPE parley_chat_connections gauge
            parley_chat_connections 1234.0
            # HELP parley_chat_connections_opened_total connections opened
            parley_chat_connections_opened_total 99.0
            parley_chat_connectionsx 7.0
            parley_chat_users 12.0
            """;

    @Test
    void shouldReadTheGaugeByItsExactName() {
        assertEquals(1234.0, NodeMetrics.parse(METRICS, "parley_chat_connections"));
        assertEquals(12.0, NodeMetrics.parse(METRICS, "parley_chat_users"));
        assertNull(NodeMetrics.parse(METRICS, "parley_chat_unacked"));
        assertNull(NodeMetrics.parse("", "parley_chat_connections"));
    }

    @Test
    void shouldSumTheGaugeOverItsLabelSetsAndIgnoreTimestamps() {
        String labelled = """
                parley_chat_connections{node="a",endpoint="/ws/{x}"} 3.0 1712345678000
                parley_chat_connections{node="b"} 4
                parley_chat_connections{node="c"} NaN-ish
                """;
        assertEquals(7.0, NodeMetrics.parse(labelled, "parley_chat_connections"));
    }

    @Test
    void shouldWarmUpWithAtMost4000ClientsAndNeverMoreThanTheRunHas() {
        assertEquals(4000, Options.parse(new String[] {"idle"}).idleWarmupClients);
        assertEquals(2000, Options.parse(new String[] {"idle", "--clients", "2000"}).idleWarmupClients);
        assertEquals(500, Options.parse(new String[] {"idle", "--idle-warmup-clients", "500"}).idleWarmupClients);
        assertEquals(300, Options.parse(new String[] {"idle", "--clients", "300", "--idle-warmup-clients", "9000"})
                .idleWarmupClients);
        assertEquals(0, Options.parse(new String[] {"idle", "--idle-warmup-clients", "0"}).idleWarmupClients);
        assertThrows(IllegalArgumentException.class,
                () -> Options.parse(new String[] {"idle", "--idle-warmup-clients", "-1"}));
        assertNull(Options.parse(new String[] {"fanout"}).idleWarmupClients);
    }
}
