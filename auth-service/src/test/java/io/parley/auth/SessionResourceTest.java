package io.parley.auth;

import static io.parley.auth.AuthTestSupport.PASSWORD;
import static io.parley.auth.AuthTestSupport.login;
import static io.parley.auth.AuthTestSupport.register;
import static io.parley.auth.AuthTestSupport.signedInUser;
import static io.parley.auth.AuthTestSupport.uniqueAddress;
import static io.parley.auth.AuthTestSupport.uniqueName;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.common.token.SessionKeys;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisServer;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_auth"))
class SessionResourceTest {

    @Test
    void shouldLoginWithContractShape() {
        String username = uniqueName("login");
        long id = register(username);
        login(username, PASSWORD, uniqueAddress()).statusCode(201)
                .body("accessToken", notNullValue())
                .body("refreshToken", notNullValue())
                .body("tokenType", equalTo("Bearer"))
                .body("expiresIn", greaterThan(0))
                .body("userId", equalTo((int) id))
                .body("sessionId", notNullValue());
    }

    @Test
    void accessTokenShouldBeOpaqueBase64urlJwe() {
        String token = (String) signedInUser().get("accessToken");
        String[] parts = token.split("\\.", -1);
        assertEquals(5, parts.length, "JWE compact serialization has five parts");
        assertTrue(token.matches("[A-Za-z0-9_.-]+"), "Base64url only");
        String header = new String(Base64.getUrlDecoder().decode(parts[0]));
        assertTrue(header.contains("\"A256KW\"") && header.contains("\"A256GCM\""), header);
        assertTrue(!token.contains("sid") && !new String(Base64.getUrlDecoder().decode(parts[3])).contains("sid"),
                "claims must not be readable");
    }

    @Test
    void shouldAnswer401ForWrongPasswordOrUnknownUser() {
        String username = uniqueName("wrong");
        register(username);
        login(username, "not the password", uniqueAddress()).statusCode(401).body("code", equalTo("BAD_CREDENTIALS"));
        login(uniqueName("nobody"), PASSWORD, uniqueAddress()).statusCode(401).body("code", equalTo("BAD_CREDENTIALS"));
    }

    @Test
    void shouldAnswer400ForMissingDeviceId() {
        given().contentType(ContentType.JSON).header("X-Forwarded-For", uniqueAddress())
                .body(Map.of("username", "someone", "password", PASSWORD))
                .post("/api/v1/sessions")
                .then().statusCode(400).body("code", equalTo("INVALID_INPUT")).body("message", Matchers.containsString("deviceId"));
    }

    @Test
    void shouldRotateRefreshTokenAndRefuseTheOldOne() {
        Map<String, Object> first = signedInUser();
        String oldRefresh = (String) first.get("refreshToken");
        Map<String, Object> second = refresh(oldRefresh).statusCode(200)
                .body("tokenType", equalTo("Bearer"))
                .body("sessionId", equalTo(first.get("sessionId")))
                .body("userId", equalTo(first.get("userId")))
                .extract().jsonPath().getMap("");
        assertNotEquals(oldRefresh, second.get("refreshToken"));
        given().auth().oauth2((String) second.get("accessToken")).get("/api/v1/users/me").then().statusCode(200);

        // Reusing the old refresh token means it was copied: refused, and the whole session is revoked.
        refresh(oldRefresh).statusCode(401).body("code", equalTo("REFRESH_TOKEN_INVALID"));
        refresh((String) second.get("refreshToken")).statusCode(401).body("code", equalTo("REFRESH_TOKEN_INVALID"));
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() ->
                given().auth().oauth2((String) second.get("accessToken")).get("/api/v1/users/me")
                        .then().statusCode(401).body("code", equalTo("TOKEN_REVOKED")));
    }

    @Test
    void shouldRefuseGarbageRefreshTokens() {
        for (String bad : new String[] {"", "nodot", "abc.", ".abc", "unknown-session.secret"}) {
            refresh(bad).statusCode(bad.isEmpty() ? 400 : 401);
        }
    }

    @Test
    void shouldRefuseWrongJsonTypesInsteadOfCoercingThem() {
        given().contentType(ContentType.JSON).body("{\"refreshToken\": 5}").post("/api/v1/sessions/refresh")
                .then().statusCode(400).body("code", equalTo("MALFORMED_JSON"));
        given().contentType(ContentType.JSON).header("X-Forwarded-For", uniqueAddress())
                .body("{\"username\": \"someone\", \"password\": 12345678, \"deviceId\": \"phone\"}")
                .post("/api/v1/sessions")
                .then().statusCode(400).body("code", equalTo("MALFORMED_JSON"));
        given().contentType(ContentType.JSON).body("{\"token\": false}").post("/api/v1/tokens/introspect")
                .then().statusCode(400).body("code", equalTo("MALFORMED_JSON"));
    }

    @Inject
    RedisDataSource redis;

    @Test
    void shouldAnnounceEveryEndedSessionOnTheSharedChannel() {
        Queue<String> ended = new ConcurrentLinkedQueue<>();
        var subscriber = redis.pubsub(String.class).subscribe(SessionKeys.ENDED_CHANNEL, ended::add);
        try {
            // logout
            Map<String, Object> first = signedInUser();
            given().auth().oauth2((String) first.get("accessToken")).delete("/api/v1/sessions/current").then().statusCode(204);
            String loggedOut = SessionKeys.endedMessage(
                    ((Number) first.get("userId")).longValue(), (String) first.get("sessionId"));
            await().atMost(Duration.ofSeconds(5)).until(() -> ended.contains(loggedOut));
            // refresh-token reuse
            Map<String, Object> second = signedInUser();
            String stolen = (String) second.get("refreshToken");
            refresh(stolen).statusCode(200);
            refresh(stolen).statusCode(401);
            String reused = SessionKeys.endedMessage(
                    ((Number) second.get("userId")).longValue(), (String) second.get("sessionId"));
            await().atMost(Duration.ofSeconds(5)).until(() -> ended.contains(reused));
            assertEquals(1, ended.stream().filter(loggedOut::equals).count(), "announced once");
        } finally {
            subscriber.unsubscribe();
        }
    }

    @Test
    void shouldRevokeSessionOnLogout() {
        Map<String, Object> session = signedInUser();
        String token = (String) session.get("accessToken");
        given().auth().oauth2(token).delete("/api/v1/sessions/current").then().statusCode(204);
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() ->
                given().auth().oauth2(token).get("/api/v1/users/me")
                        .then().statusCode(401).body("code", equalTo("TOKEN_REVOKED")));
        refresh((String) session.get("refreshToken")).statusCode(401);
    }

    @Test
    void shouldRefuseTokenWithinOneSecondWhenRevokedElsewhere() {
        // Another replica revokes the session: this node only sees Redis, through its cache.
        Map<String, Object> session = signedInUser();
        String token = (String) session.get("accessToken");
        given().auth().oauth2(token).get("/api/v1/users/me").then().statusCode(200); // now cached as live
        RedisServer.shared().command("DEL " + SessionKeys.session((String) session.get("sessionId")));
        long revokedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                given().auth().oauth2(token).get("/api/v1/users/me")
                        .then().statusCode(401).body("code", equalTo("TOKEN_REVOKED")));
        assertTrue(System.nanoTime() - revokedAt < Duration.ofSeconds(1).toNanos());
    }

    @Test
    void shouldRateLimitLoginsPerUserWithRetryAfter() {
        String username = uniqueName("brute");
        register(username);
        for (int i = 0; i < 5; i++) {
            login(username, "wrong password " + i, uniqueAddress()).statusCode(401);
        }
        login(username, PASSWORD, uniqueAddress()).statusCode(429)
                .body("code", equalTo("RATE_LIMITED"))
                .header("Retry-After", not(equalTo(null)));
    }

    @Test
    void shouldRateLimitLoginsPerAddress() {
        String address = uniqueAddress();
        for (int i = 0; i < 8; i++) {
            login(uniqueName("spray"), PASSWORD, address).statusCode(401);
        }
        String retryAfter = login(uniqueName("spray"), PASSWORD, address).statusCode(429)
                .body("code", equalTo("RATE_LIMITED")).extract().header("Retry-After");
        long seconds = Long.parseLong(retryAfter);
        assertTrue(seconds >= 1 && seconds <= 30, "Retry-After " + seconds);
    }

    @Test
    void logoutShouldNeedAToken() {
        given().delete("/api/v1/sessions/current").then().statusCode(401).body("code", equalTo("UNAUTHENTICATED"));
    }

    private static ValidatableResponse refresh(String refreshToken) {
        return given().contentType(ContentType.JSON).body(Map.of("refreshToken", refreshToken))
                .post("/api/v1/sessions/refresh").then();
    }
}
