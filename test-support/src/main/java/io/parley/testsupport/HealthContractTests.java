package io.parley.testsupport;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

/**
 * What every Parley service with Redis and a database promises operators: live, ready only with both
 * checked, Prometheus metrics, and the contract's error body for unknown paths. A service's test extends this
 * and adds its {@code @QuarkusTest} and test resources.
 */
public abstract class HealthContractTests {

    @Test
    void shouldBeLive() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void shouldBeReadyWithRedisAndDatabaseChecked() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body(containsString("Redis"))
                .body(containsString("Database"));
    }

    @Test
    void shouldExposePrometheusMetrics() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }

    @Test
    void shouldAnswerUnknownPathsWithContractErrorBody() {
        given().get("/api/v1/no-such-thing").then().statusCode(404).body("code", equalTo("NOT_FOUND"));
    }
}
