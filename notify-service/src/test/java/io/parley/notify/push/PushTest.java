package io.parley.notify.push;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.common.redis.OutboxEvent;
import io.parley.common.redis.SharedKeys;
import io.parley.common.token.SessionKeys;
import io.parley.notify.support.ApnsStandIn;
import io.parley.notify.support.FcmStandIn;
import io.parley.notify.support.GreenMailResource;
import io.parley.notify.support.HttpReceiver;
import io.parley.notify.support.NotifyTestBase;
import io.parley.notify.support.PushResource;
import io.parley.notify.support.ReceiverResource;
import io.parley.notify.support.TestTokens;
import io.parley.notify.support.WebPushSubscriber;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Push to offline devices, end to end: devices register over REST, outbox events (messages to offline users) and
 * app notifications become deliveries, and the dispatcher sends them to real stand-ins of FCM (token endpoint +
 * messages:send), APNs (HTTP/2 over TLS) and a Web Push service (decrypting, checking VAPID).
 */
@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_notify"))
@QuarkusTestResource(GreenMailResource.class)
@QuarkusTestResource(ReceiverResource.class)
@QuarkusTestResource(PushResource.class)
class PushTest extends NotifyTestBase {

    private String deviceToken(long user, String device) {
        return TestTokens.user(issuer, user, device);
    }

    private void register(long user, String device, String provider, Object token) {
        register(user, device, Map.of("provider", provider, "token", token));
    }

    private void register(long user, String device, Map<String, Object> body) {
        given().auth().oauth2(deviceToken(user, device)).contentType(ContentType.JSON).body(body)
                .put("/api/v1/push/devices/current").then().statusCode(200);
    }

    private static String fcmToken() {
        return "fcm-" + UUID.randomUUID() + ":APA91b";
    }

    private static String apnsToken() {
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }

    private String sendFrom(long user, long from, String body) {
        String event = event(user, from, body);
        append(event);
        return new JsonObject(event).getString("conversation");
    }

    @Test
    void shouldRegisterListRedactAndUnregisterTheCallingDevice() throws Exception {
        long user = TestTokens.newUserId();
        String fcm = fcmToken();
        WebPushSubscriber browser = new WebPushSubscriber(receiver());
        register(user, "phone", Map.of("provider", "fcm", "token", fcm, "preview", "sender"));
        register(user, "laptop", "webpush", browser.subscription());
        given().auth().oauth2(deviceToken(user, "phone")).get("/api/v1/push/devices").then().statusCode(200)
                .body("", hasSize(2))
                .body("find { it.deviceId == 'phone' }.provider", equalTo("fcm"))
                .body("find { it.deviceId == 'phone' }.preview", equalTo("sender"))
                .body("find { it.deviceId == 'phone' }.current", equalTo(true))
                .body("find { it.deviceId == 'phone' }.token", not(containsString(fcm.substring(0, 20))))
                .body("find { it.deviceId == 'laptop' }.token", equalTo(receiver().baseUrl() + "/…"));
        given().auth().oauth2(deviceToken(user, "phone")).delete("/api/v1/push/devices/current").then().statusCode(204);
        given().auth().oauth2(deviceToken(user, "phone")).delete("/api/v1/push/devices/current").then().statusCode(404)
                .body("code", equalTo("NOT_FOUND"));
        given().auth().oauth2(deviceToken(user, "laptop")).get("/api/v1/push/devices").then().body("deviceId", equalTo(List.of("laptop")));
        given().get("/api/v1/push/vapid-public-key").then().statusCode(200).body("publicKey",
                equalTo(io.parley.notify.sender.PushKeys.b64url(io.parley.notify.sender.PushKeys.uncompressed(PushResource.vapidPublicKey()))));
    }

    @Test
    void shouldMoveATokenRegisteredAgainByAnotherUser() {
        long first = TestTokens.newUserId();
        long second = TestTokens.newUserId();
        String token = fcmToken();
        register(first, "shared-phone", "fcm", token);
        register(second, "shared-phone", "fcm", token);
        given().auth().oauth2(deviceToken(first, "x")).get("/api/v1/push/devices").then().body("", hasSize(0));
        given().auth().oauth2(deviceToken(second, "x")).get("/api/v1/push/devices").then().body("", hasSize(1));
    }

    @Test
    void shouldRefuseBadRegistrationsWithClearErrors() {
        long user = TestTokens.newUserId();
        String token = deviceToken(user, "d1");
        Map<String, Object> p256 = new HashMap<>(Map.of("endpoint", "http://10.0.0.1/push",
                "keys", Map.of("p256dh", "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
                        "auth", "BTBZMqHH6r4Tts7J_aSIgg")));
        for (Object body : List.of(Map.of("provider", "sms", "token", "x"), Map.of("provider", "fcm"),
                Map.of("provider", "fcm", "token", "has spaces"), Map.of("provider", "apns", "token", "not-hex"),
                Map.of("provider", "fcm", "token", "x".repeat(1025)), Map.of("provider", "webpush", "token", "a string"),
                Map.of("provider", "webpush", "token", p256), Map.of("provider", "fcm", "token", fcmToken(), "preview", "some"),
                Map.of("provider", "webpush", "token", Map.of("endpoint", receiver().url("/wp/x"),
                        "keys", Map.of("p256dh", "BAAA", "auth", "BTBZMqHH6r4Tts7J_aSIgg"))))) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body(body).put("/api/v1/push/devices/current")
                    .then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
        }
        given().contentType(ContentType.JSON).body(Map.of("provider", "fcm", "token", fcmToken()))
                .put("/api/v1/push/devices/current").then().statusCode(401);
    }

    @Test
    void shouldPushAnOfflineMessageOnceToEachDevice() throws Exception {
        long user = TestTokens.newUserId();
        String fcm = fcmToken();
        String apns = apnsToken();
        WebPushSubscriber browser = new WebPushSubscriber(receiver());
        register(user, "android", "fcm", fcm);
        register(user, "iphone", "apns", apns);
        register(user, "browser", "webpush", browser.subscription());

        String conversation = sendFrom(user, 42, "hello there");
        FcmStandIn fcmService = PushResource.fcm();
        ApnsStandIn apnsService = PushResource.apns();
        await().atMost(WAIT).until(() -> fcmService.sendsTo(fcm).size() == 1 && apnsService.pushesTo(apns).size() == 1
                && browser.requestCount() == 1);

        JsonObject message = fcmService.sendsTo(fcm).get(0).message();
        assertEquals("hello there", message.getJsonObject("notification").getString("body"));
        assertEquals(conversation, message.getJsonObject("android").getString("collapse_key"));
        assertEquals(conversation, message.getJsonObject("data").getString("conversation"));

        ApnsStandIn.Push push = apnsService.pushesTo(apns).get(0);
        assertEquals("HTTP_2", push.version());
        assertEquals("alert", push.headers().get("apns-push-type"));
        assertEquals("10", push.headers().get("apns-priority"));
        assertEquals(conversation, push.headers().get("apns-collapse-id"));
        assertTrue(Long.parseLong(push.headers().get("apns-expiration")) > System.currentTimeMillis() / 1000);
        assertEquals("hello there", push.body().getJsonObject("aps").getJsonObject("alert").getString("body"));
        assertNull(push.body().getJsonObject("aps").getValue("badge"), "no badge: the event carries no unread total");

        WebPushSubscriber.Received web = browser.received().get(0);
        assertEquals("hello there", web.payload().getString("body"));
        assertEquals(conversation, web.payload().getString("tag"));
        assertEquals("high", web.urgency());
        assertEquals(32, web.topic().length());

        await().atMost(WAIT).until(() -> rowsOf(user).stream().filter(r -> r.channel().equals("push"))
                .allMatch(r -> r.status().equals("delivered")) && rowsOf(user).size() >= 3);
    }

    @Test
    void shouldCollapseABurstOfOneConversation() throws Exception {
        long user = TestTokens.newUserId();
        String apns = apnsToken();
        WebPushSubscriber browser = new WebPushSubscriber(receiver());
        register(user, "iphone", "apns", apns);
        register(user, "browser", "webpush", browser.subscription());
        for (int i = 0; i < 3; i++) {
            sendFrom(user, 77, "burst " + i);
        }
        await().atMost(WAIT).until(() -> PushResource.apns().pushesTo(apns).size() == 3 && browser.requestCount() == 3);
        assertEquals(1, PushResource.apns().pushesTo(apns).stream().map(p -> p.headers().get("apns-collapse-id")).distinct().count());
        assertEquals(1, browser.received().stream().map(WebPushSubscriber.Received::topic).distinct().count());
        // one provider JWT for every push (Apple refuses a new one per request)
        assertEquals(1, PushResource.apns().pushesTo(apns).stream().map(ApnsStandIn.Push::jwt).distinct().count());
    }

    @Test
    void shouldSendNothingToAMutedOrUnregisteredDeviceAndApplyThePreview() throws Exception {
        long user = TestTokens.newUserId();
        String muted = fcmToken();
        String removed = fcmToken();
        String hidden = fcmToken();
        register(user, Map.of("provider", "fcm", "token", muted, "mutedUntil", System.currentTimeMillis() + 3_600_000));
        register(user, "removed", "fcm", removed);
        register(user, Map.of("provider", "fcm", "token", hidden, "preview", "none"));
        given().auth().oauth2(deviceToken(user, "removed")).delete("/api/v1/push/devices/current").then().statusCode(204);
        sendFrom(user, 5, "secret text");
        await().atMost(WAIT).until(() -> PushResource.fcm().sendsTo(hidden).size() == 1);
        // the same event, in the same transaction, planned the pushes of every device: the others got none
        assertEquals(0, PushResource.fcm().sendsTo(muted).size());
        assertEquals(0, PushResource.fcm().sendsTo(removed).size());
        JsonObject message = PushResource.fcm().sendsTo(hidden).get(0).message();
        assertEquals("New message", message.getJsonObject("notification").getString("body"));
        assertTrue(!message.encode().contains("secret text"));
    }

    private void register(long user, Map<String, Object> body) {
        register(user, "dev-" + UUID.randomUUID().toString().substring(0, 8), body);
    }

    @Test
    void shouldRemoveADeviceTheProviderNoLongerKnows() throws Exception {
        long user = TestTokens.newUserId();
        String fcm = fcmToken();
        String apns = apnsToken();
        WebPushSubscriber browser = new WebPushSubscriber(receiver());
        register(user, "android", "fcm", fcm);
        register(user, "iphone", "apns", apns);
        register(user, "browser", "webpush", browser.subscription());
        PushResource.fcm().script(fcm, FcmStandIn.error(404, "NOT_FOUND", "UNREGISTERED", Map.of()));
        PushResource.apns().script(apns, 410, "Unregistered");
        browser.answer(410);
        sendFrom(user, 9, "anyone there?");
        await().atMost(WAIT).until(() -> given().auth().oauth2(deviceToken(user, "x")).get("/api/v1/push/devices")
                .then().extract().jsonPath().getList("").isEmpty());
        await().atMost(WAIT).until(() -> rowsOf(user).stream().filter(r -> r.channel().equals("push"))
                .filter(r -> r.status().equals("dead")).count() == 3);
        assertEquals(1, PushResource.fcm().sendsTo(fcm).size(), "a gone token is not retried");
    }

    @Test
    void shouldKeepTheDeviceOnInvalidArgumentAndHonourRetryAfter() throws Exception {
        long user = TestTokens.newUserId();
        String bad = fcmToken();
        String busy = fcmToken();
        register(user, "bad", "fcm", bad);
        register(user, "busy", "fcm", busy);
        PushResource.fcm().script(bad, FcmStandIn.error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", Map.of()));
        PushResource.fcm().script(busy, FcmStandIn.error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", Map.of("Retry-After", "1")),
                FcmStandIn.error(503, "UNAVAILABLE", "UNAVAILABLE", Map.of()));
        long start = System.nanoTime();
        sendFrom(user, 11, "retry me");
        await().atMost(WAIT).until(() -> PushResource.fcm().sendsTo(busy).stream().anyMatch(s -> s.status() == 200));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(List.of(429, 503, 200), PushResource.fcm().sendsTo(busy).stream().map(FcmStandIn.Send::status).toList());
        assertTrue(elapsedMs >= 1000, "the retry waited for Retry-After: 1 s (back-off alone is at most 200 ms), took " + elapsedMs);
        await().atMost(WAIT).until(() -> rowsOf(user).stream().anyMatch(r -> r.status().equals("dead")));
        assertEquals(1, PushResource.fcm().sendsTo(bad).size(), "INVALID_ARGUMENT is not retried");
        given().auth().oauth2(deviceToken(user, "bad")).get("/api/v1/push/devices").then().body("", hasSize(2));
    }

    @Test
    void shouldFetchANewAccessTokenAfterA401() throws Exception {
        long user = TestTokens.newUserId();
        String fcm = fcmToken();
        register(user, "android", "fcm", fcm);
        PushResource.fcm().script(fcm, FcmStandIn.error(401, "UNAUTHENTICATED", null, Map.of()));
        int before = PushResource.fcm().tokensIssued();
        sendFrom(user, 12, "after 401");
        await().atMost(WAIT).until(() -> PushResource.fcm().sendsTo(fcm).stream().anyMatch(s -> s.status() == 200));
        List<FcmStandIn.Send> sends = PushResource.fcm().sendsTo(fcm);
        assertTrue(PushResource.fcm().tokensIssued() > before, "a new access token was fetched");
        assertTrue(!sends.get(0).authorization().equals(sends.get(sends.size() - 1).authorization()));
    }

    @Test
    void shouldRenewTheApnsTokenOnceWhenAppleSaysItExpired() throws Exception {
        long user = TestTokens.newUserId();
        String apns = apnsToken();
        register(user, "iphone", "apns", apns);
        sendFrom(user, 13, "first");
        await().atMost(WAIT).until(() -> PushResource.apns().pushesTo(apns).size() == 1);
        String firstJwt = PushResource.apns().pushesTo(apns).get(0).jwt();
        PushResource.apns().expire(firstJwt);
        sendFrom(user, 13, "second");
        await().atMost(WAIT).until(() -> PushResource.apns().pushesTo(apns).stream().filter(p -> p.status() == 200).count() == 2);
        List<ApnsStandIn.Push> pushes = PushResource.apns().pushesTo(apns);
        assertEquals(List.of(200, 403, 200), pushes.stream().map(ApnsStandIn.Push::status).toList());
        assertTrue(!pushes.get(2).jwt().equals(firstJwt), "a new provider token after ExpiredProviderToken");
    }

    @Test
    void shouldRemoveTheRegistrationWhenItsSessionIsSignedOut() throws Exception {
        long user = TestTokens.newUserId();
        String session = TestTokens.liveSession();
        String signedOut = fcmToken();
        String stays = fcmToken();
        given().auth().oauth2(TestTokens.user(issuer, user, "phone", session)).contentType(ContentType.JSON)
                .body(Map.of("provider", "fcm", "token", signedOut)).put("/api/v1/push/devices/current")
                .then().statusCode(200);
        register(user, "tablet", "fcm", stays);
        endSession(user, session, true);
        await().atMost(WAIT).until(() -> given().auth().oauth2(deviceToken(user, "tablet")).get("/api/v1/push/devices")
                .then().extract().jsonPath().getList("deviceId").equals(List.of("tablet")));
        sendFrom(user, 21, "after sign-out");
        await().atMost(WAIT).until(() -> PushResource.fcm().sendsTo(stays).size() == 1);
        // the same event planned the pushes of every device of the user: the signed-out phone got none
        assertEquals(0, PushResource.fcm().sendsTo(signedOut).size());
    }

    @Test
    void shouldPushNothingToADeviceWhoseSessionEndedUnannounced() throws Exception {
        long user = TestTokens.newUserId();
        String session = TestTokens.liveSession();
        String expired = apnsToken();
        String stays = apnsToken();
        given().auth().oauth2(TestTokens.user(issuer, user, "old-phone", session)).contentType(ContentType.JSON)
                .body(Map.of("provider", "apns", "token", expired)).put("/api/v1/push/devices/current")
                .then().statusCode(200);
        register(user, "new-phone", "apns", stays);
        // the session expired, or its announcement was missed (pub/sub is at most once): no message on the channel
        endSession(user, session, false);
        sendFrom(user, 22, "anyone?");
        await().atMost(WAIT).until(() -> PushResource.apns().pushesTo(stays).size() == 1);
        assertEquals(0, PushResource.apns().pushesTo(expired).size());
        given().auth().oauth2(deviceToken(user, "new-phone")).get("/api/v1/push/devices").then()
                .body("deviceId", equalTo(List.of("new-phone")));
    }

    @Test
    void shouldPushToThePhoneWhileTheLaptopIsOnline() throws Exception {
        long user = TestTokens.newUserId();
        String phone = fcmToken();
        WebPushSubscriber laptop = new WebPushSubscriber(receiver());
        register(user, "phone", "fcm", phone);
        register(user, "laptop", "webpush", laptop.subscription());
        // what chat-service's relay reads to know the user has push devices: notify-service's copy of the ids
        assertEquals(Set.of("phone", "laptop"), redis.set(String.class).smembers(SharedKeys.pushDevices(user)));

        // chat-service relayed a message to the user, online on the laptop only
        String conversation = "d:1:" + user;
        append(OutboxEvent.message(user, "20260101000000" + String.format("%010d", 1) + String.format("%010d", user % 1_000_000),
                conversation, 1, 1, "while you're at your desk", "text", System.currentTimeMillis(), List.of("laptop"), null).json());
        await().atMost(WAIT).until(() -> PushResource.fcm().sendsTo(phone).size() == 1);
        assertEquals("while you're at your desk",
                PushResource.fcm().sendsTo(phone).get(0).message().getJsonObject("notification").getString("body"));
        // planned with the phone's push in one transaction: the connected laptop has no push row and no request
        assertEquals(List.of("push"), rowsOf(user).stream().map(Row::channel).toList());
        assertEquals(0, laptop.requestCount());

        given().auth().oauth2(deviceToken(user, "phone")).delete("/api/v1/push/devices/current").then().statusCode(204);
        assertEquals(Set.of("laptop"), redis.set(String.class).smembers(SharedKeys.pushDevices(user)));
    }

    @Test
    void shouldCarryTheUnreadTotalAsTheBadge() throws Exception {
        long user = TestTokens.newUserId();
        String fcm = fcmToken();
        String apns = apnsToken();
        WebPushSubscriber browser = new WebPushSubscriber(receiver());
        register(user, "android", "fcm", fcm);
        register(user, "iphone", "apns", apns);
        register(user, "browser", "webpush", browser.subscription());
        append(OutboxEvent.message(user, "20260101000000" + String.format("%010d", 2) + String.format("%010d", user % 1_000_000),
                "d:2:" + user, 5, 2, "five unread now", "text", System.currentTimeMillis(), null, 5).json());
        await().atMost(WAIT).until(() -> PushResource.fcm().sendsTo(fcm).size() == 1
                && PushResource.apns().pushesTo(apns).size() == 1 && browser.requestCount() == 1);
        assertEquals(5, PushResource.apns().pushesTo(apns).get(0).body().getJsonObject("aps").getInteger("badge"));
        JsonObject message = PushResource.fcm().sendsTo(fcm).get(0).message();
        assertEquals("5", message.getJsonObject("data").getString("badge"));
        assertEquals(5, message.getJsonObject("android").getJsonObject("notification").getInteger("notification_count"));
        assertEquals(5, browser.received().get(0).payload().getInteger("badge"));
        assertEquals("5", browser.received().get(0).payload().getJsonObject("data").getString("badge"));
    }

    @Test
    void shouldSendADataOnlyPushWhenTheAppAsksForASilentOne() throws Exception {
        long user = TestTokens.newUserId();
        String fcm = fcmToken();
        String apns = apnsToken();
        WebPushSubscriber browser = new WebPushSubscriber(receiver());
        register(user, "android", "fcm", fcm);
        register(user, "iphone", "apns", apns);
        register(user, "browser", "webpush", browser.subscription());
        String app = TestTokens.newAppId();
        String id = given().auth().oauth2(TestTokens.app(issuer, app)).contentType(ContentType.JSON)
                .body(Map.of("users", List.of(user), "title", "sync", "body", "-", "channels", List.of("push"),
                        "silent", true, "data", Map.of("refresh", "orders", "since", 42)))
                .post("/api/v1/notifications").then().statusCode(202).extract().path("id");
        await().atMost(WAIT).until(() -> PushResource.fcm().sendsTo(fcm).size() == 1
                && PushResource.apns().pushesTo(apns).size() == 1 && browser.requestCount() == 1);

        JsonObject message = PushResource.fcm().sendsTo(fcm).get(0).message();
        assertNull(message.getValue("notification"), "FCM: data only");
        assertEquals("orders", message.getJsonObject("data").getString("refresh"));
        assertEquals("42", message.getJsonObject("data").getString("since"));
        assertEquals(id, message.getJsonObject("data").getString("notification"));

        ApnsStandIn.Push push = PushResource.apns().pushesTo(apns).get(0);
        assertEquals("background", push.headers().get("apns-push-type"));
        assertEquals("5", push.headers().get("apns-priority"));
        assertEquals(1, push.body().getJsonObject("aps").getInteger("content-available"));
        assertNull(push.body().getJsonObject("aps").getValue("alert"));
        assertNull(push.body().getJsonObject("aps").getValue("sound"));
        assertEquals("orders", push.body().getString("refresh"));

        JsonObject web = browser.received().get(0).payload();
        assertEquals(true, web.getBoolean("silent"));
        assertNull(web.getValue("title"), "Web Push: no notification text");
        assertNull(web.getValue("body"));
        assertEquals("orders", web.getJsonObject("data").getString("refresh"));
    }

    @Test
    void shouldRefuseASilentPushThatCannotBeOne() {
        String token = TestTokens.app(issuer, TestTokens.newAppId());
        long user = TestTokens.newUserId();
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("users", List.of(user), "title", "t", "body", "b", "channels", List.of("inapp"), "silent", true))
                .post("/api/v1/notifications").then().statusCode(400).body("code", equalTo("INVALID_INPUT"))
                .body("message", containsString("push"));
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("users", List.of(user), "title", "t", "body", "b", "channels", List.of("push"), "silent", true,
                        "data", List.of(1, 2)))
                .post("/api/v1/notifications").then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("users", List.of(user), "title", "t", "body", "b", "channels", List.of("push"), "silent", true,
                        "data", Map.of("blob", "x".repeat(3100))))
                .post("/api/v1/notifications").then().statusCode(413).body("code", equalTo("PAYLOAD_TOO_LARGE"));
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("users", List.of(user), "title", "t", "body", "b", "channels", List.of("push"), "silent", "yes"))
                .post("/api/v1/notifications").then().statusCode(400);
    }

    @Test
    void shouldRestoreTheRedisCopyOfTheDeviceIdsAtTheNextPush() throws Exception {
        long user = TestTokens.newUserId();
        String phone = fcmToken();
        register(user, "phone", "fcm", phone);
        redis.key().del(SharedKeys.pushDevices(user)); // Redis lost its data
        sendFrom(user, 23, "after a Redis wipe");
        await().atMost(WAIT).until(() -> PushResource.fcm().sendsTo(phone).size() == 1);
        assertEquals(Set.of("phone"), redis.set(String.class).smembers(SharedKeys.pushDevices(user)));
    }

    /** Ends a session as auth-service does (sign-out, account deletion): the key deleted, the end announced. */
    private void endSession(long user, String session, boolean announce) {
        redis.key().del(SessionKeys.session(session));
        if (announce) {
            redis.pubsub(String.class).publish(SessionKeys.ENDED_CHANNEL, SessionKeys.endedMessage(user, session));
        }
    }

    @Test
    void shouldPushAppNotificationsThatAskForPush() throws Exception {
        long user = TestTokens.newUserId();
        String fcm = fcmToken();
        register(user, "android", "fcm", fcm);
        String app = TestTokens.newAppId();
        given().auth().oauth2(TestTokens.app(issuer, app)).contentType(ContentType.JSON)
                .body(Map.of("users", List.of(user), "title", "Order shipped", "body", "Your parcel is on its way",
                        "channels", List.of("push")))
                .post("/api/v1/notifications").then().statusCode(202);
        await().atMost(WAIT).until(() -> PushResource.fcm().sendsTo(fcm).size() == 1);
        JsonObject notification = PushResource.fcm().sendsTo(fcm).get(0).message().getJsonObject("notification");
        assertEquals("Order shipped", notification.getString("title"));
        assertEquals("Your parcel is on its way", notification.getString("body"));
    }
}
