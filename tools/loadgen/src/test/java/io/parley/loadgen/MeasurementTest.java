package io.parley.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MeasurementTest {

    @Test
    void shouldReportPercentilesInMillisecondsFromMicroseconds() {
        PhaseStats stats = new PhaseStats();
        for (int ms = 1; ms <= 1000; ms++) {
            stats.recordDelivery(ms * 1000L);
        }
        assertEquals(500, stats.delivery.getTotalCount() / 2);
        assertEquals(500.0, PhaseStats.millis(stats.delivery, 50), 0.5);
        assertEquals(990.0, PhaseStats.millis(stats.delivery, 99), 1.0);
        assertEquals(1000.0, PhaseStats.millis(stats.delivery, 100), 1.0);
        assertNull(PhaseStats.millis(stats.sent, 99), "an empty histogram has no percentile");
    }

    @Test
    void shouldMergeLaneStatsWithoutLosingCounts() {
        PhaseStats a = new PhaseStats();
        PhaseStats b = new PhaseStats();
        a.recordDelivery(1_000);
        b.recordDelivery(100_000);
        a.deliveries = 1;
        b.deliveries = 1;
        a.closes.put("4003", 2L);
        b.closes.put("4003", 1L);
        PhaseStats all = new PhaseStats();
        all.add(a);
        all.add(b);
        assertEquals(2, all.deliveries);
        assertEquals(3L, all.closes.get("4003"));
        assertEquals(100.0, PhaseStats.millis(all.delivery, 100), 0.1);
        assertEquals(1.0, PhaseStats.millis(all.delivery, 50), 0.01);
    }

    @Test
    void shouldClampLatenciesOutsideTheHistogramRange() {
        PhaseStats stats = new PhaseStats();
        stats.recordDelivery(-5);
        stats.recordDelivery(PhaseStats.HIGHEST_MICROS * 10);
        assertEquals(2, stats.delivery.getTotalCount());
    }

    @Test
    void shouldCountLossPerGroupRecipientAndSkipTheSenderAndDisconnected() {
        BitSet confirmed = bits(0, 1, 2, 3); // four messages confirmed by the server
        int[] members = {0, 1, 2, 3};         // client 0 sends; 3 is not connected for the phase
        Map<Integer, Map<Integer, BitSet>> received = new TreeMap<>();
        received.put(0, Map.of());
        received.put(1, Map.of(0, bits(0, 1, 2, 3)));
        received.put(2, Map.of(0, bits(0, 2, 5)));  // missed 1 and 3; 5 was never confirmed
        Ledger.Outcome outcome = Ledger.count(List.of(new Ledger.SenderLog(0, confirmed, members, null)), received);
        assertEquals(8, outcome.expected());
        assertEquals(2, outcome.lost());
        assertEquals(25.0, outcome.lossPercent(), 1e-9);
    }

    @Test
    void shouldCountLossPerDirectMessageTarget() {
        BitSet confirmed = bits(0, 1, 2);
        int[] targets = {5, 6, 5};
        Map<Integer, Map<Integer, BitSet>> received = Map.of(
                5, Map.of(9, bits(0)),   // got 0, lost 2
                6, Map.of(9, bits(1)));
        Ledger.Outcome outcome = Ledger.count(List.of(new Ledger.SenderLog(9, confirmed, null, targets)), received);
        assertEquals(3, outcome.expected());
        assertEquals(1, outcome.lost());
    }

    @Test
    void shouldBuildSendFramesWhoseBodyTheReceiverCanRead() throws Exception {
        Frames.SendTemplate group = new Frames.SendTemplate("lgrun", 17, "g42", 100);
        String frame = group.toGroup(new StringBuilder(), 3, 123_456_789L);
        JsonNode send = new ObjectMapper().readTree(frame);
        assertEquals("send", send.get("type").asText());
        assertEquals("lgrun-17-3", send.get("clientMsgId").asText());
        assertEquals("g42", send.get("to").get("group").asText());
        assertEquals(100, send.get("body").asText().length());

        String direct = group.toUser(new StringBuilder(), 4, 77, 1L);
        assertEquals(77, new ObjectMapper().readTree(direct).get("to").get("user").asLong());

        // the message frame as the server writes it (type first, body as sent)
        String message = "{\"type\":\"message\",\"id\":\"x\",\"conversation\":\"g:g42\",\"seq\":12,\"from\":1,"
                + "\"to\":{\"group\":\"g42\"},\"body\":\"" + send.get("body").asText() + "\",\"kind\":\"text\",\"ts\":1}";
        long[] out = new long[3];
        assertTrue(Frames.body(message, out));
        assertEquals(123_456_789L, out[0]);
        assertEquals(17, out[1]);
        assertEquals(3, out[2]);
        assertEquals("g:g42", Frames.stringField(message, "conversation", 0));
        assertEquals(12, Frames.longField(message, "seq", 0));
        assertEquals(3, Frames.clientMsgNumber("{\"type\":\"sent\",\"clientMsgId\":\"lgrun-17-3\",\"seq\":1}"));
        assertFalse(Frames.body(message.replace("\"t=", "\"hello "), out));
        assertEquals("{\"type\":\"ack\",\"conversation\":\"g:g42\",\"seq\":12}", Frames.ack("g:g42", 12));
    }

    @Test
    void shouldReadCpuTicksAfterACommandNameWithSpaces() {
        String stat = "4242 (java thing) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 30 0 100 0 0";
        assertEquals(300, ProcStats.parseCpuTicks(stat));
    }

    @Test
    void shouldPrintOneJsonLineWithFieldsInOrder() throws Exception {
        Report r = new Report().put("scenario", "fanout").put("deliveriesPerSec", 1234.5)
                .put("cpuSeconds", Map.of("chat-1", 1.5)).put("deliveryP99Ms", null);
        String line = r.toJson();
        assertFalse(line.contains("\n"));
        JsonNode json = new ObjectMapper().readTree(line);
        assertEquals(List.of("scenario", "deliveriesPerSec", "cpuSeconds", "deliveryP99Ms"),
                iterableToList(json.fieldNames()));
        assertEquals(1.5, json.get("cpuSeconds").get("chat-1").asDouble());
        assertTrue(json.get("deliveryP99Ms").isNull());
        assertEquals(0.333, Report.ratio(1, 3, 3));
        assertNull(Report.ratio(1, 0, 3));
    }

    private static List<String> iterableToList(java.util.Iterator<String> it) {
        List<String> names = new java.util.ArrayList<>();
        it.forEachRemaining(names::add);
        return names;
    }

    private static BitSet bits(int... set) {
        BitSet b = new BitSet();
        for (int i : set) {
            b.set(i);
        }
        return b;
    }
}
