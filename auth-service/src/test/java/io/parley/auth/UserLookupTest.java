package io.parley.auth;

import static io.parley.auth.AuthTestSupport.PASSWORD;
import static io.parley.auth.AuthTestSupport.register;
import static io.parley.auth.AuthTestSupport.signedInUser;
import static io.parley.auth.AuthTestSupport.uniqueName;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /api/v1/users?ids=…} and {@code ?username=…} (the test profile's batch limit is 5). */
@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_auth"))
class UserLookupTest {

    @Test
    void shouldAnswerUsersByIdsInTheOrderAskedEachOnceWithoutUnknownOrDeletedOnes() {
        long ann = registerNamed("Ann");
        long ben = registerNamed("Ben");
        long gone = deletedUser();
        String token = (String) signedInUser().get("accessToken");

        given().auth().oauth2(token).queryParam("ids", ben + "," + gone + ",9999999999," + ann + "," + ben)
                .get("/api/v1/users")
                .then().statusCode(200)
                .body("users.id", contains((int) ben, (int) ann))
                .body("users.displayName", contains("Ben", "Ann"))
                .body("users[0].username", containsString("ben"))
                .body("users[0].keySet()", contains("id", "username", "displayName"));
        // repeats count once towards the limit: six entries, five distinct ids
        given().auth().oauth2(token).queryParam("ids", "1,2,3,4,5,1").get("/api/v1/users").then().statusCode(200);
        given().auth().oauth2(AppResourceTest.newAppToken()).queryParam("ids", Long.toString(ann))
                .get("/api/v1/users")
                .then().statusCode(200).body("users.id", contains((int) ann));
        given().auth().oauth2(token).queryParam("ids", Long.toString(gone))
                .get("/api/v1/users")
                .then().statusCode(200).body("users", empty());
    }

    @Test
    void shouldRefuseNoneTooManyOrMalformedIds() {
        String token = (String) signedInUser().get("accessToken");
        for (String bad : new String[] {"", ",", "1,,2", "1,", "abc", "0", "-5", "+5", "1.5", "1 2", "12345678901",
                "1,2,3,4,5,6"}) {
            given().auth().oauth2(token).queryParam("ids", bad).get("/api/v1/users")
                    .then().statusCode(400).body("code", equalTo("INVALID_INPUT")).body("message", containsString("ids"));
        }
    }

    @Test
    void shouldAskForExactlyOneOfIdsAndUsername() {
        String token = (String) signedInUser().get("accessToken");
        given().auth().oauth2(token).get("/api/v1/users")
                .then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
        given().auth().oauth2(token).queryParam("ids", "1").queryParam("username", "alice").get("/api/v1/users")
                .then().statusCode(400).body("code", equalTo("INVALID_INPUT"));
        given().queryParam("ids", "1").get("/api/v1/users")
                .then().statusCode(401).body("code", equalTo("UNAUTHENTICATED"));
    }

    @Test
    void shouldFindAUserByUsernameAsSignInDoes() {
        String username = uniqueName("cleo");
        long id = given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", PASSWORD, "displayName", "Cleo"))
                .post("/api/v1/users").then().statusCode(201).extract().jsonPath().getLong("id");
        String token = (String) signedInUser().get("accessToken");

        given().auth().oauth2(token).queryParam("username", username).get("/api/v1/users")
                .then().statusCode(200)
                .body("users", hasSize(1))
                .body("users[0].id", equalTo((int) id))
                .body("users[0].username", equalTo(username))
                .body("users[0].displayName", equalTo("Cleo"));
        given().auth().oauth2(AppResourceTest.newAppToken()).queryParam("username", username).get("/api/v1/users")
                .then().statusCode(200).body("users.id", contains((int) id));
        // usernames compare exactly, as at sign-in: another case is another (here: no) user
        given().auth().oauth2(token).queryParam("username", username.toUpperCase()).get("/api/v1/users")
                .then().statusCode(200).body("users", empty());
        given().auth().oauth2(token).queryParam("username", uniqueName("nobody")).get("/api/v1/users")
                .then().statusCode(200).body("users", empty());
    }

    @Test
    void shouldNotFindADeletedUserByUsernameAndRefuseNamesThatBreakTheRule() {
        String username = uniqueName("gone");
        deleteAccount(username);
        String token = (String) signedInUser().get("accessToken");
        given().auth().oauth2(token).queryParam("username", username).get("/api/v1/users")
                .then().statusCode(200).body("users", empty());
        for (String bad : new String[] {"", "ab", "has space", "x".repeat(33)}) {
            given().auth().oauth2(token).queryParam("username", bad).get("/api/v1/users")
                    .then().statusCode(400).body("code", equalTo("INVALID_INPUT")).body("message", containsString("username"));
        }
    }

    private static long registerNamed(String displayName) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("username", uniqueName(displayName.toLowerCase()), "password", PASSWORD,
                        "displayName", displayName))
                .post("/api/v1/users").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    private static long deletedUser() {
        return deleteAccount(uniqueName("gone"));
    }

    private static long deleteAccount(String username) {
        long id = register(username);
        String token = AuthTestSupport.login(username, PASSWORD, AuthTestSupport.uniqueAddress()).statusCode(201)
                .extract().path("accessToken");
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("password", PASSWORD))
                .delete("/api/v1/users/me").then().statusCode(204);
        return id;
    }
}
