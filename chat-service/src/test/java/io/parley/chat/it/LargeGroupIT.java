package io.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.chat.support.TestUsers;
import io.parley.common.token.AccessTokenIssuer;
import io.parley.common.token.TokenKey;
import io.parley.testsupport.ServiceProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A 5,000-member group with every member online, half on each of two nodes: each message reaches every member
 * exactly once, and crosses Redis once per message (one PUBLISH to the group channel), not once per member.
 */
class LargeGroupIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MEMBERS = Integer.getInteger("parley.it.large-group.members", 5000);
    private static final int MESSAGES = 5;
    private static ServiceProcess node1;
    private static ServiceProcess node2;
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        Map<String, String> env = new HashMap<>(Platform.get().chatEnv());
        env.put("PARLEY_CHAT_DELIVERY_RETRANSMIT_AFTER", "60S"); // a retransmission would be a legitimate duplicate
        node1 = ServiceProcess.start("group-1", env);
        node2 = ServiceProcess.start("group-2", env);
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
        if (node1 != null) {
            node1.close();
        }
        if (node2 != null) {
            node2.close();
        }
    }

    @Test
    void eachMessageShouldReachEveryOnlineMemberOnceAndCrossRedisOncePerMessage() throws Exception {
        AccessTokenIssuer issuer = new AccessTokenIssuer(TokenKey.fromBase64(Platform.TOKEN_KEY));
        List<Long> users = Platform.get().registerUsers(MEMBERS); // a group's members must exist in auth-service
        List<String> tokens = new ArrayList<>(MEMBERS);
        for (long user : users) {
            tokens.add(TestUsers.token(issuer, user));
        }
        long owner = users.get(0);
        JsonNode group = Platform.post(node1.baseUrl() + "/api/v1/groups",
                Map.of("name", "large", "members", users.subList(1, users.size())), tokens.get(0), 201);
        String gid = group.get("id").asText();
        assertEquals(MEMBERS, group.get("members").size());

        // every member online: even indexes on node 1, odd on node 2; each acknowledges what it gets
        Map<Long, Map<String, AtomicInteger>> received = new ConcurrentHashMap<>();
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(MEMBERS * 2).setConnectTimeout(30_000));
        List<WebSocket> sockets = new ArrayList<>(MEMBERS);
        AtomicInteger synced = new AtomicInteger();
        int batch = 200;
        for (int from = 0; from < MEMBERS; from += batch) {
            List<Future<WebSocket>> opening = new ArrayList<>();
            for (int i = from; i < Math.min(MEMBERS, from + batch); i++) {
                long user = users.get(i);
                URI node = URI.create((i % 2 == 0 ? node1 : node2).baseUrl());
                Map<String, AtomicInteger> mine = new ConcurrentHashMap<>();
                received.put(user, mine);
                opening.add(client.connect(new WebSocketConnectOptions().setHost(node.getHost()).setPort(node.getPort())
                        .setURI("/ws/chat").addHeader("Authorization", "Bearer " + tokens.get(i))).onSuccess(ws -> {
                            ws.textMessageHandler(text -> onFrame(ws, text, mine, synced));
                            ws.writeTextMessage("{\"type\":\"sync\"}");
                        }));
            }
            for (Future<WebSocket> f : opening) {
                sockets.add(f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> synced.get() >= MEMBERS);

        long publishesBefore = publishCalls();
        long sendStarted = System.nanoTime();
        WebSocket sender = sockets.get(0);
        for (int m = 0; m < MESSAGES; m++) {
            sender.writeTextMessage("{\"type\":\"send\",\"clientMsgId\":\"big-" + m + "\",\"to\":{\"group\":\"" + gid
                    + "\"},\"body\":\"to everyone " + m + "\"}");
        }
        int expected = (MEMBERS - 1) * MESSAGES;
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() ->
                received.entrySet().stream().filter(e -> e.getKey() != owner).mapToInt(e -> e.getValue().size()).sum() >= expected);
        long deliveredMillis = (System.nanoTime() - sendStarted) / 1_000_000;
        Thread.sleep(1000); // would-be duplicates arrive

        long publishes = publishCalls() - publishesBefore;
        for (Map.Entry<Long, Map<String, AtomicInteger>> e : received.entrySet()) {
            if (e.getKey() == owner) {
                continue; // the sender's own connection gets sent answers, not its messages
            }
            assertEquals(MESSAGES, e.getValue().size(), "member " + e.getKey() + " got " + e.getValue().keySet());
            e.getValue().forEach((id, count) -> assertEquals(1, count.get(), "message " + id + " delivered once"));
        }
        // one PUBLISH per message to the group channel (plus a little unrelated traffic), never one per member
        System.out.printf("large group: %d members online on 2 nodes, %d messages, %d deliveries in %d ms, %d PUBLISH calls%n",
                MEMBERS, MESSAGES, expected, deliveredMillis, publishes);
        assertTrue(publishes >= MESSAGES, "the PUBLISH count is measured: " + publishes);
        assertTrue(publishes < MESSAGES * 20L, publishes + " PUBLISH calls for " + MESSAGES + " messages to " + MEMBERS + " members");
        for (WebSocket ws : sockets) {
            ws.close();
        }
    }

    private static void onFrame(WebSocket ws, String text, Map<String, AtomicInteger> mine, AtomicInteger synced) {
        try {
            JsonNode frame = JSON.readTree(text);
            String type = frame.path("type").asText();
            if ("synced".equals(type)) {
                synced.incrementAndGet();
            } else if ("message".equals(type)) {
                mine.computeIfAbsent(frame.get("id").asText(), k -> new AtomicInteger()).incrementAndGet();
                ws.writeTextMessage("{\"type\":\"ack\",\"conversation\":\"" + frame.get("conversation").asText()
                        + "\",\"seq\":" + frame.get("seq").asLong() + "}");
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Redis's count of PUBLISH commands executed so far. */
    private static long publishCalls() {
        String info = Platform.get().redis().info("commandstats");
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("cmdstat_publish:")) {
                String calls = line.substring(line.indexOf("calls=") + 6);
                return Long.parseLong(calls.substring(0, calls.indexOf(',')));
            }
        }
        return 0;
    }
}
