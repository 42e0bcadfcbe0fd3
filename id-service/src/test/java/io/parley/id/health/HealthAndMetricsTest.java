package io.parley.id.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.parley.id.SnowflakesReady;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = false)
class HealthAndMetricsTest {

    @BeforeEach
    void snowflakesIssued() {
        SnowflakesReady.await();
    }

    @Test
    void shouldBeReadyWithAWorkerLeaseAndRedis() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("snowflake-worker-lease"))
                .body("checks.find { it.name == 'snowflake-worker-lease' }.status", equalTo("UP"));
    }

    @Test
    void shouldBeLive() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void shouldCountIssuedIdsByKindInPrometheusMetrics() {
        given().queryParam("count", 3).when().get("/api/v1/ids").then().statusCode(200);
        given().queryParam("count", 3).when().get("/api/v1/snowflakes").then().statusCode(200);
        given().when().get("/q/metrics")
                .then().statusCode(200)
                .body(containsString("parley_ids_issued_total{kind=\"id34\""))
                .body(containsString("parley_ids_issued_total{kind=\"snowflake\""))
                .body(containsString("parley_id_snowflake_worker"))
                .body(containsString("parley_id_snowflake_leases_fenced_total"))
                .body(containsString("parley_id_sequence_reseeds_total"));
    }
}
