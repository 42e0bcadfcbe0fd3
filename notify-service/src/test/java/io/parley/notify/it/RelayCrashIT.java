package io.parley.notify.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.common.redis.OutboxEvent;
import io.parley.common.redis.SharedKeys;
import io.parley.common.token.AccessTokenIssuer;
import io.parley.common.token.TokenKey;
import io.parley.notify.sender.WebhookSignature;
import io.parley.notify.support.HttpReceiver;
import io.parley.notify.support.TestTokens;
import io.parley.testsupport.MariaDbServer;
import io.parley.testsupport.RedisServer;
import io.parley.testsupport.ServiceProcess;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * notify-service killed (SIGKILL) in the middle of a relay, then a new instance started: nothing is lost and no
 * receiver gets a digest twice — counted by distinct {@code X-Parley-Delivery} keys among the answered calls.
 * Runs the packaged jar as real processes on real Redis and MariaDB.
 */
class RelayCrashIT {

    private static final String STREAM = SharedKeys.OUTBOX_STREAM;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static RedisServer redis;
    private static HttpReceiver receiver;
    private static Map<String, String> env;
    private static AccessTokenIssuer issuer;

    @BeforeAll
    static void platform() {
        redis = RedisServer.shared();
        MariaDbServer db = MariaDbServer.shared();
        String jdbc = db.createDatabase("parley_notify_it_" + UUID.randomUUID().toString().substring(0, 8));
        receiver = HttpReceiver.start();
        issuer = new AccessTokenIssuer(TokenKey.fromBase64(TestTokens.TOKEN_KEY));
        env = new HashMap<>();
        env.put("QUARKUS_REDIS_HOSTS", redis.uri());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbc);
        env.put("QUARKUS_DATASOURCE_USERNAME", MariaDbServer.USER);
        env.put("QUARKUS_DATASOURCE_PASSWORD", MariaDbServer.PASSWORD);
        env.put("PARLEY_TOKEN_KEY", TestTokens.TOKEN_KEY);
        env.put("PARLEY_NOTIFY_EGRESS_ALLOW", "127.0.0.1"); // the receiver is local (on-premise, as far as the guard knows)
        env.put("PARLEY_NOTIFY_RELAY_DIGEST_WINDOW", "1S");
        env.put("PARLEY_NOTIFY_RELAY_FLUSH_INTERVAL", "50ms");
        env.put("PARLEY_NOTIFY_DELIVERY_POLL_INTERVAL", "50ms");
        env.put("PARLEY_NOTIFY_DELIVERY_BACKOFF_BASE", "50ms");
        env.put("PARLEY_NOTIFY_DELIVERY_BACKOFF_MAX", "200ms");
        env.put("PARLEY_NOTIFY_DELIVERY_READ_TIMEOUT", "60S");
        env.put("PARLEY_NOTIFY_DELIVERY_SENDING_TIMEOUT", "3S");
        env.put("PARLEY_NOTIFY_OUTBOX_BLOCK", "200ms");
        env.put("PARLEY_NOTIFY_OUTBOX_CLAIM_IDLE", "2S");
        env.put("QUARKUS_SHUTDOWN_TIMEOUT", "2S");
    }

    @AfterAll
    static void stop() {
        receiver.close();
    }

    @Test
    void shouldLoseNothingAndSendNothingTwiceWhenKilledMidRelay() throws Exception {
        long hung = TestTokens.newUserId();     // its first delivery hangs until the instance is killed
        long orphaned = TestTokens.newUserId(); // its entries sit pending on a consumer that died
        long late = TestTokens.newUserId();     // its entries arrive while no instance runs
        CountDownLatch firstCallSeen = new CountDownLatch(1);
        CountDownLatch releaseFirstCall = new CountDownLatch(1);
        AtomicInteger hungCalls = new AtomicInteger();

        try (ServiceProcess first = ServiceProcess.start("notify-1", env)) {
            String hungPath = "/hung/" + hung;
            receiver.on(hungPath, request -> {
                if ("challenge".equals(request.header("X-Parley-Event"))) {
                    return echo(request);
                }
                if (hungCalls.incrementAndGet() == 1) {
                    firstCallSeen.countDown();
                    releaseFirstCall.await(60, TimeUnit.SECONDS); // the sender dies while we hold its call
                    return new HttpReceiver.Answer(500, "too late: the sender is gone");
                }
                return HttpReceiver.Answer.ok("ok");
            });
            bindWebhook(first, hung, hungPath);
            bindWebhook(first, orphaned, echoingPath(orphaned));
            bindWebhook(first, late, echoingPath(late));

            for (int i = 0; i < 30; i++) {
                append(hung, "hung " + i);
            }
            assertTrue(firstCallSeen.await(30, TimeUnit.SECONDS), "the relay reached the receiver");
            first.crash();
        }
        releaseFirstCall.countDown();

        // while nothing runs: entries for one user go to a consumer that then dies without acknowledging them,
        // and entries for another simply wait in the stream
        for (int i = 0; i < 7; i++) {
            append(orphaned, "orphan " + i);
        }
        redis.commandArgs("XREADGROUP", "GROUP", "notify-relay", "ghost", "COUNT", "1000", "STREAMS", STREAM, ">");
        assertTrue(redis.commandArgs("XPENDING", STREAM, "notify-relay").startsWith("*4 :7"),
                "the orphaned entries are pending on the ghost consumer");
        for (int i = 0; i < 5; i++) {
            append(late, "late " + i);
        }

        try (ServiceProcess second = ServiceProcess.start("notify-2", env)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> answeredCount(hung) == 30
                    && answeredCount(orphaned) == 7 && answeredCount(late) == 5);
            // nothing more arrives
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> answeredCount(hung) == 30
                    && answeredCount(orphaned) == 7 && answeredCount(late) == 5);
            assertEquals("*4 :0", redis.commandArgs("XPENDING", STREAM, "notify-relay").substring(0, 5));
        }
        for (long user : List.of(hung, orphaned, late)) {
            Set<String> keys = answered(user).stream().map(r -> r.header("X-Parley-Delivery")).collect(Collectors.toSet());
            assertEquals(1, keys.size(), "one digest for user " + user + ", delivered once");
        }
        // the call cut off by the crash was repeated with the same key, which is what lets receivers drop repeats
        // (at least twice: on a very busy machine a repeat that outlasts the sending timeout is itself repeated —
        // at-least-once, always under the same key)
        List<HttpReceiver.Request> hungDeliveries = deliveries(hung);
        assertTrue(hungDeliveries.size() >= 2, "the cut-off call was repeated: " + hungDeliveries.size());
        assertEquals(1, hungDeliveries.stream().map(r -> r.header("X-Parley-Delivery")).distinct().count(),
                "every repeat carries the first call's key");
    }

    private static void bindWebhook(ServiceProcess service, long user, String path) throws Exception {
        String token = TestTokens.user(issuer, user);
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/api/v1/channels"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("type", "webhook")
                        .put("address", receiver.url(path)).encode())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        await().atMost(Duration.ofSeconds(15)).until(() -> HTTP.send(HttpRequest.newBuilder(
                                URI.create(service.baseUrl() + "/api/v1/channels")).header("Authorization", "Bearer " + token)
                        .build(), HttpResponse.BodyHandlers.ofString()).body().contains("\"verified\":true"));
        String secret = new JsonObject(created.body()).getString("secret");
        HttpReceiver.Request challenge = receiver.requests(path).get(0);
        assertEquals(WebhookSignature.sign(secret, challenge.body()), challenge.header("X-Parley-Signature"));
    }

    private static String echoingPath(long user) {
        String path = "/ok/" + user;
        receiver.on(path, request -> "challenge".equals(request.header("X-Parley-Event")) ? echo(request)
                : HttpReceiver.Answer.ok("ok"));
        return path;
    }

    private static HttpReceiver.Answer echo(HttpReceiver.Request request) {
        return HttpReceiver.Answer.ok(new JsonObject().put("challenge",
                new JsonObject(request.bodyText()).getString("challenge")).encode());
    }

    private static void append(long user, String body) {
        String id = "20260101000000" + String.format("%010d", 7) + UUID.randomUUID().toString().replaceAll("[^0-9]", "0").substring(0, 10);
        String event = new JsonObject().put("type", "message").put("user", user).put("id", id)
                .put("conversation", "d:7:" + user).put("seq", 1).put("from", 7).put("body", body).put("kind", "text")
                .put("ts", System.currentTimeMillis()).encode();
        redis.commandArgs("XADD", STREAM, "*", OutboxEvent.FIELD, event);
    }

    private static List<HttpReceiver.Request> deliveries(long user) {
        return receiver.requests("/").stream()
                .filter(r -> r.path().endsWith("/" + user) && !"challenge".equals(r.header("X-Parley-Event"))).toList();
    }

    /** Deliveries the receiver answered with 2xx: all but the hung user's first call, answered 500 after the crash. */
    private static List<HttpReceiver.Request> answered(long user) {
        List<HttpReceiver.Request> all = deliveries(user);
        boolean firstHung = !all.isEmpty() && all.get(0).path().startsWith("/hung/");
        return firstHung ? all.subList(1, all.size()) : all;
    }

    /** Messages relayed to the user, counted once per delivery key. */
    private static int answeredCount(long user) {
        Map<String, Integer> byKey = new HashMap<>();
        for (HttpReceiver.Request r : answered(user)) {
            byKey.put(r.header("X-Parley-Delivery"), new JsonObject(r.bodyText()).getInteger("count"));
        }
        return byKey.values().stream().mapToInt(Integer::intValue).sum();
    }
}
