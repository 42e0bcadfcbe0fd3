package io.parley.auth;

import static io.parley.auth.AuthTestSupport.signedInUser;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.common.redis.SharedKeys;
import io.parley.common.token.SessionKeys;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/** The operator's admin API: apps listed, disabled and enabled; a user's sessions ended; a user blocked from sending. */
@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_auth"))
class AdminResourceTest {

    private static final String ADMIN = AppResourceTest.ADMIN_KEY;

    @Inject
    RedisDataSource redis;

    private static String appToken(Map<String, Object> app, int expectedStatus) {
        return given().header("X-Api-Key", app.get("apiKey")).post("/api/v1/apps/" + app.get("appId") + "/tokens")
                .then().statusCode(expectedStatus).extract().path(expectedStatus == 201 ? "accessToken" : "code");
    }

    private static int appCall(String token) {
        return given().auth().oauth2(token).get("/api/v1/users/1").statusCode();
    }

    @Test
    void shouldRefuseEveryAdminCallWithoutTheAdminKey() {
        given().get("/api/v1/admin/apps").then().statusCode(401).body("code", equalTo("BAD_ADMIN_KEY"));
        given().header("X-Admin-Key", "guess").post("/api/v1/admin/apps/app_x/disable")
                .then().statusCode(401).body("code", equalTo("BAD_ADMIN_KEY"));
        String user = String.valueOf(signedInUser().get("userId"));
        given().header("X-Admin-Key", "guess").delete("/api/v1/admin/users/" + user + "/sessions").then().statusCode(401);
        given().header("X-Admin-Key", "guess").put("/api/v1/admin/users/" + user + "/send-block").then().statusCode(401);
    }

    @Test
    void shouldListAppsPageByPage() {
        Map<String, Object> first = AppResourceTest.newApp();
        AppResourceTest.newApp();
        List<String> ids = given().header("X-Admin-Key", ADMIN).get("/api/v1/admin/apps?limit=500")
                .then().statusCode(200).extract().jsonPath().getList("apps.appId");
        assertTrue(ids.contains(first.get("appId")));
        String next = given().header("X-Admin-Key", ADMIN).get("/api/v1/admin/apps?limit=1")
                .then().statusCode(200).body("apps.size()", equalTo(1)).extract().path("next");
        given().header("X-Admin-Key", ADMIN).get("/api/v1/admin/apps?limit=1&after=" + next)
                .then().statusCode(200).body("apps[0].appId", equalTo(ids.get(1)));
        given().header("X-Admin-Key", ADMIN).get("/api/v1/admin/apps?limit=0")
                .then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
    }

    @Test
    void shouldStopADisabledAppsKeyAndTokensWithinASecondAndNotReviveOldTokensOnEnable() {
        Map<String, Object> app = AppResourceTest.newApp();
        String before = appToken(app, 201);
        assertEquals(200, appCall(before));

        long disabledAt = System.nanoTime();
        given().header("X-Admin-Key", ADMIN).post("/api/v1/admin/apps/" + app.get("appId") + "/disable")
                .then().statusCode(200).body("disabled", equalTo(true));
        await().atMost(Duration.ofSeconds(1).minusNanos(System.nanoTime() - disabledAt)).until(() -> appCall(before) == 401);
        assertEquals("APP_DISABLED", appToken(app, 403));
        given().contentType(ContentType.JSON).body(Map.of("token", before)).post("/api/v1/tokens/introspect")
                .then().statusCode(200).body("active", equalTo(false));
        given().header("X-Admin-Key", ADMIN).get("/api/v1/admin/apps?limit=500")
                .then().body("apps.findAll { it.disabled }.appId", hasItem(app.get("appId")));

        given().header("X-Admin-Key", ADMIN).post("/api/v1/admin/apps/" + app.get("appId") + "/enable")
                .then().statusCode(200).body("disabled", equalTo(false));
        String after = appToken(app, 201);
        assertEquals(200, appCall(after));
        assertEquals(401, appCall(before), "a token from before the disable stays refused");
        given().header("X-Admin-Key", ADMIN).post("/api/v1/admin/apps/app_nope/disable")
                .then().statusCode(404).body("code", equalTo("NOT_FOUND"));
    }

    @Test
    void shouldEndEverySessionOfAUserAndAnnounceEachOne() {
        Map<String, Object> phone = signedInUser();
        long user = ((Number) phone.get("userId")).longValue();
        Queue<String> ended = new ConcurrentLinkedQueue<>();
        var subscriber = redis.pubsub(String.class).subscribe(SessionKeys.ENDED_CHANNEL, ended::add);
        try {
            given().header("X-Admin-Key", ADMIN).delete("/api/v1/admin/users/" + user + "/sessions")
                    .then().statusCode(200).body("ended", equalTo(1));
            given().auth().oauth2((String) phone.get("accessToken")).get("/api/v1/users/me").then().statusCode(401);
            String message = SessionKeys.endedMessage(user, (String) phone.get("sessionId"));
            await().atMost(Duration.ofSeconds(5)).until(() -> ended.contains(message));
        } finally {
            subscriber.unsubscribe();
        }
        given().header("X-Admin-Key", ADMIN).delete("/api/v1/admin/users/abc/sessions")
                .then().statusCode(400).body("code", equalTo("INVALID_ID"));
    }

    @Test
    void shouldKeepASendBlockInMysqlAndAnnounceItToChatNodesThroughRedis() {
        long user = ((Number) signedInUser().get("userId")).longValue();
        Queue<String> changes = new ConcurrentLinkedQueue<>();
        var subscriber = redis.pubsub(String.class).subscribe(SharedKeys.SEND_BLOCKS_CHANNEL, changes::add);
        try {
            given().header("X-Admin-Key", ADMIN).put("/api/v1/admin/users/" + user + "/send-block")
                    .then().statusCode(200).body("blocked", equalTo(true));
            assertTrue(redis.set(String.class).sismember(SharedKeys.SEND_BLOCKED, String.valueOf(user)));
            await().atMost(Duration.ofSeconds(5)).until(() -> changes.contains(SharedKeys.sendBlockChange(user, true)));
            given().header("X-Admin-Key", ADMIN).get("/api/v1/admin/users/" + user + "/send-block")
                    .then().statusCode(200).body("blocked", equalTo(true));

            // Redis lost its copy: the resync puts it back from MySQL and tells the chat nodes to read it again
            redis.key().del(SharedKeys.SEND_BLOCKED);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> redis.set(String.class).sismember(SharedKeys.SEND_BLOCKED, String.valueOf(user)));
            await().atMost(Duration.ofSeconds(5)).until(() -> changes.contains(SharedKeys.SEND_BLOCKS_RELOAD));

            given().header("X-Admin-Key", ADMIN).delete("/api/v1/admin/users/" + user + "/send-block")
                    .then().statusCode(200).body("blocked", equalTo(false));
            assertTrue(!redis.set(String.class).sismember(SharedKeys.SEND_BLOCKED, String.valueOf(user)));
            await().atMost(Duration.ofSeconds(5)).until(() -> changes.contains(SharedKeys.sendBlockChange(user, false)));
        } finally {
            subscriber.unsubscribe();
        }
        given().header("X-Admin-Key", ADMIN).put("/api/v1/admin/users/9999999999/send-block")
                .then().statusCode(404).body("code", equalTo("NOT_FOUND"));
    }
}
