package io.parley.sdk.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.parley.sdk.ParleyClient;
import io.parley.sdk.it.TestPlatform.User;
import io.parley.sdk.model.Channel;
import io.parley.sdk.model.Delivery;
import io.parley.sdk.model.Notification;
import io.parley.sdk.model.ReplayReceipt;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A delivery that fails every attempt becomes a dead letter the SDK lists, and its replay delivers it: a user's real
 * webhook (a JDK HttpServer that answers the verification challenge, then 500 until told otherwise) on notify-service.
 */
class DeadLetterIT {

    @Test
    void aDeadWebhookDeliveryIsListedAndReplayedToDelivered() throws IOException {
        AtomicBoolean failing = new AtomicBoolean(true);
        AtomicInteger notifications = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            JsonNode event = TestPlatform.JSON.readTree(exchange.getRequestBody().readAllBytes());
            if (event.path("type").asText().equals("challenge")) {
                answer(exchange, 200, TestPlatform.JSON.writeValueAsString(Map.of("challenge", event.get("challenge").asText())));
            } else {
                notifications.incrementAndGet();
                answer(exchange, failing.get() ? 500 : 200, "{}");
            }
        });
        receiver.start();
        try {
            User user = TestPlatform.signUp();
            String notifyUrl = TestPlatform.platform().notifyUrl();
            TestPlatform.post(notifyUrl + "/api/v1/channels", Map.of("type", "webhook",
                    "address", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"),
                    Map.of("Authorization", "Bearer " + user.accessToken()), 201);
            await().alias("the webhook verified by its challenge").atMost(Duration.ofSeconds(30))
                    .until(() -> TestPlatform.get(notifyUrl + "/api/v1/channels", user.accessToken()).path(0)
                            .path("verified").asBoolean());

            ParleyClient parley = TestPlatform.clientOf(TestPlatform.createApp()).build();
            String id = parley.notifications().send(Notification.of(List.of(user.id()), "Invoice", "due", Channel.WEBHOOK));

            // 5 attempts, back-off from 2 s with full jitter (notify-service's defaults): dead within ~30 s
            Delivery dead = await().alias("the delivery dead after its attempts").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> parley.deliveries().dead().stream().filter(d -> d.notification().equals(id))
                            .findFirst().orElse(null), d -> d != null);
            assertEquals(user.id(), dead.user());
            assertEquals("webhook", dead.channel());
            assertEquals(5, dead.attempts());
            assertTrue(dead.lastError() != null && dead.lastError().contains("500"), dead.lastError());
            assertEquals(5, notifications.get());

            failing.set(false);
            ReplayReceipt replay = parley.deliveries().replay(dead.id());
            assertEquals(dead.id(), replay.id());
            assertEquals(Delivery.RETRYING, replay.status());
            await().alias("the replayed delivery delivered").atMost(Duration.ofSeconds(30))
                    .until(() -> parley.notifications().status(id).deliveries().get(0).status(),
                            Delivery.DELIVERED::equals);
            assertEquals(6, notifications.get());
            assertTrue(parley.deliveries().dead().stream().noneMatch(d -> d.id().equals(dead.id())));
        } finally {
            receiver.stop(0);
        }
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
