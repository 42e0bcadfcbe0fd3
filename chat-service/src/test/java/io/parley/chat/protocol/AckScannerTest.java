package io.parley.chat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AckScannerTest {

    private static ClientFrame.Ack scan(String text) {
        ByteBuf frame = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        int before = frame.readerIndex();
        ClientFrame.Ack ack = AckScanner.scan(frame);
        assertEquals(before, frame.readerIndex(), "the frame is left as it was for the general path");
        return ack;
    }

    @Test
    void shouldReadAPlainAckInAnyFieldOrderAndSpacing() {
        ClientFrame.Ack ack = scan("{\"type\":\"ack\",\"conversation\":\"d:3:17\",\"seq\":42}");
        assertNotNull(ack);
        assertEquals("d:3:17", ack.conversation().value());
        assertEquals(42, ack.seq());

        ClientFrame.Ack reordered = scan(" { \"seq\" : 7 ,\n\"conversation\": \"g:12345\", \"type\" :\"ack\" } ");
        assertNotNull(reordered);
        assertEquals("g:12345", reordered.conversation().value());
        assertEquals(7, reordered.seq());
        assertEquals(0, scan("{\"type\":\"ack\",\"conversation\":\"d:1:2\",\"seq\":0}").seq());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"type\":\"send\",\"conversation\":\"d:1:2\",\"seq\":1}",
            "{\"type\":\"ack\",\"conversation\":\"d:1:2\",\"seq\":1,\"extra\":true}",
            "{\"type\":\"ack\",\"conversation\":\"d:1:2\"}",
            "{\"type\":\"ack\",\"seq\":1}",
            "{\"conversation\":\"d:1:2\",\"seq\":1}",
            "{\"type\":\"ack\",\"conversation\":\"d:2:1\",\"seq\":1}",
            "{\"type\":\"ack\",\"conversation\":\"x:1:2\",\"seq\":1}",
            "{\"type\":\"ack\",\"conversation\":\"d:1:2\",\"seq\":-1}",
            "{\"type\":\"ack\",\"conversation\":\"d:1:2\",\"seq\":1.5}",
            "{\"type\":\"ack\",\"conversation\":\"d:1:2\",\"seq\":\"1\"}",
            "{\"type\":\"ack\",\"conversation\":\"d:1:2\",\"seq\":1234567890123456789}",
            "{\"type\":\"ack\",\"conversation\":\"d:1\\u003a2\",\"seq\":1}",
            "{\"type\":\"ack\",\"conversation\":\"d:1:2\",\"seq\":1}x",
            "{\"type\":\"ack\",\"type\":\"ack\",\"conversation\":\"d:1:2\",\"seq\":1}",
            "{\"type\":\"ack\",\"conversation\":{\"d\":1},\"seq\":1}",
            "{\"type\":\"ack\",\"conversation\":\"d:1:2\",\"seq\":1",
            "[\"ack\"]",
            "",
            "{\"type\":\"ack\" \"conversation\":\"d:1:2\",\"seq\":1}"
    })
    void shouldLeaveEverythingElseToTheGeneralParser(String text) {
        assertNull(scan(text), text);
    }

    @Test
    void shouldLeaveLongFramesToTheGeneralParser() {
        String padded = "{\"type\":\"ack\",\"conversation\":\"d:1:2\",\"seq\":1" + " ".repeat(300) + "}";
        assertNull(scan(padded));
    }
}
