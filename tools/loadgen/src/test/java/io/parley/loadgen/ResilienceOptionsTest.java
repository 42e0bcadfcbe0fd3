package io.parley.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResilienceOptionsTest {

    @Test
    void faultsShouldDefaultToEveryFaultWithMinuteLongOutages() {
        ResilienceOptions o = ResilienceOptions.parse(new String[] {"faults", "--pid", "chat-1=12", "--clk-tck", "100",
                "--redis-port", "26379", // loadtest.sh passes the traffic scenarios' process flags to every scenario
                "--meta", "durability=aof"});
        assertEquals(ResilienceOptions.ALL_FAULTS, o.faults);
        assertEquals(60, o.outageSeconds);
        assertEquals(24, o.clients);
        assertEquals(6, o.groupSize);
        assertEquals(2.0, o.rate);
        assertEquals(0, o.resendMillis, "as the JS client: no resend on silence, only after reconnects and errors");
        assertEquals("aof", o.meta.get("durability"));
    }

    @Test
    void aShortRunShouldTakeItsOutageAndFaultsFromTheFlags() {
        ResilienceOptions o = ResilienceOptions.parse(new String[] {"faults", "--outage", "10", "--faults",
                "redis-restart-aof,chat-node-kill", "--clients", "8"});
        assertEquals(10, o.outageSeconds);
        assertEquals(List.of("redis-restart-aof", "chat-node-kill"), o.faults);
        assertEquals(8, o.clients);
    }

    @Test
    void soakShouldDefaultToModerateLoadForHalfAnHour() {
        ResilienceOptions o = ResilienceOptions.parse(new String[] {"soak", "--duration", "5"});
        assertEquals(5, o.durationMinutes);
        assertEquals(100, o.clients);
        assertEquals(10.0, o.churnPerMinute);
        assertEquals(5 * 60 + 600, o.maxSeconds);
        assertEquals(0.0, o.newConversationsShare, "every 1:1 message to client i+1, as before");
    }

    @Test
    void soakShouldTakeAShareOfNewConversationsBetweenZeroAndOne() {
        assertEquals(0.5, ResilienceOptions.parse(new String[] {"soak", "--new-conversations-share", "0.5"})
                .newConversationsShare);
        assertThrows(IllegalArgumentException.class,
                () -> ResilienceOptions.parse(new String[] {"soak", "--new-conversations-share", "1.5"}));
        assertThrows(IllegalArgumentException.class,
                () -> ResilienceOptions.parse(new String[] {"soak", "--new-conversations-share", "NaN"}));
    }

    @Test
    void unknownFaultsAndFlagsShouldBeRefused() {
        assertThrows(IllegalArgumentException.class, () -> ResilienceOptions.parse(new String[] {"faults", "--faults", "meteor"}));
        assertThrows(IllegalArgumentException.class, () -> ResilienceOptions.parse(new String[] {"faults", "--bogus", "1"}));
        assertThrows(IllegalArgumentException.class, () -> ResilienceOptions.parse(new String[] {"faults", "--clients", "1"}));
    }
}
