package io.parley.id.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasToString;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.common.id.Id34;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import io.parley.id.SnowflakesReady;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@QuarkusTest
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = false)
class IdResourceTest {

    @Test
    void shouldIssueOneIdForUserZeroByDefault() {
        List<String> ids = given().when().get("/api/v1/ids")
                .then().statusCode(200).body("ids", hasSize(1))
                .extract().jsonPath().getList("ids", String.class);
        assertEquals(Id34.LENGTH, ids.get(0).length());
        assertEquals("0000000000", ids.get(0).substring(14, 24));
    }

    @Test
    void shouldIssueTenThousandUniqueIncreasingIdsForTheUser() {
        Instant before = Instant.now().minusSeconds(1);
        List<String> ids = issue(10_000, 9_999_999_999L);
        assertEquals(10_000, ids.size());
        assertEquals(10_000, new HashSet<>(ids).size());
        assertStrictlyIncreasing(ids);
        for (String id : ids) {
            assertEquals(Id34.LENGTH, id.length());
            Id34.Parts parts = Id34.parse(id);
            assertEquals(9_999_999_999L, parts.user());
        }
        Instant time = Id34.parse(ids.get(0)).time().toInstant(ZoneOffset.UTC);
        assertTrue(!time.isBefore(before.minus(Duration.ofSeconds(1))) && !time.isAfter(Instant.now()),
                "the time part is now: " + time);
    }

    @Test
    void shouldKeepIncreasingAcrossCalls() {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            all.addAll(issue(3_000, 42));
        }
        assertEquals(15_000, new HashSet<>(all).size());
        assertStrictlyIncreasing(all);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "10001", "-1", "abc", "1.5", "99999999999999999999"})
    void shouldRefuseCountOutOfRange(String count) {
        given().queryParam("count", count).when().get("/api/v1/ids")
                .then().statusCode(400)
                .body("code", equalTo("INVALID_INPUT"))
                .body("message", containsString("count must be a whole number from 1 to 10000"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "10000000000", "x", "1e3"})
    void shouldRefuseUserOutOfRange(String user) {
        given().queryParam("user", user).when().get("/api/v1/ids")
                .then().statusCode(400)
                .body("code", equalTo("INVALID_INPUT"))
                .body("message", containsString("user must be a whole number from 0 to 9999999999"));
    }

    @Test
    void shouldDecodeA34CharacterId() {
        String id = issue(1, 1234567).get(0);
        Id34.Parts parts = Id34.parse(id);
        given().when().get("/api/v1/ids/" + id)
                .then().statusCode(200)
                .body("type", equalTo("id34"))
                .body("time", equalTo(parts.time().toInstant(ZoneOffset.UTC).toString()))
                .body("user", equalTo(1234567))
                // the sequence starts above the time fence: more than an int holds
                .body("sequence", hasToString(Long.toString(parts.sequence())));
    }

    @Test
    void shouldDecodeAFixed34CharacterId() {
        given().when().get("/api/v1/ids/2026112523365500000000420000000007")
                .then().statusCode(200)
                .body("type", equalTo("id34"))
                .body("time", equalTo("2026-11-25T23:36:55Z"))
                .body("user", equalTo(42))
                .body("sequence", equalTo(7));
    }

    @Test
    void shouldDecodeASnowflake() {
        long before = System.currentTimeMillis();
        SnowflakesReady.await();
        String id = given().when().get("/api/v1/snowflakes")
                .then().statusCode(200).extract().jsonPath().getString("ids[0]");
        long timestamp = given().when().get("/api/v1/ids/" + id)
                .then().statusCode(200)
                .body("type", equalTo("snowflake"))
                .extract().jsonPath().getLong("timestamp");
        assertTrue(timestamp >= before - 1_000 && timestamp <= System.currentTimeMillis() + 5_000,
                "timestamp " + timestamp + " is about now");
        // 2024-01-01T00:00:01Z, worker 5, sequence 9: (1000 << 22) | (5 << 12) | 9
        long composed = (1000L << 22) | (5L << 12) | 9;
        given().when().get("/api/v1/ids/" + composed)
                .then().statusCode(200)
                .body("timestamp", equalTo(1704067201000L))
                .body("worker", equalTo(5))
                .body("sequence", equalTo(9));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "12a4", "0", "-5", "9223372036854775808", "123456789012345678901",
            "99999999999999999999999999999999ab", "2026133125996000000000420000000007", "+1"})
    void shouldRefuseWhatIsNeitherForm(String text) {
        given().when().get("/api/v1/ids/" + text)
                .then().statusCode(400)
                .body("code", equalTo("INVALID_ID"));
    }

    static List<String> issue(int count, long user) {
        return given().queryParam("count", count).queryParam("user", user)
                .when().get("/api/v1/ids")
                .then().statusCode(200)
                .extract().jsonPath().getList("ids", String.class);
    }

    static void assertStrictlyIncreasing(List<String> ids) {
        for (int i = 1; i < ids.size(); i++) {
            assertTrue(ids.get(i).compareTo(ids.get(i - 1)) > 0,
                    "id " + i + " (" + ids.get(i) + ") is not above " + ids.get(i - 1));
        }
    }
}
