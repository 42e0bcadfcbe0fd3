package io.parley.auth;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * X-Forwarded-For counts only from a trusted proxy (PARLEY_AUTH_TRUSTED_PROXIES). Here only 10.99.0.0/16 is trusted and
 * the test talks from 127.0.0.1: a new X-Forwarded-For on every attempt must not escape the per-address login limit.
 * (The other tests run with the default, loopback trusted, and give every login its own X-Forwarded-For address — which
 * shows the other half: a trusted proxy's header is honoured.)
 */
@QuarkusTest
@TestProfile(TrustedProxyTest.OnlyTheIngressIsTrusted.class)
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_auth"))
class TrustedProxyTest {

    public static class OnlyTheIngressIsTrusted implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.proxy.trusted-proxies", "10.99.0.0/16",
                    "parley.auth.login.per-address", "3",
                    "parley.auth.login.per-user", "1000");
        }
    }

    @Test
    void shouldIgnoreXForwardedForFromAnUntrustedPeer() {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            statuses.add(given().contentType(ContentType.JSON)
                    .header("X-Forwarded-For", "203.0.113." + (i + 1)) // a new "address" every time
                    .body(Map.of("username", AuthTestSupport.uniqueName("p"), "password", "wrong-password", "deviceId", "d"))
                    .post("/api/v1/sessions").statusCode());
        }
        assertEquals(List.of(401, 401, 401, 429, 429), statuses,
                "the attempts all count for 127.0.0.1, the address that really connected");
    }
}
