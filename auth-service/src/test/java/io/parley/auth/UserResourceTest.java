package io.parley.auth;

import static io.parley.auth.AuthTestSupport.PASSWORD;
import static io.parley.auth.AuthTestSupport.register;
import static io.parley.auth.AuthTestSupport.signedInUser;
import static io.parley.auth.AuthTestSupport.uniqueName;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

import io.parley.common.token.AccessTokenIssuer;
import io.parley.common.token.TokenClaims;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.Map;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_auth"))
class UserResourceTest {

    @Inject
    AccessTokenIssuer issuer;

    @Test
    void shouldRegisterUserWithDisplayName() {
        String username = uniqueName("alice");
        given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", PASSWORD, "displayName", "Alice A."))
                .post("/api/v1/users")
                .then().statusCode(201)
                .body("id", greaterThan(0))
                .body("username", equalTo(username))
                .body("displayName", equalTo("Alice A."))
                .body("$", not(Matchers.hasKey("password")))
                .body("$", not(Matchers.hasKey("passwordHash")));
    }

    @Test
    void shouldDefaultDisplayNameToUsername() {
        String username = uniqueName("bob");
        given().contentType(ContentType.JSON).body(Map.of("username", username, "password", PASSWORD))
                .post("/api/v1/users")
                .then().statusCode(201).body("displayName", equalTo(username));
    }

    @Test
    void shouldAnswer409ForTakenUsername() {
        String username = uniqueName("carol");
        register(username);
        given().contentType(ContentType.JSON).body(Map.of("username", username, "password", "another password"))
                .post("/api/v1/users")
                .then().statusCode(409).body("code", equalTo("USERNAME_TAKEN")).body("message", containsString(username));
    }

    @Test
    void shouldRefuseInvalidUsernamesAndPasswords() {
        for (String bad : new String[] {"ab", "has space", "x".repeat(33), "semi;colon", ""}) {
            given().contentType(ContentType.JSON).body(Map.of("username", bad, "password", PASSWORD))
                    .post("/api/v1/users")
                    .then().statusCode(400).body("code", equalTo("INVALID_INPUT")).body("message", containsString("username"));
        }
        for (String bad : new String[] {"short", "x".repeat(129)}) {
            given().contentType(ContentType.JSON).body(Map.of("username", uniqueName("dan"), "password", bad))
                    .post("/api/v1/users")
                    .then().statusCode(400).body("code", equalTo("INVALID_INPUT")).body("message", containsString("password"));
        }
        given().contentType(ContentType.JSON).body(Map.of("password", PASSWORD))
                .post("/api/v1/users")
                .then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
    }

    @Test
    void shouldAnswer400ForMalformedJson() {
        given().contentType(ContentType.JSON).body("{\"username\": \"eve\", ")
                .post("/api/v1/users")
                .then().statusCode(400).body("code", equalTo("MALFORMED_JSON"));
        given().contentType(ContentType.JSON).body("{\"username\": [1,2], \"password\": \"x\"}")
                .post("/api/v1/users")
                .then().statusCode(400).body("code", equalTo("MALFORMED_JSON"));
        given().contentType(ContentType.JSON)
                .post("/api/v1/users")
                .then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
    }

    @Test
    void shouldRefuseWrongJsonTypesInsteadOfCoercingThem() {
        String digits = Long.toString(System.nanoTime() % 1_000_000_000L + 1_000_000_000L);
        for (String body : new String[] {
                "{\"username\": " + digits + ", \"password\": \"" + PASSWORD + "\"}",
                "{\"username\": true, \"password\": \"" + PASSWORD + "\"}",
                "{\"username\": \"" + uniqueName("typed") + "\", \"password\": 123456789012}",
                "{\"username\": \"" + uniqueName("typed") + "\", \"password\": \"" + PASSWORD + "\", \"displayName\": 1.5}"}) {
            given().contentType(ContentType.JSON).body(body)
                    .post("/api/v1/users")
                    .then().statusCode(400).body("code", equalTo("MALFORMED_JSON")).body("message", containsString("wrong type"));
        }
        // nothing was created under the coerced name: it is still free
        given().contentType(ContentType.JSON).body(Map.of("username", digits, "password", PASSWORD))
                .post("/api/v1/users")
                .then().statusCode(201).body("username", equalTo(digits));
    }

    @Test
    void shouldAnswer413ForOversizeBody() {
        String huge = "x".repeat(70 * 1024);
        given().contentType(ContentType.JSON)
                .body(Map.of("username", uniqueName("big"), "password", PASSWORD, "displayName", huge))
                .post("/api/v1/users")
                .then().statusCode(413).body("code", equalTo("PAYLOAD_TOO_LARGE"));
    }

    @Test
    void shouldAnswer415And404And405WithErrorBody() {
        given().contentType(ContentType.TEXT).body("hello").post("/api/v1/users")
                .then().statusCode(415).body("code", equalTo("UNSUPPORTED_MEDIA_TYPE"));
        given().get("/api/v1/nothing-here")
                .then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        given().put("/api/v1/users/me")
                .then().statusCode(405).body("code", equalTo("METHOD_NOT_ALLOWED"));
    }

    @Test
    void shouldReturnCurrentUserForBearerToken() {
        Map<String, Object> session = signedInUser();
        given().auth().oauth2((String) session.get("accessToken"))
                .get("/api/v1/users/me")
                .then().statusCode(200)
                .body("id", equalTo(((Number) session.get("userId")).intValue()))
                .body("username", Matchers.startsWith("u_"));
    }

    @Test
    void shouldTakeTokenFromAccessTokenQueryParameter() {
        Map<String, Object> session = signedInUser();
        given().queryParam("access_token", session.get("accessToken"))
                .get("/api/v1/users/me")
                .then().statusCode(200);
    }

    @Test
    void shouldAnswer401WithoutToken() {
        given().get("/api/v1/users/me")
                .then().statusCode(401).body("code", equalTo("UNAUTHENTICATED")).header("WWW-Authenticate", "Bearer");
    }

    @Test
    void shouldAnswer401ForTamperedToken() {
        String token = (String) signedInUser().get("accessToken");
        // Flip one byte in the ciphertext part (the 4th of 5): the GCM tag no longer matches.
        int start = token.indexOf('.', token.indexOf('.', token.indexOf('.') + 1) + 1) + 1;
        char c = token.charAt(start + 3);
        String tampered = token.substring(0, start + 3) + (c == 'A' ? 'B' : 'A') + token.substring(start + 4);
        given().auth().oauth2(tampered).get("/api/v1/users/me")
                .then().statusCode(401).body("code", equalTo("TOKEN_INVALID"));
        given().auth().oauth2("not-a-token").get("/api/v1/users/me")
                .then().statusCode(401).body("code", equalTo("TOKEN_INVALID"));
    }

    @Test
    void shouldAnswer401ForExpiredToken() {
        Map<String, Object> session = signedInUser();
        long now = System.currentTimeMillis() / 1000;
        String expired = issuer.issue(TokenClaims.forUser(((Number) session.get("userId")).longValue(), "phone-1",
                (String) session.get("sessionId"), now - 120, now - 60));
        given().auth().oauth2(expired).get("/api/v1/users/me")
                .then().statusCode(401).body("code", equalTo("TOKEN_EXPIRED"));
    }

    @Test
    void shouldRefuseAppTokenOnUserEndpoint() {
        // an app token is authenticated but not a user: 403
        String appToken = AppResourceTest.newAppToken();
        given().auth().oauth2(appToken).get("/api/v1/users/me")
                .then().statusCode(403).body("code", equalTo("FORBIDDEN"));
    }

    @Test
    void shouldLookUpUserByIdForAnyUserOrApp() {
        String username = uniqueName("frank");
        long id = given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", PASSWORD, "displayName", "Frank F."))
                .post("/api/v1/users")
                .then().statusCode(201).extract().jsonPath().getLong("id");
        String userToken = (String) signedInUser().get("accessToken");
        given().auth().oauth2(userToken).get("/api/v1/users/" + id)
                .then().statusCode(200)
                .body("id", equalTo((int) id))
                .body("username", equalTo(username))
                .body("displayName", equalTo("Frank F."))
                .body("$", not(Matchers.hasKey("passwordHash")));
        given().auth().oauth2(AppResourceTest.newAppToken()).get("/api/v1/users/" + id)
                .then().statusCode(200).body("username", equalTo(username));
        given().auth().oauth2(userToken).get("/api/v1/users/9999999999")
                .then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        for (String bad : new String[] {"abc", "0", "-5", "12345678901"}) {
            given().auth().oauth2(userToken).get("/api/v1/users/" + bad)
                    .then().statusCode(400).body("code", equalTo("INVALID_ID"));
        }
        given().get("/api/v1/users/" + id)
                .then().statusCode(401).body("code", equalTo("UNAUTHENTICATED"));
    }

    /** Deleting one's account ends every session of it, refuses sign-in, hides the user and keeps the name taken. */
    @Test
    void shouldDeleteTheCallersAccountAndEndAllItsSessions() {
        String username = uniqueName("leaver");
        long id = register(username);
        String phone = AuthTestSupport.login(username, PASSWORD, AuthTestSupport.uniqueAddress()).statusCode(201)
                .extract().path("accessToken");
        String laptop = AuthTestSupport.login(username, PASSWORD, AuthTestSupport.uniqueAddress()).statusCode(201)
                .extract().path("accessToken");
        String other = (String) signedInUser().get("accessToken");

        given().auth().oauth2(phone).contentType(ContentType.JSON).body(Map.of("password", "not the password"))
                .delete("/api/v1/users/me").then().statusCode(401).body("code", equalTo("BAD_CREDENTIALS"));
        given().auth().oauth2(phone).contentType(ContentType.JSON).body(Map.of("password", PASSWORD))
                .delete("/api/v1/users/me").then().statusCode(204);

        for (String token : new String[] {phone, laptop}) {
            given().contentType(ContentType.JSON).body(Map.of("token", token)).post("/api/v1/tokens/introspect")
                    .then().statusCode(200).body("active", equalTo(false));
        }
        given().auth().oauth2(other).get("/api/v1/users/" + id).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        AuthTestSupport.login(username, PASSWORD, AuthTestSupport.uniqueAddress()).statusCode(401)
                .body("code", equalTo("BAD_CREDENTIALS"));
        given().contentType(ContentType.JSON).body(Map.of("username", username, "password", PASSWORD))
                .post("/api/v1/users").then().statusCode(409).body("code", equalTo("USERNAME_TAKEN"));
        given().contentType(ContentType.JSON).body(Map.of("token", other)).post("/api/v1/tokens/introspect")
                .then().statusCode(200).body("active", equalTo(true));
    }
}
