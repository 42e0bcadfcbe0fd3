package io.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.testsupport.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Token keys rotate while users are connected: auth-service and two chat nodes read the key set from one file (as
 * they would from a mounted Secret). A new key is added: new tokens carry its kid, the open connections carry on, and
 * tokens of the old key are still accepted; the old key is retired: its tokens are refused everywhere, and still no
 * connection ends.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenKeyRotationIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String K1 = "3QjGJ3j2eF7ojUUESyDbaYRiCXgTy3rAEEyS8V2oenY=";
    private static final String K2 = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=";

    private Path keysFile;
    private Platform platform;
    private ServiceProcess node1;
    private ServiceProcess node2;

    @BeforeAll
    void start() throws Exception {
        keysFile = Files.createTempDirectory("parley-keys").resolve("token-keys.json");
        writeKeys("{\"keys\":[{\"kid\":\"k1\",\"k\":\"" + K1 + "\"}]}");
        Map<String, String> keysEnv = Map.of("PARLEY_TOKEN_KEYS_FILE", keysFile.toString(),
                "PARLEY_TOKEN_KEYS_RELOAD_INTERVAL", "200ms");
        platform = Platform.withEnv("_keys", keysEnv);
        node1 = startNode("chat-keys-1", keysEnv);
        node2 = startNode("chat-keys-2", keysEnv);
    }

    private ServiceProcess startNode(String name, Map<String, String> keysEnv) {
        Map<String, String> env = new HashMap<>(platform.chatEnv());
        env.putAll(keysEnv);
        return ServiceProcess.start(name, env);
    }

    @AfterAll
    void stop() {
        for (ServiceProcess process : new ServiceProcess[] {node1, node2,
                platform == null ? null : platform.auth(), platform == null ? null : platform.ids()}) {
            if (process != null) {
                process.close();
            }
        }
    }

    /** What a Secret volume does: the new content appears at once, whole (kubelet swaps a symlink). */
    private void writeKeys(String json) throws Exception {
        Path tmp = Files.createTempFile(keysFile.getParent(), "next", ".json");
        Files.writeString(tmp, json);
        Files.move(tmp, keysFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String kidOf(String token) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.')))).path("kid").asText(null);
    }

    private String authUrl() {
        return platform.auth().baseUrl();
    }

    private static void assertDelivered(ChatClient from, ChatClient to, long toUser, String body) {
        from.sendTo(toUser, "c-" + body, body);
        from.await(f -> "sent".equals(f.path("type").asText()) && ("c-" + body).equals(f.path("clientMsgId").asText()), WAIT);
        to.await(f -> "message".equals(f.path("type").asText()) && body.equals(f.path("body").asText()), WAIT);
    }

    @Test
    void shouldRotateKeysWithoutEndingASessionAndRefuseTokensOfARetiredKey() throws Exception {
        Platform.User alice = platform.newUser("phone");
        Platform.User bob = platform.newUser("phone");
        JsonNode aliceWeb = platform.login(alice, "web"); // their refresh tokens renew the open sockets below
        JsonNode bobWeb = platform.login(bob, "web");
        assertEquals("k1", kidOf(alice.token()));
        try (ChatClient aliceOn1 = ChatClient.connectAndSync(node1.baseUrl(), aliceWeb.get("accessToken").asText());
             ChatClient bobOn2 = ChatClient.connectAndSync(node2.baseUrl(), bobWeb.get("accessToken").asText());
             ChatClient bobInbox = ChatClient.connect(node1.baseUrl(), bob.token(), "/ws/notify", null)) {
            assertDelivered(aliceOn1, bobOn2, bob.id(), "before");

            // 1. k2 is added and active at once: auth-service seals with it as soon as it has read the file
            writeKeys("{\"keys\":[{\"kid\":\"k1\",\"k\":\"" + K1 + "\"},"
                    + "{\"kid\":\"k2\",\"k\":\"" + K2 + "\",\"activeFrom\":\"" + Instant.now() + "\"}]}");
            Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> "k2".equals(kidOf(platform.login(alice, "laptop").get("accessToken").asText())));
            // every chat node knows k2 (the file is read by all at the same interval): its tokens open sockets
            JsonNode laptop = platform.login(alice, "laptop");
            String aliceK2 = laptop.get("accessToken").asText();
            Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> ChatClient.upgradeStatus(ws(node1), aliceK2) == 101
                            && ChatClient.upgradeStatus(ws(node2), aliceK2) == 101);
            // the old key's tokens are still accepted everywhere, and nothing that was open has ended
            assertEquals(200, Platform.get(authUrl() + "/api/v1/users/me", bob.token()).statusCode());
            assertEquals(101, ChatClient.upgradeStatus(ws(node2), alice.token()));
            assertDelivered(aliceOn1, bobOn2, bob.id(), "after-k2");
            // what clients do within one token lifetime of a rotation (the JS client on "expiring"): refresh, and
            // hand the socket the new token, sealed with k2, of the same session
            for (var renewal : List.of(Map.entry(aliceOn1, aliceWeb), Map.entry(bobOn2, bobWeb))) {
                JsonNode refreshed = platform.refresh(renewal.getValue().get("refreshToken").asText(), 200);
                assertEquals("k2", kidOf(refreshed.get("accessToken").asText()));
                renewal.getKey().send(ChatClient.frame("token").put("token", refreshed.get("accessToken").asText()));
                assertEquals(refreshed.get("expiresIn").asLong(), renewal.getKey().awaitType("token").path("exp").asLong()
                        - Instant.now().getEpochSecond(), 5);
            }

            // 2. k1 retires now
            writeKeys("{\"keys\":[{\"kid\":\"k1\",\"k\":\"" + K1 + "\",\"retireAt\":\"" + Instant.now() + "\"},"
                    + "{\"kid\":\"k2\",\"k\":\"" + K2 + "\",\"activeFrom\":\"" + Instant.now().minusSeconds(60) + "\"}]}");
            Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> Platform.get(authUrl() + "/api/v1/users/me", bob.token()).statusCode() == 401);
            var refused = Platform.get(authUrl() + "/api/v1/users/me", bob.token());
            assertEquals("TOKEN_EXPIRED", JSON.readTree(refused.body()).path("code").asText(), refused.body());
            for (ServiceProcess node : List.of(node1, node2)) {
                Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                        .until(() -> ChatClient.upgradeStatus(ws(node), alice.token()) == 401);
                assertEquals(101, ChatClient.upgradeStatus(ws(node), aliceK2));
            }
            // the client's answer to TOKEN_EXPIRED: a refresh, which gives a k2 token of the same session
            assertEquals(200, Platform.get(authUrl() + "/api/v1/users/me", aliceK2).statusCode());

            // no session ended: the sockets opened with k1 tokens are open and deliver both ways (bob's inbox was never
            // renewed: it lives until its token's exp, as before the rotation)
            assertDelivered(aliceOn1, bobOn2, bob.id(), "after-retire");
            assertDelivered(bobOn2, aliceOn1, alice.id(), "reply");
            bobInbox.ping();
            assertFalse(aliceOn1.isClosed() || bobOn2.isClosed() || bobInbox.isClosed(), "no connection ended");
            assertTrue(aliceOn1.pending().stream().noneMatch(f -> "error".equals(f.path("type").asText())),
                    () -> "no error frame: " + aliceOn1.pending());
        }
    }

    private static String ws(ServiceProcess node) {
        return node.baseUrl().replace("http://", "ws://") + "/ws/chat";
    }
}
