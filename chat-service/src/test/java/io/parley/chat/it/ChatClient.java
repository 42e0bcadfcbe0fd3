package io.parley.chat.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.util.concurrent.atomic.AtomicInteger;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket client for tests (the JDK's): collects every frame it receives; {@link #kill()} drops the
 * connection without a close frame, as a phone losing its network would.
 */
public final class ChatClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static final CBORMapper CBOR = new CBORMapper();

    private final WebSocket socket;
    private final LinkedBlockingQueue<JsonNode> frames;
    private final CompletableFuture<Integer> closed;
    private final List<JsonNode> seen = new ArrayList<>();
    private final AtomicInteger binaryFrames;
    private final AtomicInteger pings;

    private ChatClient(WebSocket socket, Listener listener) {
        this.socket = socket;
        this.frames = listener.frames;
        this.closed = listener.closed;
        this.binaryFrames = listener.binaryFrames;
        this.pings = listener.pings;
    }

    public static ChatClient connect(String baseUrl, String token) {
        return connect(baseUrl, token, "/ws/chat", null);
    }

    /** Connects to {@code path}, offering {@code subprotocol} if not null (e.g. the binary encoding). */
    public static ChatClient connect(String baseUrl, String token, String path, String subprotocol) {
        Listener listener = new Listener();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .connectTimeout(Duration.ofSeconds(5));
        if (subprotocol != null) {
            builder.subprotocols(subprotocol);
        }
        WebSocket socket = builder.buildAsync(URI.create(baseUrl.replace("http://", "ws://") + path), listener).join();
        return new ChatClient(socket, listener);
    }

    /** The subprotocol the server chose ("" if none). */
    public String subprotocol() {
        return socket.getSubprotocol();
    }

    /** Sends a frame in the binary encoding (CBOR). */
    public ChatClient sendBinary(ObjectNode frame) {
        try {
            socket.sendBinary(java.nio.ByteBuffer.wrap(CBOR.writeValueAsBytes(frame)), true).join();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return this;
    }

    /** Binary frames received so far. */
    public int binaryFramesReceived() {
        return binaryFrames.get();
    }

    /** WebSocket pings received so far (the JDK client answers each with a pong by itself). */
    public int pingsReceived() {
        return pings.get();
    }

    /**
     * Connects and syncs, as every client does after connecting: once {@code synced} arrives, everything
     * addressed to this user reaches it live.
     */
    public static ChatClient connectAndSync(String baseUrl, String token) {
        ChatClient client = connect(baseUrl, token);
        client.send(frame("sync"));
        client.awaitType("synced");
        return client;
    }

    /** Tries to connect; returns the HTTP status of a refused upgrade, or 101. */
    public static int upgradeStatus(String url, String token) {
        try {
            WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
            if (token != null) {
                builder.header("Authorization", "Bearer " + token);
            }
            WebSocket ws = builder.buildAsync(URI.create(url), new Listener()).join();
            ws.abort();
            return 101;
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof java.net.http.WebSocketHandshakeException handshake) {
                return handshake.getResponse().statusCode();
            }
            throw e;
        }
    }

    public ChatClient send(ObjectNode frame) {
        return sendRaw(frame.toString());
    }

    public ChatClient sendRaw(String text) {
        socket.sendText(text, true).join();
        return this;
    }

    /** Sends {@code text} as one message split over WebSocket frames of at most {@code frameChars} characters. */
    public ChatClient sendFragmented(String text, int frameChars) {
        for (int from = 0, to; from < text.length(); from = to) {
            to = (int) Math.min(text.length(), (long) from + frameChars);
            try {
                socket.sendText(text.substring(from, to), to == text.length()).join();
            } catch (java.util.concurrent.CompletionException e) {
                return this; // the server closed the connection part-way, as it may for an oversize message
            }
        }
        return this;
    }

    /** Sends raw bytes as one binary message, without encoding them. */
    public ChatClient sendBinaryRaw(byte[] bytes) {
        try {
            socket.sendBinary(java.nio.ByteBuffer.wrap(bytes), true).join();
        } catch (java.util.concurrent.CompletionException e) {
            // the server closed the connection while the frame was going out
        }
        return this;
    }

    public static ObjectNode frame(String type) {
        return JSON.createObjectNode().put("type", type);
    }

    public ChatClient sendTo(long user, String clientMsgId, String body) {
        ObjectNode frame = frame("send").put("clientMsgId", clientMsgId).put("body", body);
        frame.putObject("to").put("user", user);
        return send(frame);
    }

    public ChatClient sendToGroup(String group, String clientMsgId, String body) {
        ObjectNode frame = frame("send").put("clientMsgId", clientMsgId).put("body", body);
        frame.putObject("to").put("group", group);
        return send(frame);
    }

    /** Sends a ping and waits for its pong: the connection is open and answering. */
    public ChatClient ping() {
        send(frame("ping"));
        awaitType("pong");
        return this;
    }

    public ChatClient ack(String conversation, long seq) {
        return send(frame("ack").put("conversation", conversation).put("seq", seq));
    }

    /** The next frame received (or left unmatched by {@link #await}), or {@code null} if none is waiting. */
    public JsonNode poll() {
        synchronized (seen) {
            if (!seen.isEmpty()) {
                return seen.remove(0);
            }
        }
        return frames.poll();
    }

    /** The close code, or {@code null} while open. */
    public Integer closeCode() {
        return closed.getNow(null);
    }

    /** Waits for the next frame that matches, keeping every frame seen; fails after the timeout. */
    public JsonNode await(Predicate<JsonNode> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (seen) {
            for (JsonNode frame : seen) {
                if (match.test(frame)) {
                    seen.remove(frame);
                    return frame;
                }
            }
        }
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching frame within " + timeout + "; unmatched: " + pending());
            }
            JsonNode frame;
            try {
                frame = frames.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            if (frame == null) {
                continue;
            }
            if (match.test(frame)) {
                return frame;
            }
            synchronized (seen) {
                seen.add(frame);
            }
        }
    }

    /** The {@code sent} answer to {@code clientMsgId}. */
    public JsonNode awaitSent(String clientMsgId, Duration timeout) {
        return await(f -> "sent".equals(f.path("type").asText()) && clientMsgId.equals(f.path("clientMsgId").asText()), timeout);
    }

    /** A test's {@code @TestHTTPResource("/")} as the base URL the clients take (no trailing slash). */
    public static String baseUrl(java.net.URL base) {
        String text = base.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    public JsonNode awaitType(String type) {
        return await(f -> type.equals(f.path("type").asText()), Duration.ofSeconds(10));
    }

    /** Every frame received so far that nobody awaited, plus what is queued. */
    public List<JsonNode> pending() {
        List<JsonNode> out;
        synchronized (seen) {
            out = new ArrayList<>(seen);
        }
        frames.drainTo(out);
        synchronized (seen) {
            seen.clear();
            seen.addAll(out);
        }
        return out;
    }

    /** The close code the server sent, waiting up to the timeout. */
    public int awaitClose(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("not closed within " + timeout, e);
        }
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Drops the TCP connection without a close frame. */
    public void kill() {
        socket.abort();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        socket.abort();
    }

    /**
     * Receives on the JDK client's thread and hands each whole frame to {@link #frames}, where test threads wait.
     * Anything a test may read about a frame (counters, flags) is updated <em>before</em> the frame is published:
     * the waiter can run the moment it is.
     */
    static final class Listener implements WebSocket.Listener {
        final LinkedBlockingQueue<JsonNode> frames;
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final AtomicInteger binaryFrames = new AtomicInteger();
        final AtomicInteger pings = new AtomicInteger();

        Listener() {
            this(new LinkedBlockingQueue<>());
        }

        /** With the queue frames are published to (a test of this client observes the publication). */
        Listener(LinkedBlockingQueue<JsonNode> frames) {
            this.frames = frames;
        }

        private final StringBuilder text = new StringBuilder();
        private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.writeBytes(chunk);
            if (last) {
                try {
                    JsonNode frame = CBOR.readTree(binary.toByteArray());
                    // count first, then publish: a waiter woken by the frame must already see it counted
                    binaryFrames.incrementAndGet();
                    frames.add(frame);
                } catch (Exception e) {
                    throw new AssertionError("server sent invalid CBOR", e);
                }
                binary.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    frames.add(JSON.readTree(text.toString()));
                } catch (Exception e) {
                    throw new AssertionError("server sent invalid JSON: " + text, e);
                }
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, java.nio.ByteBuffer message) {
            pings.incrementAndGet();
            return WebSocket.Listener.super.onPing(webSocket, message);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }
}
