package io.parley.auth;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import java.util.UUID;

/** Small helpers the auth tests share: unique names and the calls most tests start with. */
final class AuthTestSupport {

    static final String PASSWORD = "correct horse battery";

    private AuthTestSupport() {
    }

    static String uniqueName(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A fresh client address, so each test has its own per-address login budget. */
    static String uniqueAddress() {
        return "10.9." + (int) (Math.random() * 250) + "." + (int) (Math.random() * 250);
    }

    static long register(String username) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", PASSWORD))
                .post("/api/v1/users")
                .then().statusCode(201)
                .extract().jsonPath().getLong("id");
    }

    static ValidatableResponse login(String username, String password, String address) {
        return given().contentType(ContentType.JSON)
                .header("X-Forwarded-For", address)
                .body(Map.of("username", username, "password", password, "deviceId", "phone-1"))
                .post("/api/v1/sessions")
                .then();
    }

    /** Registers and logs in a new user; returns the login answer. */
    static Map<String, Object> signedInUser() {
        String username = uniqueName("u");
        register(username);
        return login(username, PASSWORD, uniqueAddress()).statusCode(201).extract().jsonPath().getMap("");
    }
}
