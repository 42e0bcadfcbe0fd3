package io.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Overload shedding with the production threshold (200 ms). The other tests run with shedding far out (5 s, the
 * {@code %test} profile and the nodes started as processes), since their clients do not resend on UNAVAILABLE and a
 * busy machine must not fail them.
 */
@QuarkusTest
@QuarkusTestResource(PlatformTestResource.class)
@TestProfile(SendSheddingTest.ProductionThreshold.class)
class SendSheddingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    public static class ProductionThreshold implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.chat.limits.shed-after", "200ms");
        }
    }

    @TestHTTPResource("/")
    URL base;

    private String url() {
        return ChatClient.baseUrl(base);
    }

    private static JsonNode sentFor(ChatClient client, String clientMsgId) {
        return client.awaitSent(clientMsgId, WAIT);
    }

    /**
     * While the node's Redis replies are behind (here Redis runs a 1.5 s script), new sends are refused at once with
     * UNAVAILABLE and their clientMsgId instead of queueing; nothing of them is stored, the sends accepted before are
     * answered once Redis is back, and a refused one resent then is stored once.
     */
    @Test
    void shouldShedSendsWhileRedisRepliesAreBehindAndStoreTheirResendOnce() throws Exception {
        Platform.User alice = Platform.get().newUser("phone");
        Platform.User bob = Platform.get().newUser("phone");
        try (ChatClient client = ChatClient.connectAndSync(url(), alice.token())) {
            client.sendTo(bob.id(), "shed-warm", "before");
            sentFor(client, "shed-warm");
            CompletableFuture<String> redisBusy = CompletableFuture.supplyAsync(
                    () -> Platform.get().redis().commandArgs("EVAL", io.parley.testsupport.RedisServer.BUSY_SCRIPT, "0", "1500000"));
            List<String> written = new ArrayList<>();
            Predicate<JsonNode> shed = f -> "error".equals(f.path("type").asText())
                    && "UNAVAILABLE".equals(f.path("code").asText()) && f.path("message").asText().contains("overloaded");
            Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
                String cmid = "shed-" + written.size();
                written.add(cmid);
                client.sendTo(bob.id(), cmid, "body of " + cmid);
                return client.pending().stream().anyMatch(shed);
            });
            assertEquals(":1", redisBusy.get(WAIT.toSeconds(), TimeUnit.SECONDS));

            String refused = client.await(shed, WAIT).path("ref").asText();
            assertTrue(written.contains(refused), refused);
            for (String cmid : written) {
                if (!cmid.equals(refused)) {
                    // answered (accepted before the shedding began) or refused too: either way one answer each
                    client.await(f -> cmid.equals(f.path("clientMsgId").asText()) || cmid.equals(f.path("ref").asText()), WAIT);
                }
            }
            client.sendTo(bob.id(), refused, "body of " + refused);
            String id = sentFor(client, refused).path("id").asText();
            client.sendTo(bob.id(), refused, "body of " + refused);
            assertEquals(id, sentFor(client, refused).path("id").asText(), "the resend is stored once");
        }
    }
}
