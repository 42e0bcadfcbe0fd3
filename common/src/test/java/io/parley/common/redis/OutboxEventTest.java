package io.parley.common.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The contract between chat-service (writes outbox events) and notify-service (reads them): the stream's name, the
 * entry's field and the event's JSON. A change here is a change of the internal contract: both services move together.
 */
class OutboxEventTest {

    @Test
    void theSharedNamesAreTheContractedOnes() {
        assertEquals("notify:outbox", SharedKeys.OUTBOX_STREAM);
        assertEquals("event", SharedKeys.OUTBOX_EVENT_FIELD);
        assertEquals("event", OutboxEvent.FIELD);
        assertEquals("presence:{42}", SharedKeys.presence(42));
        assertEquals("push:devices:{42}", SharedKeys.pushDevices(42));
    }

    @Test
    void anOnlineRecipientsEventNamesTheConnectedDevices() {
        OutboxEvent written = OutboxEvent.message(5, "m", "d:1:5", 3, 1, "hi", "text", 1000, List.of("laptop", "tab"), 4);
        assertEquals("{\"type\":\"message\",\"user\":5,\"id\":\"m\",\"conversation\":\"d:1:5\",\"seq\":3,\"from\":1,"
                + "\"body\":\"hi\",\"kind\":\"text\",\"ts\":1000,\"connectedDevices\":[\"laptop\",\"tab\"],\"badge\":4}", written.json());
        OutboxEvent read = OutboxEvent.parse(written.json());
        assertEquals(written, read);
        assertTrue(read.recipientOnline());
        assertEquals(4, read.badge());
        assertEquals("badge must be a number of at least 0", assertThrows(IllegalArgumentException.class,
                () -> OutboxEvent.parse("{\"type\":\"message\",\"user\":5,\"id\":\"m\",\"conversation\":\"c\",\"from\":1,"
                        + "\"badge\":\"many\"}")).getMessage());
        assertFalse(OutboxEvent.parse(OutboxEvent.message(5, "m", "d:1:5", 3, 1, "hi", "text", 1000).json())
                .recipientOnline(), "no list: the recipient had no open connection");
        assertEquals("connectedDevices must be a list of device ids", assertThrows(IllegalArgumentException.class,
                () -> OutboxEvent.parse("{\"type\":\"message\",\"user\":5,\"id\":\"m\",\"conversation\":\"c\",\"from\":1,"
                        + "\"connectedDevices\":[7]}")).getMessage());
    }

    @Test
    void whatTheWriterWritesTheReaderReadsBack() {
        OutboxEvent written = OutboxEvent.message(1234567890L, "msg-1", "d:7:1234567890", 12, 7, "hi \"there\" ✓",
                "text", 1_700_000_000_000L);
        OutboxEvent read = OutboxEvent.parse(written.json());
        assertEquals(written, read);
    }

    @Test
    void theJsonHasTheContractedFieldsInOrder() {
        String json = OutboxEvent.message(5, "m", "g:team", 3, 9, "body", "image", 1000).json();
        assertEquals("{\"type\":\"message\",\"user\":5,\"id\":\"m\",\"conversation\":\"g:team\",\"seq\":3,\"from\":9,"
                + "\"body\":\"body\",\"kind\":\"image\",\"ts\":1000}", json);
    }

    @Test
    void aReaderFillsWhatAnOlderWriterLeftOut() {
        OutboxEvent read = OutboxEvent.parse(new JsonObject().put("type", "message").put("user", 5).put("id", "m")
                .put("conversation", "d:1:5").put("from", 1).encode());
        assertEquals("", read.body());
        assertEquals("text", read.kind());
        assertEquals(0, read.seq());
    }

    @Test
    void malformedEventsAreRejectedWithTheReason() {
        assertEquals("no event field", assertThrows(IllegalArgumentException.class, () -> OutboxEvent.parse(null))
                .getMessage());
        assertEquals("event is not a JSON object",
                assertThrows(IllegalArgumentException.class, () -> OutboxEvent.parse("not json")).getMessage());
        assertEquals("unknown event type mystery", assertThrows(IllegalArgumentException.class,
                () -> OutboxEvent.parse("{\"type\":\"mystery\",\"user\":1}")).getMessage());
        assertEquals("user is not a user id", assertThrows(IllegalArgumentException.class,
                () -> OutboxEvent.parse("{\"type\":\"message\",\"user\":-5,\"id\":\"x\"}")).getMessage());
    }
}
