package io.parley.auth;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** Small helpers the auth tests share: unique names and the calls most tests start with. */
final class AuthTestSupport {

    static final String PASSWORD = "correct horse battery";

    private AuthTestSupport() {
    }

    static String uniqueName(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger(1);

    /**
     * A client address no other call in this JVM gets, so each test has its own per-address login budget. (A random
     * one could repeat the address a rate-limit test has just used up, and that login got 429 in CI.)
     */
    static String uniqueAddress() {
        int n = NEXT_ADDRESS.getAndIncrement();
        return "10." + (n >> 16 & 0xff) + "." + (n >> 8 & 0xff) + "." + (n & 0xff);
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
