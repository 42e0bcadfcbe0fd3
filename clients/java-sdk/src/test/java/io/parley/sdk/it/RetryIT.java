package io.parley.sdk.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.parley.sdk.ParleyClient;
import io.parley.sdk.error.ErrorCodes;
import io.parley.sdk.error.ParleyConnectionException;
import io.parley.sdk.error.RateLimitedException;
import io.parley.sdk.error.ServerException;
import io.parley.sdk.model.AccessState;
import io.parley.sdk.model.InAppNotification;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retries against a real HTTP peer started here in chat-service's place (JDK HttpServer) that answers each request
 * with the next scripted status — 429 with Retry-After, 503 — while tokens come from the real auth-service.
 */
class RetryIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One scripted answer. */
    private record Answer(int status, String retryAfter, String body) {
    }

    /** One request the peer saw. */
    private record Seen(String method, String path, String body, String authorization, long atNanos) {
    }

    private HttpServer peer;
    private final Deque<Answer> script = new ArrayDeque<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private ParleyClient.Builder client;

    @BeforeEach
    void startPeer() throws IOException {
        peer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        peer.createContext("/", this::answer);
        peer.start();
        client = TestPlatform.clientOf(TestPlatform.createApp())
                .chatUrl("http://127.0.0.1:" + peer.getAddress().getPort())
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50));
    }

    @AfterEach
    void stopPeer() {
        peer.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), body,
                exchange.getRequestHeaders().getFirst("Authorization"), System.nanoTime()));
        Answer next;
        synchronized (script) {
            next = script.size() > 1 ? script.poll() : script.peek();
        }
        byte[] bytes = next.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        if (next.retryAfter() != null) {
            exchange.getResponseHeaders().add("Retry-After", next.retryAfter());
        }
        exchange.sendResponseHeaders(next.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void script(Answer... answers) {
        synchronized (script) {
            script.addAll(List.of(answers));
        }
    }

    private static Answer unavailable() {
        return new Answer(503, null, "{\"code\":\"UNAVAILABLE\",\"message\":\"try again\"}");
    }

    private static Answer rateLimited(String retryAfter) {
        return new Answer(429, retryAfter, "{\"code\":\"RATE_LIMITED\",\"message\":\"slow down\"}");
    }

    @Test
    void aReadIsRetriedOn503AndAfterA429sRetryAfter() {
        script(unavailable(), rateLimited("1"), new Answer(200, null, "{\"public\":true,\"grantCount\":2}"));

        AccessState state = client.build().access().get();

        assertEquals(new AccessState(true, 2), state);
        assertEquals(3, seen.size());
        long waited = Duration.ofNanos(seen.get(2).atNanos() - seen.get(1).atNanos()).toMillis();
        assertTrue(waited >= 1000, "waited " + waited + " ms after Retry-After: 1");
        assertTrue(seen.stream().allMatch(s -> s.authorization().startsWith("Bearer ")), "every attempt carries the token");
    }

    @Test
    void aPublicationIsNotRepeatedAfterA503() {
        script(unavailable(), new Answer(202, null, "{\"id\":\"1-0\"}"));

        ServerException e = assertThrows(ServerException.class, () -> client.build().topics().publish("news", "once"));

        assertEquals(ErrorCodes.UNAVAILABLE, e.code());
        assertEquals(503, e.status());
        assertEquals(1, seen.size(), "the server may have stored it: not sent again");
    }

    @Test
    void anInAppNotificationIsRepeatedAfterA503WithTheSameId() throws Exception {
        script(unavailable(), new Answer(202, null, "{\"id\":\"k\",\"accepted\":[47]}"));

        client.build().inApp().send(InAppNotification.of(List.of(47L), "Shipped", "No. 42"));

        assertEquals(2, seen.size(), "its id makes the post idempotent: sent again");
        String firstId = JSON.readTree(seen.get(0).body()).get("id").asText();
        assertFalse(firstId.isEmpty(), "the SDK picked an id before the first attempt");
        assertEquals(firstId, JSON.readTree(seen.get(1).body()).get("id").asText(), "the repeat carries the same id");
    }

    @Test
    void aPublicationIsRepeatedAfterA429ForTheServerTookNothing() {
        script(rateLimited("0"), new Answer(202, null, "{\"id\":\"7-0\"}"));

        String id = client.build().topics().publish("prices/eur", "1.08");

        assertEquals("7-0", id);
        assertEquals(2, seen.size());
        assertEquals(seen.get(0).body(), seen.get(1).body());
        assertEquals("/api/v1/apps/" + client.build().appId() + "/topics/prices%2Feur/publications", seen.get(0).path(),
                "the slash of the topic travels percent-encoded");
    }

    @Test
    void retriesStopAtMaxAttempts() {
        script(unavailable());

        ServerException e = assertThrows(ServerException.class, () -> client.maxAttempts(3).build().access().get());

        assertEquals(ErrorCodes.UNAVAILABLE, e.code());
        assertEquals(3, seen.size());
    }

    @Test
    void aRetryAfterLongerThanTheSdkWaitsIsHandedToTheCaller() {
        script(rateLimited("120"));

        RateLimitedException e = assertThrows(RateLimitedException.class,
                () -> client.maxRetryAfter(Duration.ofSeconds(30)).build().access().get());

        assertEquals(ErrorCodes.RATE_LIMITED, e.code());
        assertEquals(Duration.ofSeconds(120), e.retryAfter().orElseThrow());
        assertEquals(1, seen.size());
    }

    @Test
    void aRequestTimeoutIsRetriedOnlyForRepeatableCalls() {
        peer.removeContext("/");
        peer.createContext("/", exchange -> {
            seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), "", "", System.nanoTime()));
            // never answers within the SDK's request timeout; the exchange is closed when the peer stops
        });
        ParleyClient parley = client.requestTimeout(Duration.ofMillis(300)).maxAttempts(2).build();

        ParleyConnectionException publish = assertThrows(ParleyConnectionException.class,
                () -> parley.topics().publish("news", "maybe stored"));
        assertEquals(ErrorCodes.TIMEOUT, publish.code());
        assertTrue(publish.requestSent());
        assertEquals(1, seen.size());

        assertThrows(ParleyConnectionException.class, () -> parley.access().get());
        assertEquals(3, seen.size(), "the read was sent twice");
    }
}
