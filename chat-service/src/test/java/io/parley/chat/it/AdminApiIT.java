package io.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.chat.protocol.CloseCodes;
import io.parley.testsupport.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The operator's admin API (auth-service) as two chat nodes feel it: a user's sessions ended (4501 on every node
 * within 1 s), a user blocked from sending (refused on every node within 1 s, still receiving), an app disabled (its
 * tokens refused by every node within 1 s).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Duration WITHIN_A_SECOND = Duration.ofSeconds(1);
    private ServiceProcess node1;
    private ServiceProcess node2;

    @BeforeAll
    void startNodes() {
        node1 = ServiceProcess.start("chat-admin-1", new HashMap<>(Platform.get().chatEnv()));
        node2 = ServiceProcess.start("chat-admin-2", new HashMap<>(Platform.get().chatEnv()));
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

    private static String auth() {
        return Platform.get().auth().baseUrl();
    }

    private static JsonNode admin(String method, String path, int expectedStatus) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(auth() + path))
                .header("X-Admin-Key", "test-admin-key").method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(expectedStatus, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    @Test
    void shouldCloseEverySessionOfAUserOnEveryNodeWithinASecond() throws Exception {
        Platform.User alice = Platform.get().newUser("phone");
        String laptop = Platform.get().login(alice, "laptop").get("accessToken").asText();
        try (ChatClient phoneOn1 = ChatClient.connectAndSync(node1.baseUrl(), alice.token());
             ChatClient laptopOn2 = ChatClient.connectAndSync(node2.baseUrl(), laptop);
             ChatClient inboxOn2 = ChatClient.connect(node2.baseUrl(), alice.token(), "/ws/notify", null)) {
            inboxOn2.ping();
            long endedAt = System.nanoTime();
            assertEquals(2, admin("DELETE", "/api/v1/admin/users/" + alice.id() + "/sessions", 200).get("ended").asInt());
            for (ChatClient client : List.of(phoneOn1, laptopOn2, inboxOn2)) {
                Duration left = WITHIN_A_SECOND.minusNanos(System.nanoTime() - endedAt);
                assertEquals(CloseCodes.SESSION_ENDED, client.awaitClose(left.isNegative() ? Duration.ZERO : left));
            }
        }
        assertEquals(401, ChatClient.upgradeStatus(node1.baseUrl().replace("http", "ws") + "/ws/chat", laptop));
    }

    @Test
    void shouldRefuseABlockedUsersSendsOnEveryNodeWithinASecondAndLetThemReceive() throws Exception {
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User bob = Platform.get().newUser("phone");
        try (ChatClient aliceOn1 = ChatClient.connectAndSync(node1.baseUrl(), alice.token());
             ChatClient aliceOn2 = ChatClient.connectAndSync(node2.baseUrl(), alice.token());
             ChatClient bobOn2 = ChatClient.connectAndSync(node2.baseUrl(), bob.token())) {
            aliceOn1.sendTo(bob.id(), "before", "before");
            aliceOn1.await(sent("before"), WAIT);

            long blockedAt = System.nanoTime();
            admin("PUT", "/api/v1/admin/users/" + alice.id() + "/send-block", 200);
            for (ChatClient client : List.of(aliceOn1, aliceOn2)) {
                Duration left = WITHIN_A_SECOND.minusNanos(System.nanoTime() - blockedAt);
                Awaitility.await().atMost(left.isNegative() ? Duration.ZERO : left).pollInterval(Duration.ofMillis(20))
                        .until(() -> {
                            String ref = "probe-" + System.nanoTime();
                            client.sendTo(bob.id(), ref, "probe");
                            JsonNode answer = client.await(f -> ref.equals(f.path("clientMsgId").asText())
                                    || ref.equals(f.path("ref").asText()), WAIT);
                            return "SEND_BLOCKED".equals(answer.path("code").asText());
                        });
            }
            // still signed in, still receiving
            bobOn2.sendTo(alice.id(), "to-alice", "hello alice");
            aliceOn1.await(f -> "message".equals(f.path("type").asText()) && "hello alice".equals(f.path("body").asText()), WAIT);
            assertFalse(aliceOn1.isClosed() || aliceOn2.isClosed());

            admin("DELETE", "/api/v1/admin/users/" + alice.id() + "/send-block", 200);
            Awaitility.await().atMost(WITHIN_A_SECOND.plusSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() -> {
                String ref = "again-" + System.nanoTime();
                aliceOn2.sendTo(bob.id(), ref, "again");
                return "sent".equals(aliceOn2.await(f -> ref.equals(f.path("clientMsgId").asText())
                        || ref.equals(f.path("ref").asText()), WAIT).path("type").asText());
            });
        }
    }

    private static java.util.function.Predicate<JsonNode> sent(String clientMsgId) {
        return f -> "sent".equals(f.path("type").asText()) && clientMsgId.equals(f.path("clientMsgId").asText());
    }

    @Test
    void shouldRefuseADisabledAppsTokensOnEveryNodeWithinASecond() throws Exception {
        Platform.App app = Platform.get().newApp();
        for (ServiceProcess node : List.of(node1, node2)) {
            Platform.post(node.baseUrl() + "/api/v1/apps/" + app.id() + "/topics/news/publications",
                    Map.of("data", "up"), app.token(), 202);
        }
        long disabledAt = System.nanoTime();
        admin("POST", "/api/v1/admin/apps/" + app.id() + "/disable", 200);
        for (ServiceProcess node : List.of(node1, node2)) {
            Duration left = WITHIN_A_SECOND.minusNanos(System.nanoTime() - disabledAt);
            Awaitility.await().atMost(left.isNegative() ? Duration.ZERO : left).pollInterval(Duration.ofMillis(20))
                    .until(() -> publish(node, app) == 401);
        }
        admin("POST", "/api/v1/admin/apps/" + app.id() + "/enable", 200);
        assertEquals(401, publish(node1, app), "tokens from before the disable stay refused");
    }

    private static int publish(ServiceProcess node, Platform.App app) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/v1/apps/" + app.id()
                        + "/topics/news/publications")).header("Authorization", "Bearer " + app.token())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"data\":\"x\"}"))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
