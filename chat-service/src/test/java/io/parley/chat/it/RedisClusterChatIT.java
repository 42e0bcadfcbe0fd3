package io.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testsupport.RedisCluster;
import org.junit.jupiter.api.Test;

/**
 * The cross-node chat tests (send, group, resume, write-behind after SIGKILL) on a three-primary Redis Cluster:
 * every key of a conversation shares its bucket's hash tag, so the one-round-trip append stays on one shard;
 * fan-out uses classic pub/sub, which the cluster forwards to every node.
 */
class RedisClusterChatIT extends TwoNodeChatIT {

    @Override
    Platform platform() {
        return Platform.cluster();
    }

    @Test
    void publicationsShouldReachSubscribersThroughTheCluster() {
        Platform.App app = platform().newApp();
        Platform.User user = platform().newUser("phone");
        try (ChatClient client = ChatClient.connectAndSync(firstNode(), user.token())) {
            Platform.post(secondNode() + "/api/v1/apps/" + app.id() + "/grants",
                    java.util.Map.of("users", java.util.List.of(user.id())), app.token(), 204);
            com.fasterxml.jackson.databind.node.ObjectNode subscribe = ChatClient.frame("subscribe").put("appId", app.id());
            subscribe.putArray("topics").add("scores");
            client.send(subscribe);
            client.awaitType("subscribed");
            for (int i = 0; i < 5; i++) {
                Platform.post(secondNode() + "/api/v1/apps/" + app.id() + "/topics/scores/publications",
                        java.util.Map.of("data", "goal " + i), app.token(), 202);
            }
            for (int i = 0; i < 5; i++) {
                int n = i;
                client.await(f -> "publication".equals(f.path("type").asText())
                        && ("goal " + n).equals(f.path("data").asText()), java.time.Duration.ofSeconds(15));
            }
        }
    }

    @Test
    void conversationsShouldSpreadOverThePrimaries() {
        Platform.User sender = platform().newUser("phone");
        try (ChatClient client = ChatClient.connectAndSync(firstNode(), sender.token())) {
            for (int i = 0; i < 12; i++) {
                Platform.User peer = platform().newUser("phone");
                client.sendTo(peer.id(), "spread-" + i, "hello " + i);
                client.awaitType("sent");
            }
        }
        int holding = 0;
        for (int port : RedisCluster.shared().ports()) {
            String keys = RedisCluster.shared().command(port, "KEYS chat:{s*}:d:*:seq");
            if (keys != null && keys.startsWith("*") && Integer.parseInt(keys.substring(1)) > 0) {
                holding++;
            }
        }
        assertTrue(holding >= 2, "conversation keys on " + holding + " of 3 primaries");
    }
}
