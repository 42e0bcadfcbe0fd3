package io.parley.notify.notification;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.notify.support.GreenMailResource;
import io.parley.notify.support.HttpReceiver;
import io.parley.notify.support.NotifyTestBase;
import io.parley.notify.support.ReceiverResource;
import io.parley.notify.support.TestTokens;
import io.parley.notify.support.WebhookEndpoint;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/** Notifications from tenant apps: in-app forwarding to chat-service, email and webhooks, per-user status. */
@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_notify"))
@QuarkusTestResource(GreenMailResource.class)
@QuarkusTestResource(ReceiverResource.class)
class NotificationResourceTest extends NotifyTestBase {

    @Test
    void shouldDeliverToEveryRequestedChannelAndReportStatusPerUserAndChannel() {
        String appId = TestTokens.newAppId();
        String appToken = TestTokens.app(issuer, appId);
        long withEmail = TestTokens.newUserId();
        long withWebhook = TestTokens.newUserId();
        String address = newAddress();
        bindVerifiedEmail(withEmail, address);
        WebhookEndpoint endpoint = new WebhookEndpoint(receiver());
        bindVerifiedWebhook(withWebhook, endpoint);

        String id = given().auth().oauth2(appToken).contentType(ContentType.JSON)
                .body(Map.of("users", List.of(withEmail, withWebhook), "title", "Your order shipped",
                        "body", "Parcel 42 is on its way", "data", Map.of("order", 42),
                        "channels", List.of("inapp", "email", "webhook")))
                .post("/api/v1/notifications")
                .then().statusCode(202).body("id", matchesPattern("[0-9a-f]{32}")).extract().path("id");

        // in-app: forwarded to chat-service once, with the app's own token
        await().atMost(WAIT).until(() -> chatCalls(appId).size() == 1);
        HttpReceiver.Request forwarded = chatCalls(appId).get(0);
        assertEquals("Bearer " + appToken, forwarded.header("Authorization"));
        JsonObject body = new JsonObject(forwarded.bodyText());
        assertEquals(id, body.getString("id"));
        assertEquals(new JsonArray(List.of(withEmail, withWebhook)), body.getJsonArray("users"));
        assertEquals("Your order shipped", body.getString("title"));
        assertEquals("Parcel 42 is on its way", body.getString("body"));
        assertEquals(42, body.getJsonObject("data").getInteger("order"));

        await().atMost(WAIT).until(() -> mailsTo(address).size() == 2);
        assertEquals("Your order shipped", subject(mailsTo(address).get(1)));
        await().atMost(WAIT).until(() -> endpoint.deliveries().size() == 1);
        assertEquals("notification", endpoint.deliveries().get(0).header("X-Parley-Event"));

        await().atMost(WAIT).until(() -> statuses(appToken, id).values().stream()
                .noneMatch(s -> s.equals("pending") || s.equals("sending") || s.equals("retrying")));
        Map<String, String> statuses = statuses(appToken, id);
        assertEquals(Map.of(
                withEmail + "/inapp", "delivered", withEmail + "/email", "delivered", withEmail + "/webhook", "no_channel",
                withWebhook + "/inapp", "delivered", withWebhook + "/email", "no_channel", withWebhook + "/webhook", "delivered"),
                statuses);
        given().auth().oauth2(appToken).get("/api/v1/notifications/" + id).then().statusCode(200)
                .body("id", equalTo(id)).body("title", equalTo("Your order shipped"))
                .body("deliveries", hasSize(6))
                .body("deliveries[0].attempts", Matchers.notNullValue())
                .body("deliveries[0].updatedAt", Matchers.greaterThan(0L));
        // counted per app (per tenant), beside the series of relays (no app) that exists from the start
        given().get("/q/metrics").then().statusCode(200)
                .body(Matchers.containsString("parley_notify_sent_total{app=\"" + appId + "\",channel=\"email\"} 1.0"))
                .body(Matchers.containsString("parley_notify_sent_total{app=\"" + appId + "\",channel=\"webhook\"} 1.0"))
                .body(Matchers.containsString("parley_notify_dead_total{app=\"\",channel=\"email\"}"));
    }

    @Test
    void shouldDeadLetterInAppWhenChatServiceFailsAndReplayWithTheAppsToken() {
        String appId = TestTokens.newAppId();
        String appToken = TestTokens.app(issuer, appId);
        long user = TestTokens.newUserId();
        receiver().on("/api/v1/apps/" + appId, request -> new HttpReceiver.Answer(503, "down"));
        String id = given().auth().oauth2(appToken).contentType(ContentType.JSON)
                .body(Map.of("users", List.of(user), "title", "t", "body", "b", "channels", List.of("inapp")))
                .post("/api/v1/notifications").then().statusCode(202).extract().path("id");
        await().atMost(WAIT).until(() -> "dead".equals(statuses(appToken, id).get(user + "/inapp")));
        assertEquals(5, chatCalls(appId).size());
        given().get("/q/metrics").then().statusCode(200)
                .body(Matchers.containsString("parley_notify_dead_total{app=\"" + appId + "\",channel=\"inapp\"} 1.0"));

        String deadId = given().auth().oauth2(appToken).get("/api/v1/deliveries?status=dead").then().statusCode(200)
                .body("$", hasSize(1)).body("[0].notification", equalTo(id))
                .body("[0].lastError", equalTo("chat-service answered HTTP 503")).extract().path("[0].id");
        // another app sees none of it
        String otherApp = TestTokens.app(issuer, TestTokens.newAppId());
        given().auth().oauth2(otherApp).get("/api/v1/deliveries?status=dead").then().body("$", hasSize(0));
        given().auth().oauth2(otherApp).post("/api/v1/deliveries/" + deadId + "/replay").then().statusCode(404);

        receiver().on("/api/v1/apps/" + appId, request -> new HttpReceiver.Answer(202,
                new JsonObject().put("id", id).put("accepted", new JsonArray(List.of(user))).encode()));
        given().auth().oauth2(appToken).post("/api/v1/deliveries/" + deadId + "/replay").then().statusCode(202);
        await().atMost(WAIT).until(() -> "delivered".equals(statuses(appToken, id).get(user + "/inapp")));
    }

    @Test
    void shouldMarkUsersChatServiceDidNotAcceptAsDead() {
        String appId = TestTokens.newAppId();
        String appToken = TestTokens.app(issuer, appId);
        long known = TestTokens.newUserId();
        long unknown = TestTokens.newUserId();
        receiver().on("/api/v1/apps/" + appId, request -> new HttpReceiver.Answer(202,
                new JsonObject().put("id", "x").put("accepted", new JsonArray(List.of(known))).encode()));
        String id = given().auth().oauth2(appToken).contentType(ContentType.JSON)
                .body(Map.of("users", List.of(known, unknown), "title", "t", "body", "b", "channels", List.of("inapp")))
                .post("/api/v1/notifications").then().statusCode(202).extract().path("id");
        await().atMost(WAIT).until(() -> statuses(appToken, id).size() == 2
                && !statuses(appToken, id).containsValue("pending") && !statuses(appToken, id).containsValue("sending"));
        assertEquals(Map.of(known + "/inapp", "delivered", unknown + "/inapp", "dead"), statuses(appToken, id));
        assertEquals(1, chatCalls(appId).size(), "not retried: chat-service answered");
    }

    @Test
    void shouldShowANotificationOnlyToTheAppThatSentIt() {
        String appToken = TestTokens.app(issuer, TestTokens.newAppId());
        String id = given().auth().oauth2(appToken).contentType(ContentType.JSON)
                .body(Map.of("users", List.of(TestTokens.newUserId()), "title", "t", "body", "b",
                        "channels", List.of("email")))
                .post("/api/v1/notifications").then().statusCode(202).extract().path("id");
        given().auth().oauth2(appToken).get("/api/v1/notifications/" + id).then().statusCode(200)
                .body("deliveries[0].status", equalTo("no_channel"));
        given().auth().oauth2(TestTokens.app(issuer, TestTokens.newAppId())).get("/api/v1/notifications/" + id)
                .then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        given().auth().oauth2(appToken).get("/api/v1/notifications/nope").then().statusCode(404);
        given().auth().oauth2(userToken(TestTokens.newUserId())).get("/api/v1/notifications/" + id)
                .then().statusCode(403).body("code", equalTo("FORBIDDEN"));
    }

    @Test
    void shouldRefuseBadNotificationsAndStoreNothing() {
        String appId = TestTokens.newAppId();
        String appToken = TestTokens.app(issuer, appId);
        List<Long> tooMany = LongStream.rangeClosed(1, 1001).boxed().toList();
        List<Map<String, Object>> invalid = new ArrayList<>(List.of(
                Map.of("title", "t", "body", "b", "channels", List.of("inapp")),
                Map.of("users", List.of(), "title", "t", "body", "b", "channels", List.of("inapp")),
                Map.of("users", tooMany, "title", "t", "body", "b", "channels", List.of("inapp")),
                Map.of("users", List.of(0), "title", "t", "body", "b", "channels", List.of("inapp")),
                Map.of("users", List.of(10_000_000_000L), "title", "t", "body", "b", "channels", List.of("inapp")),
                Map.of("users", List.of(1), "body", "b", "channels", List.of("inapp")),
                Map.of("users", List.of(1), "title", "x".repeat(201), "body", "b", "channels", List.of("inapp")),
                Map.of("users", List.of(1), "title", "t", "channels", List.of("inapp")),
                Map.of("users", List.of(1), "title", "t", "body", "b", "channels", List.of("sms")),
                Map.of("users", List.of(1), "title", "t", "body", "b", "channels", List.of())));
        for (Map<String, Object> body : invalid) {
            given().auth().oauth2(appToken).contentType(ContentType.JSON).body(body).post("/api/v1/notifications")
                    .then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
        }
        Map<String, Object> tooLong = new HashMap<>(Map.of("users", List.of(1), "title", "t", "body", "x".repeat(4001),
                "channels", List.of("inapp")));
        given().auth().oauth2(appToken).contentType(ContentType.JSON).body(tooLong).post("/api/v1/notifications")
                .then().statusCode(413).body("code", equalTo("PAYLOAD_TOO_LARGE"));
        tooLong.put("body", "x".repeat(70_000));
        given().auth().oauth2(appToken).contentType(ContentType.JSON).body(tooLong).post("/api/v1/notifications")
                .then().statusCode(413).body("code", equalTo("PAYLOAD_TOO_LARGE"));
        Map<String, Object> fine = Map.of("users", List.of(1), "title", "t", "body", "b", "channels", List.of("inapp"));
        given().contentType(ContentType.JSON).body(fine).post("/api/v1/notifications")
                .then().statusCode(401).body("code", equalTo("UNAUTHENTICATED"));
        given().auth().oauth2(appToken + "x").contentType(ContentType.JSON).body(fine).post("/api/v1/notifications")
                .then().statusCode(401);
        given().auth().oauth2(userToken(TestTokens.newUserId())).contentType(ContentType.JSON).body(fine)
                .post("/api/v1/notifications").then().statusCode(403).body("code", equalTo("FORBIDDEN"));

        assertEquals(0, count("SELECT COUNT(*) FROM notifications WHERE app_id = ?", appId));
        assertEquals(0, count("SELECT COUNT(*) FROM deliveries WHERE app_id = ?", appId));
        assertTrue(chatCalls(appId).isEmpty(), "nothing was sent");
    }

    private List<HttpReceiver.Request> chatCalls(String appId) {
        return receiver().requests("/api/v1/apps/" + appId + "/notifications");
    }

    private Map<String, String> statuses(String appToken, String id) {
        JsonPath json = given().auth().oauth2(appToken).get("/api/v1/notifications/" + id).then().statusCode(200)
                .extract().jsonPath();
        Map<String, String> out = new HashMap<>();
        List<Map<String, Object>> deliveries = json.getList("deliveries");
        for (Map<String, Object> d : deliveries) {
            out.put(d.get("user") + "/" + d.get("channel"), (String) d.get("status"));
        }
        return out;
    }
}
