package io.parley.notify.relay;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.common.redis.OutboxEvent;
import io.parley.common.redis.SharedKeys;
import io.parley.notify.sender.WebhookSignature;
import io.parley.notify.support.GreenMailResource;
import io.parley.notify.support.HttpReceiver;
import io.parley.notify.support.NotifyTestBase;
import io.parley.notify.support.ReceiverResource;
import io.parley.notify.support.TestTokens;
import io.parley.notify.support.WebhookEndpoint;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The relay of chat messages from the outbox stream to offline users' verified channels. */
@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_notify"))
@QuarkusTestResource(GreenMailResource.class)
@QuarkusTestResource(ReceiverResource.class)
class RelayTest extends NotifyTestBase {

    @Test
    void shouldRelayAMessageToAnOfflineUserByEmail() {
        long user = TestTokens.newUserId();
        long sender = TestTokens.newUserId();
        String address = newAddress();
        bindVerifiedEmail(user, address);

        append(event(user, sender, "are you there?"));

        await().atMost(WAIT).until(() -> mailsTo(address).size() == 2); // the code, then the relay
        MimeMessage relay = mailsTo(address).get(1);
        assertEquals("1 new message on Parley", subject(relay));
        assertTrue(body(relay).contains("are you there?"), body(relay));
        assertTrue(body(relay).contains("From " + sender), body(relay));
        await().atMost(WAIT).until(() -> rowsOf(user).stream().anyMatch(r -> r.status().equals("delivered")));
    }

    @Test
    void shouldDigestABurstOfFiftyIntoOneEmail() {
        long user = TestTokens.newUserId();
        long sender = TestTokens.newUserId();
        String address = newAddress();
        bindVerifiedEmail(user, address);

        for (int i = 1; i <= 50; i++) {
            append(event(user, sender, "message " + i));
        }

        await().atMost(WAIT).until(() -> rowsOf(user).stream().anyMatch(r -> r.status().equals("delivered")));
        await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> mailsTo(address).size() == 2);
        MimeMessage digest = mailsTo(address).get(1);
        assertEquals("50 new messages on Parley", subject(digest));
        String text = body(digest);
        assertTrue(text.contains("message 50") && text.contains("message 46"), text);
        assertTrue(!text.contains("message 45"), "only the newest five are quoted: " + text);
        assertEquals(1, rowsOf(user).size(), "one delivery for the whole burst");
        assertEquals(50, new JsonObject(rowsOf(user).get(0).payload()).getInteger("count"));
    }

    @Test
    void shouldNotRelayToAUserWhoIsOnlineWhenTheWindowCloses() {
        long user = TestTokens.newUserId();
        String address = newAddress();
        bindVerifiedEmail(user, address);
        redis.hash(String.class).hset(Presence.key(user), "node-1", "1");
        try {
            append(event(user, TestTokens.newUserId(), "you are online anyway"));
            await().atMost(WAIT).until(() -> rowsOf(user).size() == 1);
            assertEquals("skipped_online", rowsOf(user).get(0).status());
            await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> mailsTo(address).size() == 1);
        } finally {
            redis.key().del(Presence.key(user));
        }
    }

    @Test
    void shouldRelayNothingByEmailForAnEventOfAUserOnlineOnAnotherDevice() {
        long user = TestTokens.newUserId();
        long sender = TestTokens.newUserId();
        String address = newAddress();
        bindVerifiedEmail(user, address);
        // chat-service's event for a user online on the laptop with a push device elsewhere: push only
        append(OutboxEvent.message(user, "20260101000000" + String.format("%010d", sender) + "0000000001",
                "d:1:" + user, 1, sender, "seen on the laptop", "text", System.currentTimeMillis(), List.of("laptop"),
                null).json());
        append(event(user, sender, "sent while offline"));

        await().atMost(WAIT).until(() -> rowsOf(user).stream().anyMatch(r -> r.status().equals("delivered")));
        await().atMost(WAIT).until(() -> mailsTo(address).size() == 2);
        assertEquals(1, rowsOf(user).size());
        assertEquals(1, new JsonObject(rowsOf(user).get(0).payload()).getInteger("count"), "only the offline message");
        String text = body(mailsTo(address).get(1));
        assertTrue(text.contains("sent while offline") && !text.contains("seen on the laptop"), text);
    }

    @Test
    void shouldSignWebhookRelaysWithTheChannelSecret() {
        long user = TestTokens.newUserId();
        WebhookEndpoint endpoint = new WebhookEndpoint(receiver());
        String secret = bindVerifiedWebhook(user, endpoint)[1];

        append(event(user, TestTokens.newUserId(), "signed hello"));

        await().atMost(WAIT).until(() -> endpoint.deliveries().size() == 1);
        HttpReceiver.Request call = endpoint.deliveries().get(0);
        assertEquals(WebhookSignature.sign(secret, call.body()), call.header("X-Parley-Signature"));
        assertTrue(call.header("X-Parley-Signature").matches("sha256=[0-9a-f]{64}"));
        assertEquals("messages", call.header("X-Parley-Event"));
        assertEquals(rowsOf(user).get(0).idemKey(), call.header("X-Parley-Delivery"));
        JsonObject body = new JsonObject(call.bodyText());
        assertEquals(1, body.getInteger("count"));
        assertEquals("signed hello", body.getJsonArray("messages").getJsonObject(0).getString("body"));
        // a forged signature would not match: another secret gives another value
        assertTrue(!WebhookSignature.sign(secret + "x", call.body()).equals(call.header("X-Parley-Signature")));
    }

    @Test
    void shouldDeliverOnceWhenTheReceiverFailsThreeTimesThenSucceeds() {
        long user = TestTokens.newUserId();
        WebhookEndpoint endpoint = new WebhookEndpoint(receiver()).answering(n -> n <= 3 ? 500 : 200);
        bindVerifiedWebhook(user, endpoint);

        append(event(user, TestTokens.newUserId(), "eventually"));

        await().atMost(WAIT).until(() -> rowsOf(user).stream().anyMatch(r -> r.status().equals("delivered")));
        await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> endpoint.deliveries().size() == 4);
        Set<String> keys = endpoint.deliveries().stream().map(r -> r.header("X-Parley-Delivery")).collect(Collectors.toSet());
        assertEquals(1, keys.size(), "every attempt carries the same delivery key");
        Row row = rowsOf(user).get(0);
        assertEquals(4, row.attempts());
        assertEquals("webhook answered HTTP 500", row.lastError());
    }

    @Test
    void shouldDeadLetterAFailingWebhookAndReplayItAfterRecovery() {
        long user = TestTokens.newUserId();
        String token = userToken(user);
        WebhookEndpoint endpoint = new WebhookEndpoint(receiver()).answering(n -> 503);
        bindVerifiedWebhook(user, endpoint);

        append(event(user, TestTokens.newUserId(), "into the void"));

        await().atMost(WAIT).until(() -> rowsOf(user).stream().anyMatch(r -> r.status().equals("dead")));
        assertEquals(5, endpoint.deliveries().size(), "five attempts, then a dead letter");
        String id = given().auth().oauth2(token).get("/api/v1/deliveries?status=dead").then().statusCode(200)
                .body("$", hasSize(1))
                .body("[0].channel", equalTo("webhook"))
                .body("[0].kind", equalTo("relay"))
                .body("[0].attempts", equalTo(5))
                .body("[0].lastError", equalTo("webhook answered HTTP 503"))
                .extract().path("[0].id");
        // nobody else sees or replays it
        long stranger = TestTokens.newUserId();
        given().auth().oauth2(userToken(stranger)).get("/api/v1/deliveries?status=dead").then().body("$", hasSize(0));
        given().auth().oauth2(userToken(stranger)).post("/api/v1/deliveries/" + id + "/replay").then().statusCode(404);

        endpoint.answering(n -> 200);
        given().auth().oauth2(token).post("/api/v1/deliveries/" + id + "/replay").then().statusCode(202)
                .body("status", equalTo("retrying"));
        await().atMost(WAIT).until(() -> rowsOf(user).get(0).status().equals("delivered"));
        assertEquals(6, endpoint.deliveries().size());
        given().auth().oauth2(token).get("/api/v1/deliveries?status=dead").then().body("$", hasSize(0));
        given().auth().oauth2(token).post("/api/v1/deliveries/" + id + "/replay").then().statusCode(409)
                .body("code", equalTo("CONFLICT"));
        given().auth().oauth2(token).get("/api/v1/deliveries?status=bogus").then().statusCode(400);
    }

    @Test
    void shouldSendNothingToAnUnverifiedChannel() {
        long user = TestTokens.newUserId();
        String path = "/unverified/" + UUID.randomUUID();
        receiver().on(path, request -> HttpReceiver.Answer.ok("no echo"));
        given().auth().oauth2(userToken(user)).contentType(ContentType.JSON)
                .body(Map.of("type", "webhook", "address", receiver().url(path)))
                .post("/api/v1/channels").then().statusCode(201);

        append(event(user, TestTokens.newUserId(), "nobody listens"));

        await().atMost(WAIT).until(() -> rowsOf(user).size() == 1);
        assertEquals("no_channel", rowsOf(user).get(0).status());
        assertEquals(1, receiver().requests(path).size(), "only the challenge");
    }

    @Test
    void shouldRelayThroughTheWechatAdapterAndRefreshAnInvalidToken() {
        long user = TestTokens.newUserId();
        String token = userToken(user);
        String openId = "o" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        String id = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("type", "wechat", "address", openId))
                .post("/api/v1/channels").then().statusCode(201).extract().path("id");
        await().atMost(WAIT).until(() -> templateSendsTo(openId).size() == 1);
        String text = new JsonObject(templateSendsTo(openId).get(0).bodyText()).getJsonObject("data")
                .getJsonObject("body").getString("value");
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", text.replaceAll(".*?(\\d{6}).*", "$1")))
                .post("/api/v1/channels/" + id + "/verify").then().statusCode(200);

        // the platform says the cached token is invalid once: the adapter fetches a new one and sends again
        int tokensBefore = ReceiverResource.TOKENS_ISSUED.get();
        AtomicInteger calls = new AtomicInteger();
        receiver().on("/cgi-bin/message/template/send", request -> calls.incrementAndGet() == 1
                ? HttpReceiver.Answer.ok("{\"errcode\":40001,\"errmsg\":\"invalid credential\"}")
                : HttpReceiver.Answer.ok("{\"errcode\":0}"));
        try {
            append(event(user, TestTokens.newUserId(), "via the official account"));
            await().atMost(WAIT).until(() -> rowsOf(user).stream().anyMatch(r -> r.status().equals("delivered")));
        } finally {
            ReceiverResource.resetDefaults();
        }
        List<HttpReceiver.Request> sends = templateSendsTo(openId);
        assertEquals(3, sends.size(), "the code, the refused relay, the relay with a fresh token");
        assertEquals(tokensBefore + 1, ReceiverResource.TOKENS_ISSUED.get());
        assertEquals("access_token=token-" + ReceiverResource.TOKENS_ISSUED.get(), sends.get(2).query());
        JsonObject data = new JsonObject(sends.get(2).bodyText()).getJsonObject("data");
        assertTrue(data.getJsonObject("body").getString("value").contains("via the official account"));
        assertEquals(1, rowsOf(user).get(0).attempts(), "a token refresh is not a failed attempt");
    }

    @Test
    void shouldAcknowledgeMalformedEntriesWithoutRetryingThem() {
        long user = TestTokens.newUserId();
        WebhookEndpoint endpoint = new WebhookEndpoint(receiver());
        bindVerifiedWebhook(user, endpoint);
        double before = malformedCount();

        redis.stream(String.class).xadd(SharedKeys.OUTBOX_STREAM, Map.of(SharedKeys.OUTBOX_EVENT_FIELD, "not json"));
        redis.stream(String.class).xadd(SharedKeys.OUTBOX_STREAM, Map.of(SharedKeys.OUTBOX_EVENT_FIELD, "{\"type\":\"mystery\",\"user\":1}"));
        redis.stream(String.class).xadd(SharedKeys.OUTBOX_STREAM, Map.of("other", "field"));
        redis.stream(String.class).xadd(SharedKeys.OUTBOX_STREAM, Map.of(SharedKeys.OUTBOX_EVENT_FIELD, "{\"type\":\"message\",\"user\":-5,\"id\":\"x\"}"));
        append(event(user, TestTokens.newUserId(), "after the junk"));

        await().atMost(WAIT).until(() -> endpoint.deliveries().size() == 1);
        await().atMost(WAIT).until(() -> malformedCount() >= before + 4);
        await().atMost(WAIT).until(() -> redis.stream(String.class).xpending(SharedKeys.OUTBOX_STREAM, "notify-relay")
                .getPendingCount() == 0);
    }

    @Test
    void shouldNotRelayTwiceWhenAnEntryIsReadAgain() {
        long user = TestTokens.newUserId();
        WebhookEndpoint endpoint = new WebhookEndpoint(receiver());
        bindVerifiedWebhook(user, endpoint);
        String event = event(user, TestTokens.newUserId(), "only once");

        append(event);
        await().atMost(WAIT).until(() -> rowsOf(user).stream().anyMatch(r -> r.status().equals("delivered")));
        // the same entry again, as after a crash between the MySQL commit and XACK
        append(event);

        await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> endpoint.deliveries().size() == 1);
        assertEquals(1, rowsOf(user).size());
    }

    @Test
    void shouldClaimEntriesADeadConsumerLeftPending() {
        long user = TestTokens.newUserId();
        WebhookEndpoint endpoint = new WebhookEndpoint(receiver());
        bindVerifiedWebhook(user, endpoint);
        // park the consumer loop's reads behind a ghost: a consumer that reads entries and dies without acknowledging
        var streams = redis.stream(String.class);
        for (int i = 0; i < 3; i++) {
            append(event(user, TestTokens.newUserId(), "orphan " + i));
        }
        streams.xreadgroup("notify-relay", "ghost-" + UUID.randomUUID(), SharedKeys.OUTBOX_STREAM, ">",
                new XReadGroupArgs().count(1000));

        await().atMost(WAIT).until(() -> rowsOf(user).stream().anyMatch(r -> r.status().equals("delivered")));
        int relayed = endpoint.deliveries().stream()
                .mapToInt(r -> new JsonObject(r.bodyText()).getInteger("count")).sum();
        await().atMost(WAIT).until(() -> endpoint.deliveries().stream()
                .mapToInt(r -> new JsonObject(r.bodyText()).getInteger("count")).sum() == 3);
        assertTrue(relayed <= 3);
    }

    @Test
    void shouldRespectPreferencesThatSwitchTheRelayOff() {
        long user = TestTokens.newUserId();
        String token = userToken(user);
        WebhookEndpoint endpoint = new WebhookEndpoint(receiver());
        bindVerifiedWebhook(user, endpoint);
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("relay", false))
                .put("/api/v1/preferences").then().statusCode(200).body("relay", equalTo(false));

        append(event(user, TestTokens.newUserId(), "muted"));

        await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> endpoint.deliveries().isEmpty());
        assertEquals(0, rowsOf(user).size());
    }

    private double malformedCount() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("parley_notify_outbox_malformed_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private List<HttpReceiver.Request> templateSendsTo(String openId) {
        return receiver().requests("/cgi-bin/message/template/send").stream()
                .filter(r -> openId.equals(new JsonObject(r.bodyText()).getString("touser"))).toList();
    }
}
