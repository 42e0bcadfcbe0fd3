package io.parley.id.service;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.id.config.IdConfig;
import io.parley.id.repository.RedisKeys;
import io.parley.id.repository.RedisWorkerLeases;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.redis.datasource.value.ValueCommands;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import io.parley.id.SnowflakesReady;
import org.junit.jupiter.api.Test;

/**
 * The lease keeper of the running service against a real Redis: losing the lease is noticed by the scheduled
 * renewal, readiness goes DOWN and Snowflakes answer 503 until a worker id is leased again.
 */
@QuarkusTest
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = false)
class WorkerLeaseKeeperTest {

    private static final Duration RENEWAL_WAIT = Duration.ofSeconds(15);

    @Inject
    WorkerLeaseKeeper keeper;

    @Inject
    SnowflakeGenerator generator;

    @Inject
    RedisWorkerLeases leases;

    @Inject
    RedisDataSource redis;

    @Inject
    IdConfig config;

    @Test
    void shouldGoUnreadyWhenLeaseIsTakenAndNoWorkerIdIsFreeThenRecover() {
        int mine = awaitLease();
        long before = Long.parseLong(snowflake());
        ValueCommands<String, String> values = redis.value(String.class);
        List<String> foreign = new ArrayList<>();
        try {
            // Every other worker id is held by someone else, and ours is taken over.
            for (int w = 0; w < RedisWorkerLeases.WORKER_IDS; w++) {
                if (w != mine) {
                    String key = RedisKeys.workerLease(w);
                    if (values.setnx(key, "someone-else")) {
                        redis.key().pexpire(key, 120_000);
                        foreign.add(key);
                    }
                }
            }
            values.set(RedisKeys.workerLease(mine), "someone-else", new SetArgs().px(120_000));
            foreign.add(RedisKeys.workerLease(mine));

            await().atMost(RENEWAL_WAIT).untilAsserted(() -> given().when().get("/q/health/ready")
                    .then().statusCode(503)
                    .body("checks.find { it.name == 'snowflake-worker-lease' }.status", equalTo("DOWN")));
            assertEquals(-1, generator.workerId());
            given().when().get("/api/v1/snowflakes")
                    .then().statusCode(503)
                    .body("code", equalTo("UNAVAILABLE"));
            assertEquals("someone-else", leases.holder(mine), "the keeper never touched the other holder's lease");
        } finally {
            redis.key().del(foreign.toArray(String[]::new));
        }

        await().atMost(RENEWAL_WAIT).untilAsserted(() -> given().when().get("/q/health/ready")
                .then().statusCode(200));
        assertTrue(Long.parseLong(snowflake()) > before, "ids keep increasing under the new lease");
    }

    @Test
    void shouldNoticeADeletedLeaseAndLeaseAgain() {
        int mine = awaitLease();
        long lost = keeper.leasesLost();
        redis.key().del(RedisKeys.workerLease(mine));

        await().atMost(RENEWAL_WAIT).until(() -> keeper.leasesLost() > lost);
        int again = awaitLease();
        assertEquals(keeper.owner(), leases.holder(again));
        given().when().get("/api/v1/snowflakes").then().statusCode(200);
    }

    @Test
    void shouldReleaseTheWorkerIdAndLeaseAgain() {
        int mine = awaitLease();
        keeper.release();
        assertEquals(-1, generator.workerId());
        assertNull(leases.holder(mine), "released in Redis");

        keeper.renewNow();
        int again = awaitLease();
        assertEquals(keeper.owner(), leases.holder(again));
    }

    @Test
    void shouldKeepTheLeaseAliveByRenewingBeforeItExpires() {
        int mine = awaitLease();
        String key = RedisKeys.workerLease(mine);
        long ttl = config.snowflake().leaseTtl().toMillis();
        long since = System.nanoTime();
        // Without renewals the lease would be gone one ttl from now; renewed, it is still ours after that. (Comparing
        // the remaining time with an earlier reading missed when that reading was taken right at a renewal.)
        await().atMost(Duration.ofMillis(3 * ttl)).until(() -> System.nanoTime() - since > (ttl + 500) * 1_000_000
                && keeper.owner().equals(leases.holder(mine)) && redis.key().pttl(key) > 0);
        assertEquals(mine, generator.workerId());
        assertEquals(keeper.owner(), leases.holder(mine));
    }

    private int awaitLease() {
        await().atMost(RENEWAL_WAIT).until(() -> generator.workerId() >= 0);
        SnowflakesReady.await(); // past the fence, if the worker id had none
        return generator.workerId();
    }

    private static String snowflake() {
        return given().when().get("/api/v1/snowflakes").then().statusCode(200).extract().jsonPath().getString("ids[0]");
    }
}
