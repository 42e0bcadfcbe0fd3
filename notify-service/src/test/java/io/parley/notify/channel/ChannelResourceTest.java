package io.parley.notify.channel;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.notify.sender.WebhookSignature;
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
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Binding, verification, listing and removal of channels, and what bad input gets. */
@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_notify"))
@QuarkusTestResource(GreenMailResource.class)
@QuarkusTestResource(ReceiverResource.class)
class ChannelResourceTest extends NotifyTestBase {

    @Test
    void shouldBindEmailAndVerifyWithTheMailedCode() {
        long user = TestTokens.newUserId();
        String token = userToken(user);
        String address = newAddress();

        String id = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("type", "email", "address", address))
                .post("/api/v1/channels")
                .then().statusCode(201)
                .body("id", matchesPattern("[0-9a-f]{32}"))
                .body("type", equalTo("email"))
                .body("address", equalTo(address))
                .body("verified", equalTo(false))
                .body("secret", nullValue())
                .extract().path("id");
        String code = awaitCode(address);

        String wrong = code.equals("000000") ? "111111" : "000000";
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", wrong))
                .post("/api/v1/channels/" + id + "/verify")
                .then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
        given().auth().oauth2(token).get("/api/v1/channels").then().statusCode(200)
                .body("find { it.id == '" + id + "' }.verified", equalTo(false));

        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", code))
                .post("/api/v1/channels/" + id + "/verify")
                .then().statusCode(200).body("verified", equalTo(true));
        given().auth().oauth2(token).get("/api/v1/channels").then().statusCode(200)
                .body("$", hasSize(1))
                .body("[0].id", equalTo(id))
                .body("[0].verified", equalTo(true));
    }

    @Test
    void shouldVoidTheCodeAfterTooManyWrongAttempts() {
        long user = TestTokens.newUserId();
        String token = userToken(user);
        String address = newAddress();
        String id = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("type", "email", "address", address))
                .post("/api/v1/channels").then().statusCode(201).extract().path("id");
        String code = awaitCode(address);
        String wrong = code.equals("000000") ? "111111" : "000000";
        for (int i = 0; i < 5; i++) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", wrong))
                    .post("/api/v1/channels/" + id + "/verify").then().statusCode(400);
        }
        // the right code no longer works: guessing is capped
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", code))
                .post("/api/v1/channels/" + id + "/verify").then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
    }

    @Test
    void shouldVerifyWebhookThatEchoesTheSignedChallenge() {
        long user = TestTokens.newUserId();
        WebhookEndpoint endpoint = new WebhookEndpoint(receiver());
        String[] channel = bindVerifiedWebhook(user, endpoint);

        assertTrue(channel[1].matches("[0-9a-f]{64}"), "the webhook's secret is returned once");
        HttpReceiver.Request challenge = endpoint.challenges().get(0);
        JsonObject body = new JsonObject(challenge.bodyText());
        assertEquals("challenge", body.getString("type"));
        assertEquals(channel[0], body.getString("channel"));
        assertEquals(WebhookSignature.sign(channel[1], challenge.body()), challenge.header("X-Parley-Signature"));
        // the secret is shown once: the list does not carry it
        given().auth().oauth2(userToken(user)).get("/api/v1/channels").then()
                .body("[0].secret", nullValue());
    }

    @Test
    void shouldVerifyWebhookWithTheChallengeAsCodeWhenItDoesNotEcho() {
        long user = TestTokens.newUserId();
        String token = userToken(user);
        String path = "/silent/" + UUID.randomUUID();
        receiver().on(path, request -> HttpReceiver.Answer.ok("thanks"));
        String id = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("type", "webhook", "address", receiver().url(path)))
                .post("/api/v1/channels").then().statusCode(201).body("verified", equalTo(false)).extract().path("id");
        await().atMost(WAIT).until(() -> !receiver().requests(path).isEmpty());
        String challenge = new JsonObject(receiver().requests(path).get(0).bodyText()).getString("challenge");
        given().auth().oauth2(token).get("/api/v1/channels").then().body("[0].verified", equalTo(false));

        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", challenge))
                .post("/api/v1/channels/" + id + "/verify").then().statusCode(200).body("verified", equalTo(true));
    }

    @Test
    void shouldSendWechatCodeThroughTheAdapterAndVerify() {
        long user = TestTokens.newUserId();
        String token = userToken(user);
        String openId = "o" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        String id = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("type", "wechat", "address", openId))
                .post("/api/v1/channels").then().statusCode(201).body("verified", equalTo(false)).extract().path("id");

        await().atMost(WAIT).until(() -> templateSendsTo(openId).size() == 1);
        HttpReceiver.Request send = templateSendsTo(openId).get(0);
        assertTrue(send.query().startsWith("access_token=token-"), send.query());
        JsonObject message = new JsonObject(send.bodyText());
        assertEquals(ReceiverResource.WECHAT_TEMPLATE, message.getString("template_id"));
        String text = message.getJsonObject("data").getJsonObject("body").getString("value");
        String code = text.replaceAll(".*?(\\d{6}).*", "$1");

        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", code))
                .post("/api/v1/channels/" + id + "/verify").then().statusCode(200).body("verified", equalTo(true));
        HttpReceiver.Request tokenCall = receiver().requests("/cgi-bin/token").get(0);
        assertTrue(tokenCall.query().contains("appid=" + ReceiverResource.WECHAT_APP_ID)
                && tokenCall.query().contains("secret=" + ReceiverResource.WECHAT_SECRET), tokenCall.query());
    }

    @Test
    void shouldRefuseBadChannelsAndStoreNothing() {
        long user = TestTokens.newUserId();
        String token = userToken(user);
        List<Map<String, Object>> bad = List.of(
                Map.of("type", "email", "address", "not-an-address"),
                Map.of("type", "email", "address", "a@b"),
                Map.of("type", "email", "address", "x@example.test\r\nBcc: victim@example.test"),
                Map.of("type", "webhook", "address", "ftp://example.test/hook"),
                Map.of("type", "webhook", "address", "not a url"),
                Map.of("type", "webhook", "address", "http:///nohost"),
                Map.of("type", "wechat", "address", "has spaces!"),
                Map.of("type", "pigeon", "address", "roof"),
                Map.of("type", "email"),
                Map.of("address", "a@example.test"),
                Map.of("type", "email", "address", "x".repeat(400) + "@example.test"));
        for (Map<String, Object> body : bad) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body(body).post("/api/v1/channels")
                    .then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
        }
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"type\": ")
                .post("/api/v1/channels").then().statusCode(400).body("code", equalTo("MALFORMED_JSON"));
        // wrong JSON types are refused, not coerced
        for (String body : new String[] {"{\"type\": \"wechat\", \"address\": 12345}", "{\"type\": true, \"address\": \"x\"}"}) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body(body)
                    .post("/api/v1/channels").then().statusCode(400).body("code", equalTo("MALFORMED_JSON"));
        }
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"digestSeconds\": \"30\"}")
                .put("/api/v1/preferences").then().statusCode(400).body("code", equalTo("MALFORMED_JSON"));
        given().auth().oauth2(token).contentType(ContentType.JSON).post("/api/v1/channels")
                .then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
        given().contentType(ContentType.JSON).body(Map.of("type", "email", "address", "a@example.test"))
                .post("/api/v1/channels").then().statusCode(401).body("code", equalTo("UNAUTHENTICATED"));
        given().auth().oauth2("garbage.token").contentType(ContentType.JSON)
                .body(Map.of("type", "email", "address", "a@example.test"))
                .post("/api/v1/channels").then().statusCode(401);
        given().auth().oauth2(TestTokens.app(issuer, TestTokens.newAppId())).contentType(ContentType.JSON)
                .body(Map.of("type", "email", "address", "a@example.test"))
                .post("/api/v1/channels").then().statusCode(403).body("code", equalTo("FORBIDDEN"));
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"type\":\"email\",\"address\":\"" + "a".repeat(70_000) + "\"}")
                .post("/api/v1/channels").then().statusCode(413).body("code", equalTo("PAYLOAD_TOO_LARGE"));

        given().auth().oauth2(token).get("/api/v1/channels").then().statusCode(200).body("$", hasSize(0));
        assertEquals(0, count("SELECT COUNT(*) FROM channels WHERE user_id = ?", user));
    }

    @Test
    void shouldRefuseADuplicateWithConflict() {
        long user = TestTokens.newUserId();
        String token = userToken(user);
        String address = newAddress();
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("type", "email", "address", address))
                .post("/api/v1/channels").then().statusCode(201);
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("type", "email", "address", address.replace("example.test", "EXAMPLE.test")))
                .post("/api/v1/channels").then().statusCode(409).body("code", equalTo("CONFLICT"));
        assertEquals(1, count("SELECT COUNT(*) FROM channels WHERE user_id = ?", user));
    }

    @Test
    void shouldNotRevealOrTouchAnotherUsersChannel() {
        long owner = TestTokens.newUserId();
        long other = TestTokens.newUserId();
        String address = newAddress();
        String id = given().auth().oauth2(userToken(owner)).contentType(ContentType.JSON)
                .body(Map.of("type", "email", "address", address))
                .post("/api/v1/channels").then().statusCode(201).extract().path("id");
        String code = awaitCode(address);
        String otherToken = userToken(other);

        given().auth().oauth2(otherToken).contentType(ContentType.JSON).body(Map.of("code", code))
                .post("/api/v1/channels/" + id + "/verify").then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        given().auth().oauth2(otherToken).delete("/api/v1/channels/" + id).then().statusCode(404);
        given().auth().oauth2(otherToken).get("/api/v1/channels").then().body("$", hasSize(0));
        given().auth().oauth2(userToken(owner)).get("/api/v1/channels").then()
                .body("$", hasSize(1)).body("[0].verified", equalTo(false));

        given().auth().oauth2(userToken(owner)).delete("/api/v1/channels/" + id).then().statusCode(204);
        given().auth().oauth2(userToken(owner)).get("/api/v1/channels").then().body("$", hasSize(0));
        assertFalse(count("SELECT COUNT(*) FROM channels WHERE id = ?", id) > 0);
    }

    @Test
    void shouldKeepPreferencesAndRefuseBadOnes() {
        long user = TestTokens.newUserId();
        String token = userToken(user);
        given().auth().oauth2(token).get("/api/v1/preferences").then().statusCode(200)
                .body("relay", equalTo(true)).body("channels", equalTo(List.of("email", "webhook", "wechat")));
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("relay", true, "digestSeconds", 60, "channels", List.of("webhook")))
                .put("/api/v1/preferences").then().statusCode(200)
                .body("digestSeconds", equalTo(60)).body("channels", equalTo(List.of("webhook")));
        given().auth().oauth2(token).get("/api/v1/preferences").then()
                .body("digestSeconds", equalTo(60)).body("channels", equalTo(List.of("webhook")));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("digestSeconds", -1))
                .put("/api/v1/preferences").then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("channels", List.of("fax")))
                .put("/api/v1/preferences").then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
    }

    private List<HttpReceiver.Request> templateSendsTo(String openId) {
        return receiver().requests("/cgi-bin/message/template/send").stream()
                .filter(r -> openId.equals(new JsonObject(r.bodyText()).getString("touser"))).toList();
    }
}
