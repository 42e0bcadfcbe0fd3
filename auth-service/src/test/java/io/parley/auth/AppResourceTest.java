package io.parley.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.startsWith;

import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_auth"))
class AppResourceTest {

    static final String ADMIN_KEY = "test-admin-key";

    /** Creates an app and returns {@code {appId, apiKey}}. */
    static Map<String, Object> newApp() {
        return given().contentType(ContentType.JSON).header("X-Admin-Key", ADMIN_KEY)
                .body(Map.of("name", "shop backend"))
                .post("/api/v1/apps")
                .then().statusCode(201)
                .body("appId", startsWith("app_"))
                .body("apiKey", startsWith("pk_"))
                .extract().jsonPath().getMap("");
    }

    static String newAppToken() {
        Map<String, Object> app = newApp();
        return given().header("X-Api-Key", app.get("apiKey"))
                .post("/api/v1/apps/" + app.get("appId") + "/tokens")
                .then().statusCode(201).extract().path("accessToken");
    }

    @Test
    void shouldCreateAppAndIssueAppToken() {
        Map<String, Object> app = newApp();
        String token = given().header("X-Api-Key", app.get("apiKey"))
                .post("/api/v1/apps/" + app.get("appId") + "/tokens")
                .then().statusCode(201)
                .body("tokenType", equalTo("Bearer"))
                .body("expiresIn", greaterThan(0))
                .extract().path("accessToken");
        given().contentType(ContentType.JSON).body(Map.of("token", token)).post("/api/v1/tokens/introspect")
                .then().statusCode(200)
                .body("active", equalTo(true))
                .body("app", equalTo(app.get("appId")))
                .body("sub", equalTo("app:" + app.get("appId")));
    }

    @Test
    void shouldRefuseWrongAdminKey() {
        given().contentType(ContentType.JSON).header("X-Admin-Key", "guess").body(Map.of("name", "x"))
                .post("/api/v1/apps").then().statusCode(401).body("code", equalTo("BAD_ADMIN_KEY"));
        given().contentType(ContentType.JSON).body(Map.of("name", "x"))
                .post("/api/v1/apps").then().statusCode(401).body("code", equalTo("BAD_ADMIN_KEY"));
    }

    @Test
    void shouldRefuseWrongApiKeyAndUnknownAppAlike() {
        Map<String, Object> app = newApp();
        given().header("X-Api-Key", "pk_wrong").post("/api/v1/apps/" + app.get("appId") + "/tokens")
                .then().statusCode(401).body("code", equalTo("BAD_API_KEY"));
        given().header("X-Api-Key", app.get("apiKey")).post("/api/v1/apps/app_nosuchapp/tokens")
                .then().statusCode(401).body("code", equalTo("BAD_API_KEY"));
        given().post("/api/v1/apps/" + app.get("appId") + "/tokens")
                .then().statusCode(401).body("code", equalTo("BAD_API_KEY"));
    }

    @Test
    void shouldRefuseBadAppName() {
        given().contentType(ContentType.JSON).header("X-Admin-Key", ADMIN_KEY).body(Map.of("name", "x".repeat(65)))
                .post("/api/v1/apps").then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
    }
}
