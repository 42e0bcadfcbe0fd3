package io.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.lang.reflect.Proxy;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

/**
 * The test client's own guarantee: whatever a test may read about a frame is in place when the frame reaches the
 * waiting queue (ChatFeaturesIT once read the binary count between the two and failed on a busy machine).
 */
class ChatClientTest {

    @Test
    void shouldCountABinaryFrameBeforeHandingItToTheWaiter() throws Exception {
        List<Integer> countWhenPublished = new ArrayList<>();
        ChatClient.Listener[] self = new ChatClient.Listener[1];
        LinkedBlockingQueue<JsonNode> observed = new LinkedBlockingQueue<>() {
            @Override
            public boolean offer(JsonNode frame) { // add() and put() come through here too
                countWhenPublished.add(self[0].binaryFrames.get()); // what a waiter woken now would read
                return super.offer(frame);
            }
        };
        self[0] = new ChatClient.Listener(observed);
        // the listener only asks the socket for the next message: a socket that ignores that is enough here
        WebSocket socket = (WebSocket) Proxy.newProxyInstance(WebSocket.class.getClassLoader(),
                new Class<?>[] {WebSocket.class}, (proxy, method, args) -> null);
        byte[] cbor = new CBORMapper().writeValueAsBytes(java.util.Map.of("type", "pong"));

        self[0].onBinary(socket, ByteBuffer.wrap(cbor, 0, 2), false);
        self[0].onBinary(socket, ByteBuffer.wrap(cbor, 2, cbor.length - 2), true);
        self[0].onBinary(socket, ByteBuffer.wrap(cbor), true);

        assertEquals(List.of(1, 2), countWhenPublished, "each frame counted before a waiter can take it");
        assertEquals(2, observed.size());
    }
}
