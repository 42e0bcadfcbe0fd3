package io.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.chat.store.RedisKeys;
import io.parley.common.token.AccessTokenIssuer;
import io.parley.common.token.SessionKeys;
import io.parley.common.token.TokenClaims;
import io.parley.common.token.TokenKey;
import io.parley.testsupport.RedisServer;
import io.parley.testsupport.ServiceProcess;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Durability {@code replica}: {@code sent} only once the message is on a replica. With the replica gone the sender
 * gets UNAVAILABLE after the wait (the message is kept on the primary); when a replica is back, the resent
 * {@code clientMsgId} answers {@code sent} with the same message, stored once.
 */
class DurabilityIT {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void replicaDurabilityShouldAnswerSentOnlyOnceAReplicaHasTheMessage() {
        try (RedisServer primary = RedisServer.start()) {
            RedisServer replica = RedisServer.startReplicaOf(primary.port());
            awaitReplicaOnline(primary, 1);
            Map<String, String> env = new HashMap<>(Platform.get().chatEnv());
            env.put("QUARKUS_REDIS_HOSTS", primary.uri());
            env.put("PARLEY_CHAT_DURABILITY_LEVEL", "replica");
            env.put("PARLEY_CHAT_DURABILITY_REPLICA_TIMEOUT", "300ms");
            try (ServiceProcess node = ServiceProcess.start("durable", env)) {
                long user = ThreadLocalRandom.current().nextLong(3_000_000_000L, 9_999_999_999L);
                String token = token(primary, user);
                String self = "d:" + user + ":" + user;
                try (ChatClient client = ChatClient.connectAndSync(node.baseUrl(), token)) {
                    client.sendTo(user, "r1", "on a replica");
                    client.awaitType("sent");

                    replica.close();
                    awaitReplicaOnline(primary, 0);
                    client.sendTo(user, "r2", "replica gone");
                    JsonNode refused = client.await(f -> "error".equals(f.path("type").asText()), WAIT);
                    assertEquals("UNAVAILABLE", refused.get("code").asText());
                    assertEquals("r2", refused.get("ref").asText());

                    try (RedisServer back = RedisServer.startReplicaOf(primary.port())) {
                        awaitReplicaOnline(primary, 1);
                        // as a client does after UNAVAILABLE: resend the same clientMsgId after a pause
                        JsonNode sent = null;
                        for (int attempt = 0; attempt < 10 && sent == null; attempt++) {
                            client.sendTo(user, "r2", "replica gone");
                            JsonNode answer = client.await(f -> "sent".equals(f.path("type").asText())
                                    || "error".equals(f.path("type").asText()), WAIT);
                            sent = "sent".equals(answer.path("type").asText()) ? answer : null;
                            if (sent == null) {
                                Awaitility.await().pollDelay(Duration.ofMillis(500)).until(() -> true);
                            }
                        }
                        assertNotNull(sent, "sent once the replica is back");
                        assertEquals("r2", sent.get("clientMsgId").asText());
                        assertEquals(2, sent.get("seq").asLong(), "the resend is the message stored before, not a new one");
                        assertEquals(":2", primary.command("XLEN " + RedisKeys.log(self)));
                    }
                }
            }
        }
    }

    private static String token(RedisServer redis, long user) {
        String session = UUID.randomUUID().toString();
        redis.command("HSET " + SessionKeys.session(session) + " user " + user);
        long now = System.currentTimeMillis() / 1000;
        return new AccessTokenIssuer(TokenKey.fromBase64(Platform.TOKEN_KEY))
                .issue(TokenClaims.forUser(user, "phone", session, now, now + 900));
    }

    /** {@code replicas} connected and, if any, done with the initial sync (WAIT counts only replicas that ack). */
    private static void awaitReplicaOnline(RedisServer primary, int replicas) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            String info = primary.info("replication");
            return info.contains("connected_slaves:" + replicas) && (replicas == 0 || info.contains("state=online"));
        });
    }
}
