package io.parley.id.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.common.id.HttpSequenceBlockSource;
import io.parley.common.id.Id34;
import io.parley.common.id.SequenceAllocator;
import io.parley.common.id.SequenceBlock;
import io.parley.id.repository.RedisKeys;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@QuarkusTest
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = false)
class SequenceBlockResourceTest {

    @Inject
    RedisDataSource redis;

    @Inject
    Vertx vertx;

    @TestHTTPResource
    URL base;

    @Test
    void shouldLeaseABlockOfTheRequestedSize() {
        SequenceBlock block = lease(1_000);
        assertEquals(1_000, block.end() - block.start());
        assertTrue(block.start() >= 0);
    }

    @Test
    void shouldNeverLeaseOverlappingBlocksToConcurrentCallers() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<SequenceBlock> blocks = new ArrayList<>();
        try {
            List<Future<SequenceBlock>> leases = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int size = 1 + (i * 7919) % 5_000;
                leases.add(pool.submit(() -> lease(size)));
            }
            for (Future<SequenceBlock> lease : leases) {
                blocks.add(lease.get());
            }
        } finally {
            pool.shutdownNow();
        }
        blocks.sort(Comparator.comparingLong(SequenceBlock::start));
        for (int i = 1; i < blocks.size(); i++) {
            assertTrue(blocks.get(i).start() >= blocks.get(i - 1).end(),
                    "block " + blocks.get(i) + " overlaps " + blocks.get(i - 1));
        }
    }

    @Test
    void shouldNeverLeaseNumbersThatIdsOfThisServiceUse() {
        SequenceBlock block = lease(50_000);
        List<String> ids = new ArrayList<>(IdResourceTest.issue(10_000, 7));
        ids.addAll(IdResourceTest.issue(10_000, 7));
        for (String id : ids) {
            long sequence = Id34.parse(id).sequence();
            assertFalse(sequence >= block.start() && sequence < block.end(),
                    "id " + id + " uses a number of the leased block " + block);
        }
    }

    @Test
    void shouldLeaseAboveEveryEarlierBlockAfterRedisLostTheCounter() {
        SequenceBlock before = lease(1_000);
        redis.key().del(RedisKeys.SEQUENCE); // as FLUSHALL or an empty restart would

        SequenceBlock after = lease(1_000);
        assertTrue(after.start() >= before.end(), "re-seeded above the time fence: " + before + " then " + after);
        assertEquals(1_000, after.size());
    }

    @Test
    void shouldLeaseAboveEveryEarlierBlockWhenTheCounterComesFromARedisThatWasBehind() {
        SequenceBlock before = lease(1_000);
        // a replica promoted while behind: the counter is there but lower, last vouched for by another Redis process
        redis.value(String.class).set(RedisKeys.SEQUENCE, Long.toString(before.start() - 5_000));
        redis.value(String.class).set(RedisKeys.SEQUENCE_WRITER, "run-id-of-the-old-primary");

        SequenceBlock after = lease(1_000);
        assertTrue(after.start() >= before.end(), "fenced as if the counter were missing: " + before + " then " + after);
        SequenceBlock next = lease(1_000);
        assertEquals(after.end(), next.start(), "vouched for by this Redis now: no second fence");
    }

    @Test
    void shouldServeTheSharedHttpClientThatOtherServicesUse() throws Exception {
        HttpSequenceBlockSource source = new HttpSequenceBlockSource(WebClient.create(vertx), base.toURI());
        SequenceBlock block = source.lease(700).await().atMost(Duration.ofSeconds(10));
        assertEquals(700, block.size());

        SequenceAllocator allocator = new SequenceAllocator(source, 100);
        long[] numbers = allocator.next(250).await().atMost(Duration.ofSeconds(10));
        for (int i = 1; i < numbers.length; i++) {
            assertTrue(numbers[i] > numbers[i - 1]);
        }
        assertTrue(numbers[0] >= block.end(), "later leases start above earlier ones");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"size\":0}", "{\"size\":1000001}", "{\"size\":-4}", "{}", "{\"count\":5}"})
    void shouldRefuseSizeOutOfRange(String body) {
        given().contentType(ContentType.JSON).body(body).when().post("/api/v1/sequence-blocks")
                .then().statusCode(400)
                .body("code", equalTo("INVALID_INPUT"))
                .body("message", containsString("size"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"size\":", "{\"size\":\"many\"}", "not json",
            // wrong JSON types are refused, not coerced
            "{\"size\":\"500\"}", "{\"size\":500.7}", "{\"size\":true}", "{\"size\":\"\"}"})
    void shouldRefuseMalformedBody(String body) {
        given().contentType(ContentType.JSON).body(body).when().post("/api/v1/sequence-blocks")
                .then().statusCode(400)
                .body("code", equalTo("MALFORMED_JSON"));
    }

    @Test
    void shouldRefuseMissingBody() {
        given().contentType(ContentType.JSON).when().post("/api/v1/sequence-blocks")
                .then().statusCode(400)
                .body("code", equalTo("INVALID_INPUT"));
    }

    static SequenceBlock lease(int size) {
        var json = given().contentType(ContentType.JSON).body("{\"size\":" + size + "}")
                .when().post("/api/v1/sequence-blocks")
                .then().statusCode(200)
                .extract().jsonPath();
        return new SequenceBlock(json.getLong("start"), json.getLong("end"));
    }
}
