package io.parley.sdk.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.sdk.ParleyClient;
import io.parley.sdk.it.TestPlatform.App;
import io.parley.sdk.it.TestPlatform.User;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Publications from the SDK reach a subscriber's real WebSocket, text and binary, on a topic name with a slash. */
class TopicsIT {

    @Test
    void textAndBinaryPublicationsReachASubscriber() {
        App app = TestPlatform.createApp();
        ParleyClient parley = TestPlatform.clientOf(app).build();
        User user = TestPlatform.signUp();
        parley.access().grant(user.id());
        String topic = "prices/eur:usd";

        try (FrameSocket socket = FrameSocket.open(TestPlatform.webSocket("/ws/chat", user))) {
            socket.send(Map.of("type", "subscribe", "appId", app.appId(), "topics", List.of(topic)));
            socket.awaitFrame("subscribed", f -> f.path("type").asText().equals("subscribed"));

            String textId = parley.topics().publish(topic, "{\"bid\":1.08}");
            JsonNode text = socket.awaitFrame("the text publication",
                    f -> f.path("type").asText().equals("publication") && f.path("id").asText().equals(textId));
            assertEquals(app.appId(), text.get("appId").asText());
            assertEquals(topic, text.get("topic").asText());
            assertEquals("{\"bid\":1.08}", text.get("data").asText());
            assertFalse(text.has("encoding"), "text arrives as text: " + text);

            byte[] bytes = {0, 1, 2, (byte) 0xff, (byte) 0xfe, 'p', 'a', 'r', 'l', 'e', 'y'};
            String binaryId = parley.topics().publish(topic, bytes);
            JsonNode binary = socket.awaitFrame("the binary publication",
                    f -> f.path("type").asText().equals("publication") && f.path("id").asText().equals(binaryId));
            assertEquals("base64", binary.get("encoding").asText());
            assertArrayEquals(bytes, Base64.getDecoder().decode(binary.get("data").asText()));

            String utf8 = "grüße ✓";
            String utf8Id = parley.topics().publish(topic, utf8.getBytes(StandardCharsets.UTF_8));
            JsonNode third = socket.awaitFrame("the UTF-8 publication",
                    f -> f.path("type").asText().equals("publication") && f.path("id").asText().equals(utf8Id));
            assertEquals(utf8, new String(Base64.getDecoder().decode(third.get("data").asText()), StandardCharsets.UTF_8));
        }
    }
}
