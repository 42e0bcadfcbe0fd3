package io.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.chat.protocol.CloseCodes;
import io.parley.common.token.SessionKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The gateway on one node: the protocol, its guarantees and every bad input, with real clients. */
@QuarkusTest
@QuarkusTestResource(PlatformTestResource.class)
class ChatGatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TestHTTPResource("/")
    URL base;

    private String url() {
        return ChatClient.baseUrl(base);
    }

    private static String direct(long a, long b) {
        return "d:" + Math.min(a, b) + ":" + Math.max(a, b);
    }

    private static JsonNode sentFor(ChatClient client, String clientMsgId) {
        return client.awaitSent(clientMsgId, WAIT);
    }

    private static JsonNode errorFor(ChatClient client, String code) {
        return client.await(f -> "error".equals(f.path("type").asText()) && code.equals(f.path("code").asText()), WAIT);
    }

    private static JsonNode messageWith(ChatClient client, String body) {
        return client.await(f -> "message".equals(f.path("type").asText()) && body.equals(f.path("body").asText()), WAIT);
    }

    private static void assertStillOpen(ChatClient client) {
        client.send(ChatClient.frame("ping"));
        client.awaitType("pong");
    }

    private long logLength(String conversation) {
        return Long.parseLong(Platform.get().redis().command("XLEN " + io.parley.chat.store.RedisKeys.log(conversation)).substring(1));
    }

    @Test
    void shouldRefuseUpgradeWithoutValidToken() {
        String ws = url().replace("http://", "ws://") + "/ws/chat";
        assertEquals(401, ChatClient.upgradeStatus(ws, null));
        assertEquals(401, ChatClient.upgradeStatus(ws, "garbage"));
        Platform.User user = Platform.get().newUser("phone");
        assertEquals(101, ChatClient.upgradeStatus(ws, user.token()));
    }

    @Test
    void shouldRefuseUpgradeWhenSessionRevoked() throws Exception {
        Platform.User user = Platform.get().newUser("phone");
        JsonNode introspected = Platform.post(authIntrospectUrl(), Map.of("token", user.token()), null, 200);
        Platform.get().redis().command("DEL " + SessionKeys.session(introspected.get("sid").asText()));
        String ws = url().replace("http://", "ws://") + "/ws/chat";
        Thread.sleep(600); // longer than the revocation cache
        assertEquals(401, ChatClient.upgradeStatus(ws, user.token()));
    }

    private static String authIntrospectUrl() {
        return Platform.get().chatConfig().get("parley.chat.auth-service-url") + "/api/v1/tokens/introspect";
    }

    @Test
    void shouldDeliverDirectMessageAfterItIsDurable() {
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User bob = Platform.get().newUser("phone");
        Platform.User aliceLaptop = Platform.get().signIn(alice, "laptop");
        try (ChatClient a = ChatClient.connectAndSync(url(), alice.token());
             ChatClient a2 = ChatClient.connectAndSync(url(), aliceLaptop.token());
             ChatClient b = ChatClient.connectAndSync(url(), bob.token())) {
            a.sendTo(bob.id(), "m1", "hello bob");
            JsonNode sent = sentFor(a, "m1");
            String conversation = direct(alice.id(), bob.id());
            assertEquals(conversation, sent.get("conversation").asText());
            assertEquals(1, sent.get("seq").asLong());
            assertEquals(34, sent.get("id").asText().length());
            assertEquals(1, logLength(conversation), "durable in the Redis stream before sent");

            JsonNode message = messageWith(b, "hello bob");
            assertEquals(sent.get("id").asText(), message.get("id").asText());
            assertEquals(1, message.get("seq").asLong());
            assertEquals(alice.id(), message.get("from").asLong());
            assertEquals(bob.id(), message.get("to").get("user").asLong());
            assertEquals("text", message.get("kind").asText());
            assertTrue(message.get("ts").asLong() > 0);

            // the sender's other device sees its own message; the sending device only gets 'sent'
            assertEquals(sent.get("id").asText(), messageWith(a2, "hello bob").get("id").asText());
            assertStillOpen(a);
            assertTrue(a.pending().stream().noneMatch(f -> "message".equals(f.path("type").asText())));
        }
    }

    @Test
    void shouldAnswerResendWithOriginalSentAndStoreOnce() {
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User bob = Platform.get().newUser("phone");
        try (ChatClient a = ChatClient.connectAndSync(url(), alice.token()); ChatClient b = ChatClient.connectAndSync(url(), bob.token())) {
            List<JsonNode> answers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                a.sendTo(bob.id(), "same-id", "only once");
                answers.add(sentFor(a, "same-id"));
            }
            assertEquals(answers.get(0), answers.get(1));
            assertEquals(answers.get(0), answers.get(2));
            messageWith(b, "only once");
            assertStillOpen(b);
            assertTrue(b.pending().stream().noneMatch(f -> "only once".equals(f.path("body").asText())), "delivered once");
            assertEquals(1, logLength(direct(alice.id(), bob.id())));
        }
    }

    @Test
    void shouldDeliverThousandMessagesInSeqOrderWithoutGaps() {
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User bob = Platform.get().newUser("phone");
        try (ChatClient a = ChatClient.connectAndSync(url(), alice.token()); ChatClient b = ChatClient.connectAndSync(url(), bob.token())) {
            for (int i = 1; i <= 1000; i++) {
                a.sendTo(bob.id(), "n" + i, "message " + i);
            }
            String conversation = direct(alice.id(), bob.id());
            Map<Long, String> idsBySeq = new java.util.HashMap<>();
            long expected = 1;
            while (expected <= 1000) {
                JsonNode message = b.await(f -> "message".equals(f.path("type").asText()), WAIT);
                long seq = message.get("seq").asLong();
                if (seq < expected) {
                    // a retransmission of something already received: same id, dropped by the client
                    assertEquals(idsBySeq.get(seq), message.get("id").asText());
                    continue;
                }
                assertEquals(expected, seq, "in order, no gap");
                assertEquals("message " + seq, message.get("body").asText());
                idsBySeq.put(seq, message.get("id").asText());
                b.ack(conversation, seq);
                expected++;
            }
            assertEquals(1000, new java.util.HashSet<>(idsBySeq.values()).size());
        }
    }

    @Test
    void shouldRetransmitUntilAcknowledged() {
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User bob = Platform.get().newUser("phone");
        try (ChatClient a = ChatClient.connectAndSync(url(), alice.token()); ChatClient b = ChatClient.connectAndSync(url(), bob.token())) {
            a.sendTo(bob.id(), "r1", "say you got it");
            JsonNode first = messageWith(b, "say you got it");
            JsonNode again = messageWith(b, "say you got it"); // retransmit-after is 1 s in tests
            assertEquals(first.get("id"), again.get("id"));
            b.ack(first.get("conversation").asText(), first.get("seq").asLong());
            assertStillOpen(b);
            b.pending(); // drain
            try {
                Thread.sleep(2500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertTrue(b.pending().stream().noneMatch(f -> "message".equals(f.path("type").asText())), "no resend after ack");
        }
    }

    /** Waits until one of the user's devices has acknowledged {@code seq} in the conversation (Redis). */
    private static void awaitAckedCursor(long user, String conversation, long seq) {
        String highestAcked = "\"local top = 0 for _, key in ipairs(redis.call('KEYS', ARGV[1])) do "
                + "top = math.max(top, tonumber(redis.call('HGET', key, ARGV[2]) or '0')) end return top\"";
        String command = "EVAL " + highestAcked + " 0 \"" + io.parley.chat.store.RedisKeys.deviceAcked(user, "*")
                + "\" " + conversation;
        org.awaitility.Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> (":" + seq).equals(Platform.get().redis().command(command)));
    }

    @Test
    void shouldReplayMissedMessagesOnSync() {
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User bob = Platform.get().newUser("phone");
        String conversation = direct(alice.id(), bob.id());
        try (ChatClient a = ChatClient.connectAndSync(url(), alice.token())) {
            for (int i = 1; i <= 5; i++) {
                a.sendTo(bob.id(), "s" + i, "while away " + i);
                sentFor(a, "s" + i);
            }
        }
        try (ChatClient b = ChatClient.connectAndSync(url(), bob.token())) {
            b.send(ChatClient.frame("sync"));
            for (int seq = 1; seq <= 5; seq++) {
                assertEquals(seq, b.await(f -> "message".equals(f.path("type").asText()), WAIT).get("seq").asLong());
            }
            b.awaitType("synced");
            b.ack(conversation, 3);
        }
        // the ack is stored when the connection closes (or within a second), asynchronously: a connection that synced
        // before would be sent 1-5 again by its connect-time sync
        awaitAckedCursor(bob.id(), conversation, 3);
        try (ChatClient b = ChatClient.connectAndSync(url(), bob.token())) {
            ObjectNode sync = ChatClient.frame("sync");
            sync.putObject("cursors").put(conversation, 3);
            b.send(sync);
            assertEquals(4, b.await(f -> "message".equals(f.path("type").asText()), WAIT).get("seq").asLong());
            assertEquals(5, b.await(f -> "message".equals(f.path("type").asText()), WAIT).get("seq").asLong());
            b.awaitType("synced");
            // without cursors, the device resumes after what it acknowledged (3)
            b.send(ChatClient.frame("sync"));
            assertEquals(4, b.await(f -> "message".equals(f.path("type").asText()), WAIT).get("seq").asLong());
        }
    }

    @Test
    void shouldAnswerBadFramesWithErrorsAndKeepTheConnection() {
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User bob = Platform.get().newUser("phone");
        try (ChatClient a = ChatClient.connectAndSync(url(), alice.token()); ChatClient b = ChatClient.connectAndSync(url(), bob.token())) {
            a.sendRaw("{not json");
            errorFor(a, "MALFORMED_JSON");
            a.sendRaw("{\"type\":\"dance\"}");
            errorFor(a, "UNKNOWN_TYPE");
            a.sendRaw("{\"type\":\"send\",\"clientMsgId\":\"x1\",\"body\":\"no recipient\"}");
            assertEquals("x1", errorFor(a, "INVALID_INPUT").get("ref").asText());
            a.sendRaw("{\"type\":\"send\",\"clientMsgId\":\"x2\",\"to\":{\"user\":" + bob.id() + "}}");
            assertEquals("x2", errorFor(a, "INVALID_INPUT").get("ref").asText());
            a.sendTo(bob.id(), "x3", "y".repeat(4001));
            assertEquals("x3", errorFor(a, "PAYLOAD_TOO_LARGE").get("ref").asText());
            a.sendTo(9_999_999_998L, "x4", "to nobody");
            assertEquals("x4", errorFor(a, "NOT_FOUND").get("ref").asText());
            a.sendToGroup("123456789", "x5", "to a group I am not in");
            JsonNode groupError = a.await(f -> "error".equals(f.path("type").asText()) && "x5".equals(f.path("ref").asText()), WAIT);
            assertTrue(List.of("FORBIDDEN", "NOT_FOUND").contains(groupError.get("code").asText()), groupError.toString());
            a.sendRaw("{\"type\":\"ack\",\"conversation\":\"nonsense\",\"seq\":1}");
            errorFor(a, "INVALID_INPUT");
            assertStillOpen(a);
            // nothing stored, and bob saw nothing
            assertEquals(0, logLength(direct(alice.id(), bob.id())));
            assertStillOpen(b);
            assertTrue(b.pending().stream().noneMatch(f -> "message".equals(f.path("type").asText())));
        }
    }

    @jakarta.inject.Inject
    io.parley.common.token.AccessTokenIssuer issuer;

    @Test
    void shouldCloseEveryConnectionOfALoggedOutSessionWithinASecond() {
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User laptop = Platform.get().signIn(alice, "laptop");
        try (ChatClient chat1 = ChatClient.connectAndSync(url(), alice.token());
             ChatClient chat2 = ChatClient.connectAndSync(url(), alice.token());
             ChatClient inbox = ChatClient.connect(url(), alice.token(), "/ws/notify", null);
             ChatClient other = ChatClient.connectAndSync(url(), laptop.token())) {
            inbox.ping();
            Platform.get().logout(alice.token());
            long loggedOut = System.nanoTime();
            for (ChatClient client : List.of(chat1, chat2, inbox)) {
                Duration left = Duration.ofSeconds(1).minusNanos(System.nanoTime() - loggedOut);
                assertEquals(CloseCodes.SESSION_ENDED, client.awaitClose(left.isNegative() ? Duration.ZERO : left),
                        "closed with 4501 within 1 s of the logout");
            }
            assertStillOpen(other); // the user's other session is not touched
        }
    }

    @Test
    void shouldCloseTheConnectionsOfASessionRevokedByRefreshTokenReuse() {
        Platform.User alice = Platform.get().newUser("phone");
        JsonNode tablet = Platform.get().login(alice, "tablet");
        String stolen = tablet.get("refreshToken").asText();
        try (ChatClient chat = ChatClient.connectAndSync(url(), tablet.get("accessToken").asText())) {
            Platform.get().refresh(stolen, 200);
            assertStillOpen(chat); // a refresh keeps the session
            Platform.get().refresh(stolen, 401); // reuse: the session is revoked
            long revoked = System.nanoTime();
            assertEquals(CloseCodes.SESSION_ENDED, chat.awaitClose(Duration.ofSeconds(1)));
            assertTrue(System.nanoTime() - revoked < Duration.ofSeconds(1).toNanos());
        }
    }

    @Test
    void shouldCloseAtTokenExpiryUnlessAFreshTokenWasPresented() {
        long user = io.parley.chat.support.TestUsers.newUserId();
        String sid = java.util.UUID.randomUUID().toString();
        Platform.get().redis().command("HSET " + SessionKeys.session(sid) + " user " + user);
        long now = System.currentTimeMillis() / 1000;
        // long enough for three upgrades on a busy machine, short enough to wait for
        String shortLived = issuer.issue(io.parley.common.token.TokenClaims.forUser(user, "phone", sid, now, now + 10));
        String fresh = issuer.issue(io.parley.common.token.TokenClaims.forUser(user, "phone", sid, now, now + 600));
        String otherSession = issuer.issue(io.parley.common.token.TokenClaims.forUser(user, "phone", "another", now, now + 600));
        try (ChatClient expiring = ChatClient.connectAndSync(url(), shortLived);
             ChatClient renewed = ChatClient.connectAndSync(url(), shortLived);
             ChatClient inbox = ChatClient.connect(url(), shortLived, "/ws/notify", null)) {
            // told ahead (refresh-ahead is longer than the token's life here)
            assertEquals(now + 10, expiring.awaitType("expiring").get("exp").asLong());
            renewed.awaitType("expiring");
            // a token of another session is refused; the connection keeps its expiry
            renewed.send(ChatClient.frame("token").put("token", otherSession));
            errorFor(renewed, "TOKEN_INVALID");
            renewed.send(ChatClient.frame("token").put("token", fresh));
            assertEquals(now + 600, renewed.awaitType("token").get("exp").asLong());
            assertEquals(CloseCodes.SESSION_ENDED, expiring.awaitClose(Duration.ofSeconds(30)));
            assertEquals(CloseCodes.SESSION_ENDED, inbox.awaitClose(Duration.ofSeconds(30)));
            assertTrue(System.currentTimeMillis() / 1000 >= now + 10, "closed at expiry, not before");
            assertStillOpen(renewed); // past the first token's expiry, on the fresh one
        }
    }

    @Test
    void shouldClampAReadPastTheLastSeq() throws Exception {
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User bob = Platform.get().newUser("phone");
        String conversation = direct(alice.id(), bob.id());
        try (ChatClient a = ChatClient.connectAndSync(url(), alice.token()); ChatClient b = ChatClient.connectAndSync(url(), bob.token())) {
            a.sendTo(bob.id(), "r1", "one");
            sentFor(a, "r1");
            a.sendTo(bob.id(), "r2", "two");
            sentFor(a, "r2");
            b.send(ChatClient.frame("read").put("conversation", conversation).put("seq", 999_999_999L));
            JsonNode read = a.await(f -> "read".equals(f.path("type").asText()), WAIT);
            assertEquals(2, read.get("seq").asLong(), "the receipt names the last seq, not the one sent: " + read);
            // and the cursor stopped there: the next message is unread
            a.sendTo(bob.id(), "r3", "three");
            sentFor(a, "r3");
            JsonNode list = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Platform.get(url() + "/api/v1/conversations", bob.token()).body());
            JsonNode entry = null;
            for (JsonNode c : list.get("conversations")) {
                if (conversation.equals(c.get("id").asText())) {
                    entry = c;
                }
            }
            assertEquals(1, entry.get("unread").asLong(), entry.toString());
        }
    }

    @Test
    void shouldAnswerAnAckOutsideTheCallersConversationsWithForbidden() {
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User bob = Platform.get().newUser("phone");
        Platform.User carol = Platform.get().newUser("phone");
        try (ChatClient b = ChatClient.connectAndSync(url(), bob.token())) {
            b.ack(direct(alice.id(), carol.id()), 1);
            errorFor(b, "FORBIDDEN");
            b.send(ChatClient.frame("ack").put("conversation", "g:123456789").put("seq", 1));
            errorFor(b, "FORBIDDEN");
            assertStillOpen(b);
        }
    }

    @Test
    void shouldServeTheChatPageWithSecurityHeadersAndNoInlineCode() throws Exception {
        for (String path : new String[] {"/", "/chat.js", "/parley-client.js"}) {
            java.net.http.HttpResponse<String> page = Platform.get(url() + path, null);
            assertEquals(200, page.statusCode(), path);
            String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(csp.contains("frame-ancestors 'none'"), path + ": " + csp);
            assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), csp);
            assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(null), path);
            assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(null), path);
            // revalidated on every load, so an upgraded page never runs beside cached old modules
            String cache = page.headers().firstValue("Cache-Control").orElse("");
            assertTrue(cache.contains("max-age=0"), path + ": Cache-Control " + cache);
        }
        String html = Platform.get(url() + "/", null).body();
        // the policy allows no inline code, so the page must have none (or it would not run)
        assertFalse(java.util.regex.Pattern.compile("<script(?![^>]*\\ssrc=)[^>]*>").matcher(html).find(), "inline <script>");
        assertFalse(html.contains("<style"), "inline <style>");
        assertFalse(java.util.regex.Pattern.compile("\\son[a-z]+=").matcher(html).find(), "inline event handler");
        assertEquals(200, Platform.get(url() + "/chat.css", null).statusCode());
    }

    @Test
    void shouldCloseOnOversizeFrame() {
        Platform.User alice = Platform.get().newUser("phone");
        try (ChatClient a = ChatClient.connectAndSync(url(), alice.token())) {
            a.sendRaw("{\"type\":\"ping\",\"pad\":\"" + "z".repeat(70_000) + "\"}");
            assertEquals(CloseCodes.FRAME_TOO_LARGE, a.awaitClose(WAIT));
        }
    }

    @Test
    void shouldCloseEveryOversizeFrameWith4513AndLogNoError() {
        Platform.User alice = Platform.get().newUser("phone");
        String big = "{\"type\":\"ping\",\"pad\":\"" + "z".repeat(300_000) + "\"}";
        List<java.util.logging.LogRecord> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
                    errors.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        try {
            // past the socket layer's 128 KiB message cap: whole, fragmented, binary; and on /ws/notify
            try (ChatClient a = ChatClient.connectAndSync(url(), alice.token())) {
                a.sendFragmented(big, Integer.MAX_VALUE); // one frame
                assertEquals(CloseCodes.FRAME_TOO_LARGE, a.awaitClose(WAIT), "one 300 KB frame");
            }
            try (ChatClient a = ChatClient.connectAndSync(url(), alice.token())) {
                a.sendFragmented(big, 16_384);
                assertEquals(CloseCodes.FRAME_TOO_LARGE, a.awaitClose(WAIT), "300 KB in 16 KB fragments");
            }
            try (ChatClient a = ChatClient.connectAndSync(url(), alice.token())) {
                a.sendFragmented("{\"type\":\"ping\",\"pad\":\"" + "z".repeat(100_000) + "\"}", 8_192);
                assertEquals(CloseCodes.FRAME_TOO_LARGE, a.awaitClose(WAIT), "100 KB in fragments: the app's own limit");
            }
            try (ChatClient a = ChatClient.connect(url(), alice.token(), "/ws/chat", "parley.cbor.v1")) {
                a.sendBinaryRaw(new byte[400_000]);
                assertEquals(CloseCodes.FRAME_TOO_LARGE, a.awaitClose(WAIT), "one 400 KB binary frame");
            }
            try (ChatClient n = ChatClient.connect(url(), alice.token(), "/ws/notify", null)) {
                n.sendFragmented(big, 32_768);
                assertEquals(CloseCodes.FRAME_TOO_LARGE, n.awaitClose(WAIT), "/ws/notify, fragmented");
            }
            try (ChatClient n = ChatClient.connect(url(), alice.token(), "/ws/notify", null)) {
                n.sendFragmented(big, Integer.MAX_VALUE); // one frame
                assertEquals(CloseCodes.FRAME_TOO_LARGE, n.awaitClose(WAIT), "/ws/notify, whole");
            }
            // the node is fine: a new connection works
            try (ChatClient a = ChatClient.connectAndSync(url(), alice.token())) {
                assertStillOpen(a);
            }
        } finally {
            root.removeHandler(capture);
        }
        assertEquals(List.of(), errors.stream().map(r -> r.getLoggerName() + ": " + r.getMessage()).toList(),
                "no ERROR logged for oversize frames");
    }

    @Test
    void shouldTimeOutAndBoundHalfOpenUpgradeRequests() throws Exception {
        // test profile: parley.http.header-timeout=4s, parley.http.max-half-open=30
        java.net.URI uri = java.net.URI.create(url());
        List<java.net.Socket> slow = new ArrayList<>();
        try {
            long opened = System.nanoTime();
            for (int i = 0; i < 40; i++) {
                java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort());
                socket.setSoTimeout(50);
                socket.getOutputStream().write(("GET /ws/chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                slow.add(socket);
            }
            // past the bound: closed as they arrive, long before the deadline
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> slow.stream().filter(ChatGatewayTest::closedByServer).count() >= 10);
            assertTrue(System.nanoTime() - opened < Duration.ofSeconds(3).toNanos(), "refused at once, not timed out");
            // the rest trickle a header line now and then (which resets any idle timeout): closed at the deadline
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300))
                    .until(() -> {
                        for (java.net.Socket socket : slow) {
                            try {
                                socket.getOutputStream().write("X-Slow: 1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                            } catch (java.io.IOException e) {
                                // closed
                            }
                        }
                        return slow.stream().allMatch(ChatGatewayTest::closedByServer);
                    });
        } finally {
            for (java.net.Socket socket : slow) {
                socket.close();
            }
        }
        // the node still takes complete upgrades
        Platform.User alice = Platform.get().newUser("phone");
        try (ChatClient a = ChatClient.connectAndSync(url(), alice.token())) {
            assertStillOpen(a);
        }
    }

    /** True once the server closed the socket (end of stream or reset); false while it is open and silent. */
    private static boolean closedByServer(java.net.Socket socket) {
        if (socket.isClosed()) {
            return true;
        }
        try {
            return socket.getInputStream().read() == -1;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.io.IOException e) {
            return true;
        }
    }

    @Test
    void shouldCloseClientFloodingPastItsRateLimit() {
        Platform.User alice = Platform.get().newUser("phone");
        // acks of one of her conversations: taken on the ack fast path, so the node reads them far faster than the
        // limit (5,000/s in tests) even on a busy machine — pings through websockets-next could be read slower than
        // the limit allows, and the flood would never exceed it
        String conversation = "d:" + alice.id() + ":" + (alice.id() + 1);
        try (ChatClient a = ChatClient.connectAndSync(url(), alice.token())) {
            for (int i = 0; i < 100_000 && !a.isClosed(); i++) {
                try {
                    a.sendRaw("{\"type\":\"ack\",\"conversation\":\"" + conversation + "\",\"seq\":" + i + "}");
                } catch (CompletionException e) {
                    break; // the server closed the socket between the check and this send ("Output closed"): the close says why
                }
            }
            assertEquals(CloseCodes.RATE_LIMITED, a.awaitClose(WAIT));
        }
    }

    @Test
    void shouldDeliverLiveToMembersAddedWhileConnected() {
        Platform.User owner = Platform.get().newUser("phone");
        Platform.User member = Platform.get().newUser("phone");
        Platform.User late = Platform.get().newUser("phone");
        try (ChatClient o = ChatClient.connectAndSync(url(), owner.token());
             ChatClient m = ChatClient.connectAndSync(url(), member.token());
             ChatClient l = ChatClient.connectAndSync(url(), late.token())) {
            String gid = Platform.post(url() + "/api/v1/groups",
                    Map.of("name", "new", "members", List.of(member.id())), owner.token(), 201).get("id").asText();
            o.sendToGroup(gid, "n1", "first words");
            sentFor(o, "n1");
            messageWith(m, "first words");
            assertTrue(membership(m, gid).get("joined").asBoolean(), "a member is told of the group it was put in");
            assertTrue(membership(o, gid).get("joined").asBoolean(), "and so is its creator's connection");
            Platform.post(url() + "/api/v1/groups/" + gid + "/members", Map.of("user", late.id()), owner.token(), 204);
            assertTrue(membership(l, gid).get("joined").asBoolean(), "the new member is told before any message");
            o.sendToGroup(gid, "n2", "welcome");
            messageWith(l, "welcome");
            assertEquals(204, Platform.delete(url() + "/api/v1/groups/" + gid + "/members/" + late.id(), late.token()));
            assertFalse(membership(l, gid).get("joined").asBoolean(), "and told when it left");
        }
    }

    private static JsonNode membership(ChatClient client, String gid) {
        return client.await(f -> "membership".equals(f.path("type").asText()) && gid.equals(f.path("group").asText()), WAIT);
    }

    @Test
    void shouldDeliverGroupMessagesToMembersOnly() {
        Platform.User owner = Platform.get().newUser("phone");
        Platform.User member = Platform.get().newUser("phone");
        Platform.User outsider = Platform.get().newUser("phone");
        JsonNode group = Platform.post(url() + "/api/v1/groups",
                Map.of("name", "team", "members", List.of(member.id())), owner.token(), 201);
        String gid = group.get("id").asText();
        try (ChatClient o = ChatClient.connectAndSync(url(), owner.token());
             ChatClient m = ChatClient.connectAndSync(url(), member.token());
             ChatClient x = ChatClient.connectAndSync(url(), outsider.token())) {
            o.sendToGroup(gid, "g1", "hello team");
            JsonNode sent = sentFor(o, "g1");
            assertEquals("g:" + gid, sent.get("conversation").asText());
            JsonNode message = messageWith(m, "hello team");
            assertEquals(gid, message.get("to").get("group").asText());
            x.sendToGroup(gid, "g2", "let me in");
            assertEquals("g2", errorFor(x, "FORBIDDEN").get("ref").asText());
            assertStillOpen(m);
            assertFalse(m.pending().stream().anyMatch(f -> "let me in".equals(f.path("body").asText())));
        }
    }
}
