package io.parley.sdk.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A user's WebSocket to chat-service ({@code java.net.http.WebSocket}): sends JSON frames, keeps every frame it gets. */
final class FrameSocket implements AutoCloseable {

    private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    private final WebSocket socket;

    private FrameSocket(URI uri) {
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, new Collector()).orTimeout(30, TimeUnit.SECONDS).join();
    }

    static FrameSocket open(URI uri) {
        return new FrameSocket(uri);
    }

    void send(Object frame) {
        try {
            socket.sendText(TestPlatform.JSON.writeValueAsString(frame), true).orTimeout(10, TimeUnit.SECONDS).join();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until a frame matching {@code match} has arrived, and returns the first such. */
    JsonNode awaitFrame(String what, Predicate<JsonNode> match) {
        return await().alias(what + " (frames so far: " + frames + ")").atMost(Duration.ofSeconds(30))
                .until(() -> frames.stream().filter(match).findFirst().orElse(null), f -> f != null);
    }

    List<JsonNode> frames() {
        return List.copyOf(frames);
    }

    @Override
    public void close() {
        socket.abort();
    }

    /** Collects whole text messages (the server sends each frame as one, but the JDK may hand it over in parts). */
    private final class Collector implements WebSocket.Listener {

        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add(TestPlatform.JSON.readTree(partial.toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException("not a JSON frame: " + partial, e);
                } finally {
                    partial.setLength(0);
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
