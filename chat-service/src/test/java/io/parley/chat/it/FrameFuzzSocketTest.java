package io.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.chat.protocol.BinaryFrames;
import io.parley.chat.protocol.CloseCodes;
import io.parley.chat.protocol.FrameFuzzer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The fuzz on a live node (issue 13): two connections of one user — JSON text, and the CBOR subprotocol — send
 * {@value #DEFAULT_FRAMES} frames from {@link FrameFuzzer}, aimed at real users, a real group and real conversations.
 * Every answer is a documented {@code error} (never {@code INTERNAL}, nor {@code UNAVAILABLE}, the gateway's answer to
 * an unexpected failure) or a normal frame; a connection closes only with a documented code (an oversize frame: 4513),
 * and the fuzzer then reconnects; the node logs no ERROR. Meanwhile a neighbour — another user, in a group and a direct
 * conversation with a third — keeps chatting: every message sent to it during and after the fuzz arrives, and its
 * connection stays open. Seed: {@code -Dparley.fuzz.seed=N}; frames: {@code -Dparley.fuzz.socket-frames=N}.
 */
@QuarkusTest
@QuarkusTestResource(PlatformTestResource.class)
class FrameFuzzSocketTest {

    static final int DEFAULT_FRAMES = 10_000;
    private static final int BATCH = 100;
    private static final int MAX_FRAME_BYTES = 65_536;
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Every code an {@code error} frame of /ws/chat may carry for a client's bad or refused frame. */
    private static final Set<String> DOCUMENTED_CODES = Set.of("MALFORMED_JSON", "UNKNOWN_TYPE", "INVALID_INPUT",
            "PAYLOAD_TOO_LARGE", "FORBIDDEN", "NOT_FOUND", "RATE_LIMITED", "CONTENT_REJECTED", "EDIT_WINDOW_CLOSED",
            "LIMIT_EXCEEDED", "TOKEN_INVALID", "TOKEN_EXPIRED", "TOKEN_REVOKED");
    private static final Set<String> NORMAL_REPLIES = Set.of("sent", "synced", "pong", "subscribed", "unsubscribed",
            "token", "message", "read", "typing", "presence", "expiring");
    /** Documented closes a fuzzing connection may get (then it reconnects). */
    private static final Set<Integer> ACCEPTABLE_CLOSES = Set.of(CloseCodes.FRAME_TOO_LARGE, CloseCodes.RATE_LIMITED,
            CloseCodes.IDLE_TIMEOUT, CloseCodes.SLOW_CONSUMER, CloseCodes.RETRANSMIT_EXHAUSTED);

    @TestHTTPResource("/")
    URL base;

    private final Map<String, Integer> replies = new TreeMap<>();
    private final List<String> failures = new ArrayList<>();
    private int reconnects;
    private int markers;

    private String url() {
        return ChatClient.baseUrl(base);
    }

    private static String direct(long a, long b) {
        return "d:" + Math.min(a, b) + ":" + Math.max(a, b);
    }

    /** One fuzzing connection, replaced when the server closes it. */
    private final class FuzzConnection {
        private final String token;
        private final String subprotocol;
        private ChatClient client;

        FuzzConnection(String token, String subprotocol) {
            this.token = token;
            this.subprotocol = subprotocol;
            this.client = ChatClient.connect(url(), token, "/ws/chat", subprotocol);
        }

        void send(FrameFuzzer.Fuzzed frame) {
            String text = frame.binary() ? null : frame.sendableText();
            int bytes = frame.binary() ? frame.bytes().length : text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            try {
                if (frame.binary()) {
                    client.sendBinaryRaw(frame.bytes());
                } else {
                    client.sendRaw(text);
                }
            } catch (CompletionException closedMeanwhile) {
                // the server closed the connection: checked below
            }
            if (bytes > MAX_FRAME_BYTES) { // the documented answer to an oversize frame is close 4513
                int code = client.awaitClose(WAIT);
                if (code != CloseCodes.FRAME_TOO_LARGE) {
                    failures.add("a " + bytes + "-byte frame closed the connection with " + code + ", not 4513: " + frame);
                }
                reconnect();
            } else if (client.isClosed()) {
                closedUnexpectedly("after " + frame);
            }
        }

        /** Sends a frame the server answers with an error naming it, and checks every frame received up to that answer. */
        void settle() {
            String marker = "fuzz-marker-" + (++markers);
            try {
                client.sendRaw("{\"type\":\"" + marker + "\"}");
            } catch (CompletionException closedMeanwhile) {
                // checked below
            }
            JsonNode answer = awaitOrClosed(client, f -> f.path("message").asText().contains(marker));
            drain();
            if (answer == null) {
                closedUnexpectedly("while settling");
            }
        }

        /** Checks every frame received so far; acknowledges messages as a client does. */
        void drain() {
            for (JsonNode frame = client.poll(); frame != null; frame = client.poll()) {
                String type = frame.path("type").asText();
                if ("error".equals(type)) {
                    String code = frame.path("code").asText();
                    replies.merge("error:" + code, 1, Integer::sum);
                    if (!DOCUMENTED_CODES.contains(code) || frame.path("message").asText().isEmpty()) {
                        failures.add("an undocumented error answer: " + frame);
                    }
                } else {
                    replies.merge(type, 1, Integer::sum);
                    if (!NORMAL_REPLIES.contains(type)) {
                        failures.add("an unexpected frame: " + frame);
                    } else if ("message".equals(type) && !client.isClosed()) {
                        try {
                            client.ack(frame.get("conversation").asText(), frame.get("seq").asLong());
                        } catch (CompletionException closedMeanwhile) {
                            // checked by the caller
                        }
                    }
                }
            }
        }

        private void closedUnexpectedly(String when) {
            int code = client.awaitClose(WAIT);
            drain();
            if (!ACCEPTABLE_CLOSES.contains(code)) {
                failures.add("a fuzzing connection closed with " + code + " " + when);
            }
            reconnect();
        }

        private void reconnect() {
            client.close();
            reconnects++;
            client = ChatClient.connect(url(), token, "/ws/chat", subprotocol);
        }

        void close() {
            client.close();
        }
    }

    @Test
    void shouldAnswerEveryFuzzedFrameAsDocumentedAndKeepTheNeighbourChatting() {
        long seed = Long.getLong("parley.fuzz.seed", System.nanoTime());
        int count = Integer.getInteger("parley.fuzz.socket-frames", DEFAULT_FRAMES);
        System.out.printf("FrameFuzzSocketTest: %d frames, seed %d (replay: -Dparley.fuzz.seed=%d)%n", count, seed, seed);
        Platform.User fuzzer = Platform.get().newUser("fuzzer");
        Platform.User neighbour = Platform.get().newUser("phone");
        Platform.User third = Platform.get().newUser("phone");
        String group = Platform.post(url() + "/api/v1/groups", Map.of("name", "neighbours", "members", List.of(neighbour.id())),
                third.token(), 201).get("id").asText();
        long nobody = 9_000_000_000L + (seed & 0xfffffff); // most likely no such user: NOT_FOUND
        FrameFuzzer.Ids ids = new FrameFuzzer.Ids(
                List.of(neighbour.id(), third.id(), fuzzer.id(), nobody, 1L, 9_999_999_999L),
                List.of(group, "1", Long.toString(nobody)),
                // the neighbour's conversations (not the fuzzer's: FORBIDDEN), and ones nobody wrote in
                List.of(direct(neighbour.id(), third.id()), "g:" + group, direct(fuzzer.id(), nobody), "g:1", "d:1:2"),
                List.of(fuzzer.token(), neighbour.token(), "not-a-token"));
        FrameFuzzer generator = new FrameFuzzer(seed, ids);

        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                boolean error = record.getLevel().intValue() >= Level.SEVERE.intValue();
                boolean unexpectedFrameFailure = record.getLevel().intValue() >= Level.WARNING.intValue()
                        && record.getLoggerName() != null && record.getLoggerName().startsWith("io.parley.chat.gateway");
                if (error || unexpectedFrameFailure) {
                    logged.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        long started = System.nanoTime();
        Set<String> expected = new HashSet<>();
        Set<String> arrived = new HashSet<>();
        int neighbourMessages = 0;
        try (ChatClient near = ChatClient.connect(url(), neighbour.token(), "/ws/chat", BinaryFrames.SUBPROTOCOL);
             ChatClient far = ChatClient.connectAndSync(url(), third.token())) {
            near.send(ChatClient.frame("sync"));
            near.awaitType("synced");
            FuzzConnection text = new FuzzConnection(fuzzer.token(), null);
            FuzzConnection cbor = new FuzzConnection(fuzzer.token(), BinaryFrames.SUBPROTOCOL);
            try {
                for (int sent = 0; sent < count; sent += BATCH) {
                    for (int i = 0; i < BATCH && sent + i < count; i++) {
                        FrameFuzzer.Fuzzed frame = generator.next();
                        (frame.binary() || (i & 1) == 1 ? cbor : text).send(frame);
                    }
                    text.settle();
                    cbor.settle();
                    String body = "neighbour " + (++neighbourMessages);
                    say(far, neighbourMessages % 2 == 0 ? null : group, neighbour.id(), body);
                    expected.add(body);
                    keepUp(near, arrived, "the neighbour");
                    keepUp(far, null, "the third user");
                    assertNull(near.closeCode(), "the neighbour's connection stays open during the fuzz");
                    assertTrue(failures.size() < 20, "failures so far (seed " + seed + "): " + failures);
                }
            } finally {
                text.close();
                cbor.close();
            }
            // after the fuzz: the neighbour's chat goes on, and everything sent to it arrived
            for (int i = 0; i < 20; i++) {
                String body = "neighbour after " + i;
                say(far, i % 2 == 0 ? null : group, neighbour.id(), body);
                expected.add(body);
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!arrived.containsAll(expected) && System.nanoTime() < deadline) {
                JsonNode message = near.await(f -> "message".equals(f.path("type").asText())
                        && expected.contains(f.path("body").asText()) && !arrived.contains(f.path("body").asText()), WAIT);
                arrived.add(message.path("body").asText());
                near.ack(message.get("conversation").asText(), message.get("seq").asLong());
                keepUp(near, arrived, "the neighbour");
            }
            Set<String> missing = new HashSet<>(expected);
            missing.removeAll(arrived);
            assertEquals(Set.of(), missing, "every message to the neighbour arrived (seed " + seed + ")");
            near.ping();
            far.ping();
            assertNull(near.closeCode(), "the neighbour's connection stayed open");
        } finally {
            root.removeHandler(capture);
        }
        System.out.printf("FrameFuzzSocketTest: %d frames in %d ms, %d reconnects, %d neighbour messages, answers %s%n",
                count, (System.nanoTime() - started) / 1_000_000, reconnects, expected.size(), replies);
        assertEquals(List.of(), failures, "the fuzz broke the socket's contract (seed " + seed + ", replay with -Dparley.fuzz.seed=" + seed + ")");
        assertEquals(List.of(), logged.stream().map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()
                + (r.getThrown() == null ? "" : " " + r.getThrown())).toList(), "the node logged no ERROR during the fuzz (seed " + seed + ")");
        assertTrue(replies.getOrDefault("error:MALFORMED_JSON", 0) > 0 && replies.getOrDefault("sent", 0) > 0
                && replies.getOrDefault("error:FORBIDDEN", 0) > 0, "the fuzz reached the parser and the services behind it: " + replies);
    }

    /** The third user writes to the neighbour: in the group, or directly. */
    private static void say(ChatClient from, String group, long to, String body) {
        String clientMsgId = "n-" + body.replace(' ', '-');
        if (group != null) {
            from.sendToGroup(group, clientMsgId, body);
        } else {
            from.sendTo(to, clientMsgId, body);
        }
    }

    /**
     * What a well-behaved client does with what it received: acknowledges messages (the neighbour also gets the
     * fuzzer's direct messages) and records their bodies. Nothing it did deserves an error.
     */
    private void keepUp(ChatClient client, Set<String> bodies, String who) {
        for (JsonNode frame = client.poll(); frame != null; frame = client.poll()) {
            String type = frame.path("type").asText();
            if ("message".equals(type)) {
                if (bodies != null) {
                    bodies.add(frame.path("body").asText());
                }
                client.ack(frame.get("conversation").asText(), frame.get("seq").asLong());
            } else if ("error".equals(type)) {
                failures.add(who + " got an error: " + frame);
            }
        }
    }

    /** The first frame that matches, or {@code null} if the connection closes first; fails after {@link #WAIT}. */
    private static JsonNode awaitOrClosed(ChatClient client, Predicate<JsonNode> match) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return client.await(match, Duration.ofMillis(250));
            } catch (AssertionError notYet) {
                if (client.isClosed()) {
                    return null;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no answer within " + WAIT + " on an open connection", notYet);
                }
            }
        }
    }
}
