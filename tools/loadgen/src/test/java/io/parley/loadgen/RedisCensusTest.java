package io.parley.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Key names of every service normalised to their kind; the census counts and its byte estimate. */
class RedisCensusTest {

    private static void kind(String expected, String key) {
        assertEquals(expected, RedisCensus.kind(key), key);
    }

    @Test
    void shouldNormaliseConversationKeysOfBothKindsOfConversation() {
        kind("chat:{s*}:d:*:*:log", "chat:{s17}:d:1234567890123:98765:log");
        kind("chat:{s*}:d:*:*:seq", "chat:{s0}:d:1:2:seq");
        kind("chat:{s*}:d:*:*:persisted", "chat:{s63}:d:1:2:persisted");
        kind("chat:{s*}:d:*:*:sent:*", "chat:{s5}:d:41:42:sent:41");
        kind("chat:{s*}:d:*:*:sent:*:old", "chat:{s5}:d:41:42:sent:42:old");
        kind("chat:{s*}:d:*:*:changes", "chat:{s5}:d:41:42:changes");
        kind("chat:{s*}:g:*:log", "chat:{s9}:g:7334112098765:log");
        kind("chat:{s*}:g:*:members", "chat:{s9}:g:7334112098765:members");
        kind("chat:{s*}:g:*:members:ver", "chat:{s9}:g:7334112098765:members:ver");
        kind("chat:{s*}:g:*:sent:*", "chat:{s9}:g:7334112098765:sent:12");
    }

    @Test
    void shouldNormaliseBucketUserNodeAndTopicKeys() {
        kind("chat:{s*}:dirty", "chat:{s12}:dirty");
        kind("chat:{s*}:seqs-whole", "chat:{s12}:seqs-whole");
        kind("chat:{s*}:writer", "chat:{s40}:writer");
        kind("chat:{s*}:quiet", "chat:{s40}:quiet");
        kind("chat:{u:*}:dconvs", "chat:{u:123456}:dconvs");
        kind("chat:{u:*}:dconvs:checked", "chat:{u:123456}:dconvs:checked");
        kind("chat:{u:*}:groups:ver", "chat:{u:1}:groups:ver");
        kind("chat:{u:*}:read", "chat:{u:1}:read");
        kind("chat:{u:*}:contacts:ver", "chat:{u:1}:contacts:ver");
        kind("chat:{u:*}:dev:*:acked", "chat:{u:77}:dev:phone-of-alice:acked");
        kind("chat:nodes", "chat:nodes");
        kind("chat:nodes:sweep", "chat:nodes:sweep");
        kind("chat:node:{*}:users", "chat:node:{chat-7f3a9c}:users");
        kind("chat:topics:{*}:buffer", "chat:topics:{3}:buffer");
        kind("chat:app:{*}:grants", "chat:app:{app_x1}:grants");
        kind("chat:app:{*}:public", "chat:app:{2c1d}:public");
    }

    @Test
    void shouldNormaliseKeysOfTheOtherServices() {
        kind("presence:{*}", "presence:{123}");
        kind("presence:{*}:conns", "presence:{123}:conns");
        kind("presence:{*}:state", "presence:{123}:state");
        kind("notify:outbox", "notify:outbox");
        kind("notify:{u:*}:inbox", "notify:{u:9}:inbox");
        kind("notify:{u:*}:acked", "notify:{u:9}:acked");
        kind("notify:{u:*}:posted:*:*", "notify:{u:9}:posted:app1:order-17");
        kind("auth:session:{*}", "auth:session:{3f2b8c1e-6a4d-4a7e-9d0c-5b1e2f3a4c5d}");
        kind("auth:user:{*}:sessions", "auth:user:{42}:sessions");
        kind("auth:ratelimit:login:user:{*}", "auth:ratelimit:login:user:{lgs1x_17}");
        kind("auth:ratelimit:login:user:{*}", "auth:ratelimit:login:user:{bob42}");
        kind("auth:ratelimit:login:addr:{*}", "auth:ratelimit:login:addr:{127.0.0.1}");
        kind("parley:id:seq", "parley:id:seq");
        kind("parley:id:workers:held", "parley:id:workers:held");
        kind("parley:id:{worker:*}:lease", "parley:id:{worker:3}:lease");
        kind("parley:id:{worker:*}:hwm", "parley:id:{worker:1023}:hwm");
        kind("parley:send-blocked", "parley:send-blocked");
    }

    @Test
    void shouldReplaceGeneratedIdsInNamesItDoesNotKnow() {
        kind("quota:*:day", "quota:1234:day");
        kind("x:*:y", "x:3f2b8c1e-6a4d-4a7e-9d0c-5b1e2f3a4c5d:y");
        kind("x:seqs-whole:lease", "x:seqs-whole:lease");
        kind("plain", "plain");
    }

    @Test
    void shouldCountEachKeyOnceAndKeepAtMostTheSamplesAsked() {
        List<String> keys = List.of("chat:{s1}:d:1:2:log", "chat:{s2}:d:3:4:log", "chat:{s1}:d:1:2:log",
                "chat:{s3}:d:5:6:log", "chat:{s3}:d:5:6:seq", "presence:{1}", "");
        RedisCensus c = RedisCensus.of(keys, 2, new Random(7));
        assertEquals(Map.of("chat:{s*}:d:*:*:log", 3L, "chat:{s*}:d:*:*:seq", 1L, "presence:{*}", 1L), c.counts);
        assertEquals(2, c.samples.get("chat:{s*}:d:*:*:log").size());
        assertTrue(keys.containsAll(c.sampleKeys()));
        assertEquals(4, c.sampleKeys().size());
    }

    @Test
    void shouldEstimateBytesPerKindFromTheMeanOfItsMeasuredSamples() {
        RedisCensus c = RedisCensus.of(List.of("chat:{s1}:d:1:2:log", "chat:{s2}:d:3:4:log", "chat:{s3}:d:5:6:log",
                "chat:{s3}:d:5:6:seq"), 2, new Random(7));
        List<String> logs = c.samples.get("chat:{s*}:d:*:*:log");
        // one log sample measured at 1,000 bytes, the other gone (null) meanwhile; the counter not measured at all
        Map<String, Long> usage = Map.of(logs.get(0), 1000L);
        assertEquals(Map.of("chat:{s*}:d:*:*:log", 3000L), c.estimatedBytes(usage));
        assertEquals(Map.of("chat:{s*}:d:*:*:log", 2400L, "chat:{s*}:d:*:*:seq", 56L),
                c.estimatedBytes(Map.of(logs.get(0), 1000L, logs.get(1), 600L, "chat:{s3}:d:5:6:seq", 56L)));
    }
}
