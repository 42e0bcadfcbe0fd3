package io.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.chat.protocol.CloseCodes;
import io.parley.testsupport.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import io.parley.chat.store.RedisKeys;

/**
 * Two chat-service nodes (packaged jars, separate processes) sharing one Redis and one MariaDB: delivery
 * across nodes, resume on the other node after a dropped socket, and write-behind that survives a node
 * killed with SIGKILL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoNodeChatIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(15);
    private ServiceProcess node1;
    private ServiceProcess node2;

    String firstNode() {
        return node1.baseUrl();
    }

    String secondNode() {
        return node2.baseUrl();
    }

    /** The platform the nodes run on: one Redis server here, a Redis Cluster in {@link RedisClusterChatIT}. */
    Platform platform() {
        return Platform.get();
    }

    @BeforeAll
    void startNodes() {
        node1 = startNode("chat-1");
        node2 = startNode("chat-2");
    }

    ServiceProcess startNode(String name) {
        Map<String, String> env = new HashMap<>(platform().chatEnv());
        env.put("PARLEY_CHAT_PERSISTENCE_HOT_MESSAGES", "5");
        env.put("PARLEY_CHAT_PERSISTENCE_CLAIM_IDLE", "3S");
        env.put("PARLEY_CHAT_LIMITS_FRAMES_PER_SECOND", "5000");
        env.put("PARLEY_CHAT_LIMITS_FRAME_BURST", "5000");
        return ServiceProcess.start(name, env);
    }

    @AfterAll
    void stopNodes() {
        if (node1 != null) {
            node1.close();
        }
        if (node2 != null) {
            node2.close();
        }
    }

    @Test
    void shouldCloseAnEndedSessionsConnectionsOnEveryNodeWithinASecond() {
        Platform.User alice = platform().newUser("phone");
        try (ChatClient onFirst = ChatClient.connectAndSync(firstNode(), alice.token());
             ChatClient onSecond = ChatClient.connectAndSync(secondNode(), alice.token());
             ChatClient inboxOnSecond = ChatClient.connect(secondNode(), alice.token(), "/ws/notify", null)) {
            inboxOnSecond.ping();
            platform().logout(alice.token());
            assertClosedWithSessionEndedWithinASecond(System.nanoTime(), onFirst, onSecond, inboxOnSecond);
        }
    }

    /** Every client gets 4501 within 1 s of {@code endedAtNanos} (one deadline for all, not a second each). */
    private static void assertClosedWithSessionEndedWithinASecond(long endedAtNanos, ChatClient... clients) {
        for (ChatClient client : clients) {
            Duration left = Duration.ofSeconds(1).minusNanos(System.nanoTime() - endedAtNanos);
            assertEquals(CloseCodes.SESSION_ENDED, client.awaitClose(left.isNegative() ? Duration.ZERO : left),
                    "4501 within 1 s on every node");
        }
    }

    /** A deleted account's sessions all end: every connection of every device, on every node, gets 4501 within 1 s. */
    @Test
    void shouldCloseADeletedUsersConnectionsOnEveryNodeWithinASecond() throws Exception {
        Platform.User alice = platform().newUser("phone");
        String laptop = platform().login(alice, "laptop").get("accessToken").asText();
        try (ChatClient phoneOnFirst = ChatClient.connectAndSync(firstNode(), alice.token());
             ChatClient laptopOnSecond = ChatClient.connectAndSync(secondNode(), laptop);
             ChatClient inboxOnFirst = ChatClient.connect(firstNode(), laptop, "/ws/notify", null)) {
            inboxOnFirst.ping();
            String auth = platform().chatEnv().get("PARLEY_CHAT_AUTH_SERVICE_URL");
            HttpResponse<String> deleted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(auth + "/api/v1/users/me"))
                    .header("Authorization", "Bearer " + alice.token()).header("Content-Type", "application/json")
                    .method("DELETE", HttpRequest.BodyPublishers.ofString(
                            JSON.writeValueAsString(Map.of("password", "password-" + alice.username()))))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, deleted.statusCode(), deleted.body());
            assertClosedWithSessionEndedWithinASecond(System.nanoTime(), phoneOnFirst, laptopOnSecond, inboxOnFirst);
        }
    }

    /**
     * Live delivery starts with the upgrade: a member that connects and sends nothing gets a group message and a
     * direct message sent right after its 101 — on a node that has no other member of the group (so it subscribes
     * afresh each time) and on the sender's node — without any sync.
     */
    @Test
    void shouldDeliverLiveMessagesSentRightAfterTheUpgrade() {
        Platform.User alice = platform().newUser("phone");
        Platform.User bob = platform().newUser("phone");
        JsonNode group = Platform.post(node1.baseUrl() + "/api/v1/groups",
                Map.of("name", "right after", "members", List.of(bob.id())), alice.token(), 201);
        String gid = group.get("id").asText();
        try (ChatClient sender = ChatClient.connectAndSync(node1.baseUrl(), alice.token())) {
            for (int round = 0; round < 20; round++) {
                String node = round % 2 == 0 ? node2.baseUrl() : node1.baseUrl();
                String toGroup = "group right after upgrade " + round;
                String toBob = "direct right after upgrade " + round;
                try (ChatClient fresh = ChatClient.connect(node, bob.token())) {
                    sender.sendToGroup(gid, "g-" + round, toGroup);
                    sender.sendTo(bob.id(), "d-" + round, toBob);
                    fresh.await(f -> isMessage(f) && toGroup.equals(f.path("body").asText()), WAIT);
                    fresh.await(f -> isMessage(f) && toBob.equals(f.path("body").asText()), WAIT);
                }
            }
        }
    }

    private static String direct(long a, long b) {
        return "d:" + Math.min(a, b) + ":" + Math.max(a, b);
    }

    private static boolean isMessage(JsonNode f) {
        return "message".equals(f.path("type").asText());
    }

    @Test
    void shouldDeliverDirectAndGroupMessagesAcrossNodes() {
        Platform.User alice = platform().newUser("phone");
        Platform.User bob = platform().newUser("phone");
        Platform.User carol = platform().newUser("phone");
        JsonNode group = Platform.post(node1.baseUrl() + "/api/v1/groups",
                Map.of("name", "across", "members", List.of(bob.id(), carol.id())), alice.token(), 201);
        String gid = group.get("id").asText();
        try (ChatClient a = ChatClient.connectAndSync(node1.baseUrl(), alice.token());
             ChatClient b = ChatClient.connectAndSync(node2.baseUrl(), bob.token());
             ChatClient c = ChatClient.connectAndSync(node1.baseUrl(), carol.token())) {
            a.sendTo(bob.id(), "d1", "node1 to node2");
            JsonNode message = b.await(f -> isMessage(f) && "node1 to node2".equals(f.path("body").asText()), WAIT);
            assertEquals(alice.id(), message.get("from").asLong());
            b.sendTo(alice.id(), "d2", "node2 to node1");
            a.await(f -> isMessage(f) && "node2 to node1".equals(f.path("body").asText()), WAIT);

            b.sendToGroup(gid, "g1", "to the group from node2");
            a.await(f -> isMessage(f) && "to the group from node2".equals(f.path("body").asText()), WAIT);
            c.await(f -> isMessage(f) && "to the group from node2".equals(f.path("body").asText()), WAIT);
            b.awaitType("sent");
        }
    }

    @Test
    void shouldResumeOnTheOtherNodeWithEveryMessageExactlyOnce() throws Exception {
        Platform.User alice = platform().newUser("phone");
        Platform.User bob = platform().newUser("phone");
        String conversation = direct(alice.id(), bob.id());
        int total = 300;
        Set<Long> received = new TreeSet<>();
        long cursor;
        try (ChatClient a = ChatClient.connectAndSync(node1.baseUrl(), alice.token())) {
            ChatClient b = ChatClient.connectAndSync(node1.baseUrl(), bob.token());
            for (int i = 1; i <= 100; i++) {
                a.sendTo(bob.id(), "k" + i, "part one " + i);
            }
            for (int i = 0; i < 100; i++) {
                JsonNode m = b.await(TwoNodeChatIT::isMessage, WAIT);
                assertTrue(received.add(m.get("seq").asLong()), "no duplicate before the drop");
            }
            cursor = received.stream().mapToLong(Long::longValue).max().orElse(0);
            b.kill(); // no close frame
            for (int i = 101; i <= total; i++) {
                a.sendTo(bob.id(), "k" + i, "part two " + i);
            }
            for (int i = 101; i <= total; i++) {
                String id = "k" + i;
                a.await(f -> "sent".equals(f.path("type").asText()) && id.equals(f.path("clientMsgId").asText()), WAIT);
            }
        }
        try (ChatClient b = ChatClient.connect(node2.baseUrl(), bob.token())) {
            ObjectNode sync = ChatClient.frame("sync");
            sync.putObject("cursors").put(conversation, cursor);
            b.send(sync);
            Set<String> ids = new HashSet<>();
            while (true) {
                JsonNode f = b.await(x -> isMessage(x) || "synced".equals(x.path("type").asText()), WAIT);
                if ("synced".equals(f.path("type").asText())) {
                    break;
                }
                long seq = f.get("seq").asLong();
                assertTrue(seq > cursor, "nothing at or below the cursor is replayed: " + seq);
                assertTrue(ids.add(f.get("id").asText()), "each message once");
                received.add(seq);
            }
            b.ack(conversation, total);
        }
        assertEquals(total, received.size());
        assertEquals(1L, ((TreeSet<Long>) received).first());
        assertEquals((long) total, ((TreeSet<Long>) received).last());
    }

    @Test
    void shouldServeHistoryFromMysqlAfterWriteBehindAndSurviveAKilledNode() throws Exception {
        Platform.User alice = platform().newUser("phone");
        Platform.User bob = platform().newUser("phone");
        Platform.User eve = platform().newUser("phone");
        String conversation = direct(alice.id(), bob.id());
        int total = 400;
        ServiceProcess victim = startNode("chat-victim");
        try (ChatClient a = ChatClient.connectAndSync(victim.baseUrl(), alice.token())) {
            for (int i = 1; i <= total; i++) {
                a.sendTo(bob.id(), "h" + i, "kept " + i);
            }
            for (int i = 1; i <= total; i++) {
                String id = "h" + i;
                a.await(f -> "sent".equals(f.path("type").asText()) && id.equals(f.path("clientMsgId").asText()), WAIT);
            }
            victim.crash(); // SIGKILL, possibly mid-batch: its pending entries are claimed by the others
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            String persisted = platform().redisCommand("GET " + RedisKeys.persisted(conversation));
            assertEquals(String.valueOf(total), persisted, "MySQL holds every message");
        });
        // The Redis log keeps only the 5 most recent; the rest must come from MySQL.
        String length = platform().redisCommand("XLEN " + RedisKeys.log(conversation));
        assertTrue(Long.parseLong(length.substring(1)) <= 5, "log trimmed below what MySQL holds: " + length);
        Set<Long> seqs = new HashSet<>();
        Long before = null;
        while (true) {
            String url = node2.baseUrl() + "/api/v1/conversations/" + conversation + "/messages?limit=200"
                    + (before == null ? "" : "&beforeSeq=" + before);
            HttpResponse<String> response = Platform.get(url, bob.token());
            assertEquals(200, response.statusCode(), response.body());
            JsonNode page = JSON.readTree(response.body()).get("messages");
            if (page.isEmpty()) {
                break;
            }
            for (JsonNode m : page) {
                assertTrue(seqs.add(m.get("seq").asLong()), "no duplicate in history");
                before = m.get("seq").asLong();
            }
        }
        assertEquals(total, seqs.size(), "every message in history exactly once");
        assertEquals(403, Platform.get(node2.baseUrl() + "/api/v1/conversations/" + conversation + "/messages", eve.token())
                .statusCode());
    }
}
