package io.parley.loadgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class TopicsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldPadPublicationDataAndReadItBackFromTheServersFrame() throws Exception {
        String body = Frames.publishBody(new StringBuilder(), 42, 123_456_789L, "x".repeat(100), 100);
        JsonNode request = JSON.readTree(body);
        String data = request.get("data").asText();
        assertEquals(100, data.length());
        assertTrue(data.startsWith("t=123456789;g=42;x"));

        // the server's frame, as ServerFrames writes it
        ObjectNode frame = JSON.createObjectNode().put("type", "publication").put("appId", "a1").put("topic", "t2")
                .put("data", data).put("id", "1-0");
        long[] out = new long[2];
        assertTrue(Frames.publication(JSON.writeValueAsString(frame), out));
        assertArrayEquals(new long[] {123_456_789L, 42}, out);
        assertFalse(Frames.publication("{\"type\":\"publication\",\"data\":\"hello\"}", out));
    }

    @Test
    void shouldDecodeCborFramesTextAndByteStringData() throws Exception {
        CBORMapper cbor = new CBORMapper();
        Frames.Binary f = new Frames.Binary();
        ObjectNode text = JSON.createObjectNode().put("type", "publication").put("appId", "a1").put("topic", "t0")
                .put("data", "t=5;g=7;xx").put("id", "1-0");
        assertTrue(Frames.binary(cbor.writeValueAsBytes(text), f));
        assertEquals("publication", f.type);
        assertEquals("t=5;g=7;xx", f.data);
        long[] out = new long[2];
        assertTrue(Frames.publicationData(f.data, 0, out));
        assertArrayEquals(new long[] {5, 7}, out);

        ObjectNode bytes = JSON.createObjectNode().put("type", "publication").put("encoding", "binary")
                .put("data", "t=9;g=3;".getBytes(StandardCharsets.UTF_8));
        assertTrue(Frames.binary(cbor.writeValueAsBytes(bytes), f));
        assertEquals("t=9;g=3;", f.data);

        ObjectNode error = JSON.createObjectNode().put("type", "error").put("code", "FORBIDDEN")
                .set("details", JSON.createObjectNode().put("x", 1));
        assertTrue(Frames.binary(cbor.writeValueAsBytes(error), f));
        assertEquals("error", f.type);
        assertEquals("FORBIDDEN", f.code);
        assertFalse(Frames.binary(new byte[] {1, 2, 3}, f));
    }

    @Test
    void shouldCountMissingPerSubscriberOnlyForItsTopicAndSkipTheUnsubscribed() {
        Lane lane = new Lane(0, Options.parse(new String[] {"fanout"}));
        Client a = client(0, 0);  // topic 0
        Client b = client(1, 1);  // topic 1
        Client c = client(2, 0);  // topic 0, never subscribed
        c.subscribed = false;
        Client d = client(3, 1);  // topic 1, its connection was closed by the server
        d.lost = true;
        lane.add(a);
        lane.add(b);
        lane.add(c);
        lane.add(d);
        // phase from g = 10; accepted 10..15 except 13 (its publish failed); 2 topics
        BitSet accepted = new BitSet();
        accepted.set(10, 16);
        accepted.clear(13);
        BitSet[] byTopic = {new BitSet(), new BitSet()};
        for (int g = accepted.nextSetBit(0); g >= 0; g = accepted.nextSetBit(g + 1)) {
            byTopic[g % 2].set(g);
        }
        a.publications.set(10);
        a.publications.set(12);  // 14 missing
        a.publications.set(4);   // warm-up: outside the phase
        b.publications.set(11);
        b.publications.set(13);  // delivered although its publish was not accepted
        b.publications.set(15);
        long[] ledger = lane.topicLedger(byTopic, accepted, 10);
        assertArrayEquals(new long[] {3 + 2, 1, 1, 2}, ledger);
    }

    @Test
    void shouldTakeTheTopicsFlagsAndNeedTheAdminKey() {
        Options o = Options.parse(new String[] {"topics", "--binary", "--pub-rate", "50", "--topics", "4",
                "--admin-key", "k"});
        assertTrue(o.binary);
        assertEquals(50, o.pubRate);
        assertEquals(4, o.topics);
        assertEquals(2000, o.clients);
        if (System.getenv("LOADGEN_ADMIN_KEY") == null) {
            assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"topics"}));
        }
    }

    private static Client client(int index, int topic) {
        Client c = new Client(index, 100 + index, "token", 0);
        c.topic = topic;
        c.open = true;
        c.subscribed = true;
        return c;
    }
}
