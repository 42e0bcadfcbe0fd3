package io.parley.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testsupport.FreePort;
import io.parley.testsupport.RedisServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Redis's commands per message in a window, from INFO commandstats read before and after. */
class RedisCommandStatsTest {

    @Test
    void shouldGiveEachCommandsCallsAndTimePerMessageBusiestFirst() {
        Map<String, RedisCommandStats.Totals> before = RedisCommandStats.parse("""
                # Commandstats\r
                cmdstat_evalsha:calls=100,usec=5000,usec_per_call=50.00,rejected_calls=0,failed_calls=0\r
                cmdstat_hset:calls=400,usec=800,usec_per_call=2.00,rejected_calls=0,failed_calls=0\r
                """);
        Map<String, RedisCommandStats.Totals> after = RedisCommandStats.parse("""
                # Commandstats\r
                cmdstat_evalsha:calls=110,usec=6000,usec_per_call=54.54,rejected_calls=0,failed_calls=0\r
                cmdstat_hset:calls=440,usec=900,usec_per_call=2.04,rejected_calls=0,failed_calls=0\r
                cmdstat_publish:calls=10,usec=30,usec_per_call=3.00,rejected_calls=0,failed_calls=0\r
                cmdstat_info:calls=1,usec=70,usec_per_call=70.00,rejected_calls=0,failed_calls=0\r
                """);
        Map<String, Object> perMessage = RedisCommandStats.perMessage(before, after, 10, 2);

        assertEquals(List.of("all", "evalsha", "hset"), List.copyOf(perMessage.keySet()), "the top 2 by time");
        assertEquals(Map.of("calls", 1.0, "usec", 100.0), perMessage.get("evalsha"));
        assertEquals(Map.of("calls", 4.0, "usec", 10.0), perMessage.get("hset"));
        assertEquals(Map.of("usec", 113.0), perMessage.get("all"), "every command's time, per message");
        assertTrue(RedisCommandStats.perMessage(before, null, 10, 2).isEmpty(), "a reading that failed");
        assertTrue(RedisCommandStats.perMessage(before, after, 0, 2).isEmpty(), "no message in the window");
    }

    @Test
    void shouldReadTheCommandStatsOfARealRedis() {
        try (RedisServer redis = RedisServer.start()) {
            Map<String, RedisCommandStats.Totals> before = RedisCommandStats.read(redis.port());
            redis.commandArgs("SET", "k", "v");
            redis.commandArgs("SET", "k", "w");
            Map<String, RedisCommandStats.Totals> after = RedisCommandStats.read(redis.port());
            assertEquals(2, after.get("set").calls() - (before.containsKey("set") ? before.get("set").calls() : 0));
        }
        assertNull(RedisCommandStats.read(FreePort.find()), "nothing listening: no reading, no failure");
    }
}
