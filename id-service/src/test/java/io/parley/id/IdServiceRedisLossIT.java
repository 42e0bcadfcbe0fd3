package io.parley.id;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.testsupport.RedisServer;
import io.parley.testsupport.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redis loses everything twice — an operator's FLUSHALL, then a restart of a memory-only Redis — while two
 * packaged replicas keep issuing 34-character ids, Snowflakes and sequence blocks (a block leased before the
 * loss is held, as chat-service holds its blocks). Nothing is issued twice: no id, no Snowflake, no sequence
 * number (in an id or inside a block).
 */
class IdServiceRedisLossIT {

    private static final String TOKEN_KEY = "3QjGJ3j2eF7ojUUESyDbaYRiCXgTy3rAEEyS8V2oenY=";
    private static final long USER = 42;
    private static final int BATCH = 1_000;
    private static final int BLOCK = 5_000;
    /** Ids (of each kind) issued between two steps of the test: before the wipe, between, after the restart. */
    private static final long PER_PHASE = 40_000;

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RedisServer redis;
    private static final List<ServiceProcess> replicas = new ArrayList<>();

    @BeforeAll
    static void startTwoReplicasOnAMemoryOnlyRedis() throws Exception {
        redis = RedisServer.start();
        Map<String, String> env = Map.of("QUARKUS_REDIS_HOSTS", redis.uri(), "PARLEY_TOKEN_KEY", TOKEN_KEY,
                "PARLEY_ID_SNOWFLAKE_RENEW_INTERVAL", "1s", "PARLEY_ID_SNOWFLAKE_LEASE_TTL", "3s",
                "PARLEY_ID_SNOWFLAKE_MAX_CLOCK_STEP_BACK", "2s");
        ExecutorService starter = Executors.newFixedThreadPool(2);
        try {
            Future<ServiceProcess> a = starter.submit(() -> ServiceProcess.start("id-service-loss-a", env));
            Future<ServiceProcess> b = starter.submit(() -> ServiceProcess.start("id-service-loss-b", env));
            replicas.add(a.get());
            replicas.add(b.get());
        } finally {
            starter.shutdown();
        }
    }

    @AfterAll
    static void stopAll() {
        replicas.forEach(ServiceProcess::close);
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void shouldIssueNothingTwiceAcrossAFlushAllAndAMemoryOnlyRestart() throws Exception {
        ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> snowflakes = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<long[]> blocks = new ConcurrentLinkedQueue<>();
        AtomicLong idCount = new AtomicLong();
        AtomicLong snowflakeCount = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(3 * replicas.size());
        try {
            List<Future<?>> callers = new ArrayList<>();
            for (ServiceProcess replica : replicas) {
                callers.add(pool.submit(() -> issueUntilStopped(running, () -> {
                    List<String> got = idsFrom(replica, "/api/v1/ids?user=" + USER + "&count=" + BATCH);
                    ids.addAll(got);
                    idCount.addAndGet(got.size());
                })));
                callers.add(pool.submit(() -> issueUntilStopped(running, () -> {
                    List<String> got = idsFrom(replica, "/api/v1/snowflakes?count=" + BATCH);
                    got.forEach(s -> snowflakes.add(Long.parseLong(s)));
                    snowflakeCount.addAndGet(got.size());
                })));
                callers.add(pool.submit(() -> issueUntilStopped(running, () -> blocks.add(blockFrom(replica)))));
            }

            awaitMore(idCount, snowflakeCount);
            redis.flushAll();
            awaitMore(idCount, snowflakeCount);
            redis.crash();
            redis.restart(); // memory-only: it comes back empty
            awaitMore(idCount, snowflakeCount);

            running.set(false);
            for (Future<?> caller : callers) {
                caller.get(60, TimeUnit.SECONDS);
            }
        } finally {
            running.set(false);
            pool.shutdownNow();
        }

        long idsTwice = duplicates(ids.stream().sorted().toList());
        long snowflakesTwice = duplicates(snowflakes.stream().sorted().toList());
        assertAll(
                () -> assertEquals(0, idsTwice, "34-character ids issued twice (of " + ids.size() + ")"),
                () -> assertEquals(0, snowflakesTwice, "Snowflakes issued twice (of " + snowflakes.size() + ")"),
                () -> assertNoSequenceNumberTwice(ids, blocks));
    }

    /** Every sequence number — in an id or inside a leased block — belongs to one id or one block only. */
    private static void assertNoSequenceNumberTwice(ConcurrentLinkedQueue<String> ids, ConcurrentLinkedQueue<long[]> blocks) {
        List<long[]> ranges = new ArrayList<>(blocks);
        ids.forEach(id -> {
            long sequence = Long.parseLong(id.substring(24));
            ranges.add(new long[] {sequence, sequence + 1});
        });
        ranges.sort(Comparator.comparingLong(r -> r[0]));
        long overlaps = 0;
        long[] first = null;
        long end = Long.MIN_VALUE;
        for (long[] range : ranges) {
            if (range[0] < end) {
                if (overlaps++ == 0) {
                    first = range;
                }
            }
            end = Math.max(end, range[1]);
        }
        long[] firstOverlap = first;
        assertEquals(0, overlaps, () -> "sequence numbers handed out twice (ids and blocks of "
                + BLOCK + "), first at " + Arrays.toString(firstOverlap));
    }

    private static long duplicates(List<?> sorted) {
        long count = 0;
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).equals(sorted.get(i - 1))) {
                count++;
            }
        }
        return count;
    }

    /** Waits until both kinds have grown by {@link #PER_PHASE} since the call. */
    private static void awaitMore(AtomicLong idCount, AtomicLong snowflakeCount) {
        long ids = idCount.get() + PER_PHASE;
        long snowflakes = snowflakeCount.get() + PER_PHASE;
        await().atMost(Duration.ofSeconds(60))
                .until(() -> idCount.get() >= ids && snowflakeCount.get() >= snowflakes);
    }

    private interface Call {
        void run() throws Exception;
    }

    /** Calls until told to stop; a refused call (Redis away, Snowflakes paused by the fence) is tried again. */
    private static Void issueUntilStopped(AtomicBoolean running, Call call) {
        while (running.get()) {
            try {
                call.run();
            } catch (Refused | IOException e) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // a short pause before the retry
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return null;
    }

    private static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private static List<String> idsFrom(ServiceProcess replica, String pathAndQuery) throws Exception {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(replica.baseUrl() + pathAndQuery))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode body = answer(response);
        List<String> out = new ArrayList<>(body.get("ids").size());
        body.get("ids").forEach(id -> out.add(id.asText()));
        return out;
    }

    private static long[] blockFrom(ServiceProcess replica) throws Exception {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create(replica.baseUrl() + "/api/v1/sequence-blocks"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"size\":" + BLOCK + "}")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        JsonNode body = answer(response);
        long start = body.get("start").asLong();
        long end = body.get("end").asLong();
        assertTrue(end - start == BLOCK, () -> "a block of " + BLOCK + ": " + body);
        return new long[] {start, end};
    }

    private static JsonNode answer(HttpResponse<byte[]> response) throws Exception {
        if (response.statusCode() == 503) {
            throw new Refused(new String(response.body()));
        }
        assertEquals(200, response.statusCode(), () -> new String(response.body()));
        return JSON.readTree(response.body());
    }
}
