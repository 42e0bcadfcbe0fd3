package io.parley.id;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import org.awaitility.Awaitility;

/**
 * Waits until the instance under test issues Snowflakes. On a fresh test Redis the first worker id is fenced
 * (no high-water mark yet, as after a Redis loss): Snowflakes start about 2 renew-intervals + max-clock-skew later.
 */
public final class SnowflakesReady {

    private SnowflakesReady() {
    }

    public static void await() {
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().when().get("/q/health/ready").then().statusCode(200));
    }
}
