package io.parley.id.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.id.service.Snowflake;
import io.parley.id.service.SnowflakeGenerator;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.hamcrest.Matchers;
import io.parley.id.SnowflakesReady;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@QuarkusTest
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = false)
class SnowflakeResourceTest {

    @Inject
    SnowflakeGenerator generator;

    @BeforeEach
    void snowflakesIssued() {
        SnowflakesReady.await();
    }

    @Test
    void shouldIssueOneSnowflakeAsDecimalStringByDefault() {
        given().when().get("/api/v1/snowflakes")
                .then().statusCode(200)
                .body("ids", hasSize(1))
                .body("ids[0]", Matchers.matchesPattern("[1-9][0-9]{1,18}"));
    }

    @Test
    void shouldIssueUniqueIncreasingSnowflakesWithinAndAcrossCalls() {
        List<Long> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            all.addAll(issue(10_000));
        }
        assertEquals(50_000, new HashSet<>(all).size());
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i) > all.get(i - 1), "snowflake " + i + " is not above the one before");
        }
        int worker = generator.workerId();
        assertTrue(worker >= 0);
        for (long id : all) {
            assertEquals(worker, Snowflake.decode(id).worker());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "10001", "-3", "many"})
    void shouldRefuseCountOutOfRange(String count) {
        given().queryParam("count", count).when().get("/api/v1/snowflakes")
                .then().statusCode(400)
                .body("code", equalTo("INVALID_INPUT"))
                .body("message", containsString("count must be a whole number from 1 to 10000"));
    }

    static List<Long> issue(int count) {
        List<String> ids = given().queryParam("count", count).when().get("/api/v1/snowflakes")
                .then().statusCode(200)
                .extract().jsonPath().getList("ids", String.class);
        List<Long> out = new ArrayList<>(ids.size());
        for (String id : ids) {
            out.add(Long.parseLong(id));
        }
        return out;
    }
}
