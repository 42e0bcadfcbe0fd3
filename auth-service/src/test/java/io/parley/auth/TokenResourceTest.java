package io.parley.auth;

import static io.parley.auth.AuthTestSupport.signedInUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasKey;

import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_auth"))
class TokenResourceTest {

    @Test
    void shouldIntrospectLiveToken() {
        Map<String, Object> session = signedInUser();
        introspect((String) session.get("accessToken"))
                .body("active", equalTo(true))
                .body("sub", equalTo(String.valueOf(session.get("userId"))))
                .body("did", equalTo("phone-1"))
                .body("sid", equalTo(session.get("sessionId")))
                .body("exp", greaterThan((int) (System.currentTimeMillis() / 1000)));
    }

    @Test
    void shouldReportRevokedAndGarbageTokensInactive() {
        Map<String, Object> session = signedInUser();
        String token = (String) session.get("accessToken");
        given().auth().oauth2(token).delete("/api/v1/sessions/current").then().statusCode(204);
        introspect(token).body("active", equalTo(false)).body("$", not(hasKey("sub")));
        introspect("garbage").body("active", equalTo(false));
    }

    @Test
    void shouldAnswer400WithoutToken() {
        given().contentType(ContentType.JSON).body(Map.of()).post("/api/v1/tokens/introspect")
                .then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
    }

    private static ValidatableResponse introspect(String token) {
        return given().contentType(ContentType.JSON).body(Map.of("token", token))
                .post("/api/v1/tokens/introspect").then().statusCode(200);
    }
}
