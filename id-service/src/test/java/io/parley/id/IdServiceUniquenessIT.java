package io.parley.id;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.id.service.Snowflake;
import io.parley.testsupport.RedisServer;
import io.parley.testsupport.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two id-service replicas, started from the packaged jar as separate processes in the prod profile, share one
 * real Redis. Callers, each bound to one replica, fetch a million 34-character ids and 200,000 Snowflakes:
 * nothing is issued twice across everything, and each caller's ids strictly increase.
 */
class IdServiceUniquenessIT {

    private static final String TOKEN_KEY = "3QjGJ3j2eF7ojUUESyDbaYRiCXgTy3rAEEyS8V2oenY=";
    private static final int CALLERS_PER_REPLICA = 2;
    private static final int BATCH = 10_000;
    private static final int ID34_TOTAL = 1_000_000;
    private static final int SNOWFLAKE_TOTAL = 200_000;
    /** One user for every caller, so uniqueness rests on the sequence alone. */
    private static final long USER = 42;

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RedisServer redis;
    private static final List<ServiceProcess> replicas = new ArrayList<>();

    record IdsBody(List<String> ids) {
    }

    @BeforeAll
    static void startTwoReplicas() throws Exception {
        redis = RedisServer.shared();
        Map<String, String> env = Map.of("QUARKUS_REDIS_HOSTS", redis.uri(), "PARLEY_TOKEN_KEY", TOKEN_KEY);
        ExecutorService starter = Executors.newFixedThreadPool(2);
        try {
            Future<ServiceProcess> a = starter.submit(() -> ServiceProcess.start("id-service-a", env));
            Future<ServiceProcess> b = starter.submit(() -> ServiceProcess.start("id-service-b", env));
            replicas.add(a.get());
            replicas.add(b.get());
        } finally {
            starter.shutdown();
        }
    }

    @AfterAll
    static void stopReplicas() {
        replicas.forEach(ServiceProcess::close);
    }

    @Test
    void shouldNeverIssueAnIdTwiceAcrossReplicasAndKeepEachCallersIdsIncreasing() throws Exception {
        int callers = replicas.size() * CALLERS_PER_REPLICA;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<List<String>>> id34Callers = new ArrayList<>();
            List<Future<List<String>>> snowflakeCallers = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                ServiceProcess replica = replicas.get(c % replicas.size());
                id34Callers.add(pool.submit(caller(replica, "/api/v1/ids?user=" + USER + "&count=", ID34_TOTAL / callers)));
                snowflakeCallers.add(pool.submit(caller(replica, "/api/v1/snowflakes?count=", SNOWFLAKE_TOTAL / callers)));
            }

            String[] allIds = new String[ID34_TOTAL];
            long[] sequences = new long[ID34_TOTAL];
            int n = 0;
            for (Future<List<String>> caller : id34Callers) {
                List<String> ids = caller.get();
                for (int i = 0; i < ids.size(); i++) {
                    String id = ids.get(i);
                    assertEquals(34, id.length());
                    if (i > 0) {
                        String previous = ids.get(i - 1);
                        assertTrue(id.compareTo(previous) > 0, () -> "a caller's ids increase: " + previous + " then " + id);
                    }
                    allIds[n] = id;
                    sequences[n++] = Long.parseLong(id.substring(24));
                }
            }
            assertEquals(ID34_TOTAL, n);
            assertNoDuplicates(allIds);
            assertNoDuplicates(sequences);

            long[] snowflakes = new long[SNOWFLAKE_TOTAL];
            int m = 0;
            List<Integer> workers = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                List<String> ids = snowflakeCallers.get(c).get();
                long previous = 0;
                for (String text : ids) {
                    long id = Long.parseLong(text);
                    long before = previous;
                    assertTrue(id > before, () -> "a caller's Snowflakes increase: " + before + " then " + id);
                    previous = id;
                    snowflakes[m++] = id;
                }
                if (c < replicas.size()) {
                    workers.add(Snowflake.decode(Long.parseLong(ids.get(0))).worker());
                }
            }
            assertEquals(SNOWFLAKE_TOTAL, m);
            assertNoDuplicates(snowflakes);
            assertNotEquals(workers.get(0), workers.get(1), "each replica leased its own worker id");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldGiveTheWorkerIdBackOnGracefulShutdown() throws Exception {
        ServiceProcess third = ServiceProcess.start("id-service-c", Map.of(
                "QUARKUS_REDIS_HOSTS", redis.uri(), "PARLEY_TOKEN_KEY", TOKEN_KEY));
        int worker;
        try {
            List<String> one = fetch(third, "/api/v1/snowflakes?count=1");
            worker = Snowflake.decode(Long.parseLong(one.get(0))).worker();
            assertEquals(":1", redis.command("EXISTS parley:id:{worker:" + worker + "}:lease"));
        } finally {
            third.close();
        }
        assertEquals(":0", redis.command("EXISTS parley:id:{worker:" + worker + "}:lease"),
                "released on SIGTERM, not left to expire");
        assertTrue(Files.readString(third.log()).contains("released Snowflake worker id " + worker));
    }

    @Test
    void shouldStopIssuingAndTurnUnreadyWhenRedisIsGone() throws Exception {
        RedisServer own = RedisServer.start();
        try (ServiceProcess lonely = ServiceProcess.start("id-service-d", Map.of(
                "QUARKUS_REDIS_HOSTS", own.uri(), "PARLEY_TOKEN_KEY", TOKEN_KEY,
                // configuration by environment, as in production: short renewals so the reservation runs out soon
                "PARLEY_ID_SNOWFLAKE_RENEW_INTERVAL", "1s", "PARLEY_ID_SNOWFLAKE_LEASE_TTL", "3s"))) {
            assertEquals(1, fetch(lonely, "/api/v1/snowflakes?count=1").size());
            own.close();

            // Renewals now fail: Snowflakes stop once the timestamps reserved in Redis are used up.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                HttpResponse<String> snowflakes = get(lonely, "/api/v1/snowflakes?count=1");
                assertEquals(503, snowflakes.statusCode());
                assertTrue(snowflakes.body().contains("\"code\":\"UNAVAILABLE\""), snowflakes.body());
            });
            HttpResponse<String> ready = get(lonely, "/q/health/ready");
            assertEquals(503, ready.statusCode());
            assertTrue(ready.body().contains("reservation ran out"), ready.body());

            HttpResponse<String> ids = get(lonely, "/api/v1/ids?count=10000");
            assertEquals(503, ids.statusCode(), ids.body());
            assertTrue(ids.body().contains("\"code\":\"UNAVAILABLE\""), ids.body());
        } finally {
            own.close();
        }
    }

    private static HttpResponse<String> get(ServiceProcess replica, String pathAndQuery)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(replica.baseUrl() + pathAndQuery))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Callable<List<String>> caller(ServiceProcess replica, String pathAndCountParameter, int total) {
        return () -> {
            List<String> mine = new ArrayList<>(total);
            while (mine.size() < total) {
                int count = Math.min(BATCH, total - mine.size());
                mine.addAll(fetch(replica, pathAndCountParameter + count));
            }
            return mine;
        };
    }

    private static List<String> fetch(ServiceProcess replica, String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(replica.baseUrl() + pathAndQuery))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), () -> pathAndQuery + ": " + new String(response.body()));
        return JSON.readValue(response.body(), IdsBody.class).ids();
    }

    private static void assertNoDuplicates(String[] ids) {
        String[] sorted = ids.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            assertNotEquals(sorted[i - 1], sorted[i], "issued twice");
        }
    }

    private static void assertNoDuplicates(long[] ids) {
        long[] sorted = ids.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            assertNotEquals(sorted[i - 1], sorted[i], "issued twice");
        }
    }
}
