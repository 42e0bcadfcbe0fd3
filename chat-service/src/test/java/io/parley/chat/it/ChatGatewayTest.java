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
import org.junit.jupiter.api.Test;

/** The gateway on one node: the protocol, its guarantees and every bad input, with real clients. */
@QuarkusTest
@QuarkusTestResource(PlatformTestResource.class)
class ChatGatewayTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TestHTTPResource("/")
    URL base;

    private String url() {
        String text = base.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    private static String direct(long a, long b) {
        return "d:" + Math.min(a, b) + ":" + Math.max(a, b);
    }

    private static JsonNode sentFor(ChatClient client, String clientMsgId) {
        return client.await(f -> "sent".equals(f.path("type").asText()) && clientMsgId.equals(f.path("clientMsgId").asText()), WAIT);
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

    @Test
    void shouldCloseOnOversizeFrame() {
        Platform.User alice = Platform.get().newUser("phone");
        try (ChatClient a = ChatClient.connectAndSync(url(), alice.token())) {
            a.sendRaw("{\"type\":\"ping\",\"pad\":\"" + "z".repeat(70_000) + "\"}");
            assertEquals(CloseCodes.FRAME_TOO_LARGE, a.awaitClose(WAIT));
        }
    }

    @Test
    void shouldCloseClientFloodingPastItsRateLimit() {
        Platform.User alice = Platform.get().newUser("phone");
        try (ChatClient a = ChatClient.connectAndSync(url(), alice.token())) {
            for (int i = 0; i < 20_000 && !a.isClosed(); i++) {
                a.sendRaw("{\"type\":\"ping\"}");
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
            Platform.post(url() + "/api/v1/groups/" + gid + "/members", Map.of("user", late.id()), owner.token(), 204);
            o.sendToGroup(gid, "n2", "welcome");
            messageWith(l, "welcome");
        }
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
