package io.parley.id.repository;

import io.parley.common.redis.RedisScript;
import io.parley.id.config.IdConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Snowflake worker ids (0..1023) leased in Redis, so two live replicas never share one.
 * <p>
 * Guarantees: a lease is taken with {@code SET NX PX} and only its holder can renew or release it (the scripts
 * compare the stored holder first). Every lease carries a high-water mark: the holder reserves timestamps up to
 * a ceiling and the ceiling is stored <em>before</em> the holder may use it, so whoever takes the worker id
 * next — after a crash, an expiry or a release — starts above every timestamp any earlier holder issued, even
 * if their clocks disagree.
 * <p>
 * Blocking API (a few round trips, at start and once per renewal interval): call from worker threads only.
 */
@ApplicationScoped
public class RedisWorkerLeases {

    /** Worker ids are 10 bits. */
    public static final int WORKER_IDS = 1024;

    /**
     * A lease just taken: issue timestamps above {@code floor} and up to {@code ceiling} (epoch ms). {@code fenced}
     * when the worker id had no high-water mark, so the floor is the fence above the caller's clock.
     */
    public record Lease(int workerId, long floor, long ceiling, boolean fenced) {
    }

    private final RedisDataSource redis;
    private final RedisScript acquireScript = RedisScript.load("worker_acquire");
    private final RedisScript renewScript = RedisScript.load("worker_renew");
    private final RedisScript releaseScript = RedisScript.load("worker_release");
    private final String ttlMillis;
    private final long reserveMillis;
    private final String fenceMillis;

    public RedisWorkerLeases(RedisDataSource redis, IdConfig config) {
        this.redis = redis;
        this.ttlMillis = Long.toString(config.snowflake().leaseTtl().toMillis());
        this.reserveMillis = reserveMillis(config);
        this.fenceMillis = Long.toString(fenceMillis(config));
    }

    /**
     * How far above its clock the holder of a worker id found without a high-water mark starts: an earlier
     * holder that has not yet noticed the loss issues timestamps at most its reservation (2 renewal intervals)
     * plus the largest step back it rides out above its own clock, and its clock may be ahead of ours by the
     * allowed skew.
     */
    public static long fenceMillis(IdConfig config) {
        IdConfig.Snowflake s = config.snowflake();
        return reserveMillis(config) + s.maxClockStepBack().toMillis() + s.maxClockSkew().toMillis();
    }

    /**
     * How far ahead of its clock a holder reserves timestamps at each renewal: two renewal intervals, so one late
     * or failed renewal does not stop the generator.
     */
    public static long reserveMillis(IdConfig config) {
        return 2 * config.snowflake().renewInterval().toMillis();
    }

    /**
     * Takes the first free worker id, scanning all of them from a random offset (so replicas starting together
     * rarely contend for the same one): first those held before (listed in {@link RedisKeys#WORKERS_HELD}; with a
     * high-water mark they need no fence), then any.
     * Empty when all 1,024 are held.
     */
    public Optional<Lease> acquire(String owner, long nowMillis) {
        // The set is only a hint of where high-water marks are (the script checks the mark itself): one call
        // instead of a scan of all 1,024 worker ids.
        List<Integer> held = new ArrayList<>();
        Response members = redis.execute("SMEMBERS", RedisKeys.WORKERS_HELD);
        if (members != null) {
            members.forEach(member -> held.add(member.toInteger()));
        }
        Collections.shuffle(held);
        for (int workerId : held) {
            Optional<Lease> lease = tryAcquire(workerId, owner, nowMillis, true);
            if (lease.isPresent()) {
                return lease;
            }
        }
        int start = ThreadLocalRandom.current().nextInt(WORKER_IDS);
        for (int i = 0; i < WORKER_IDS; i++) {
            int workerId = (start + i) % WORKER_IDS;
            Optional<Lease> lease = tryAcquire(workerId, owner, nowMillis, false);
            if (lease.isPresent()) {
                return lease;
            }
        }
        return Optional.empty();
    }

    /** Takes this worker id if it is free (fenced if it has no high-water mark). */
    public Optional<Lease> tryAcquire(int workerId, String owner, long nowMillis) {
        return tryAcquire(workerId, owner, nowMillis, false);
    }

    private Optional<Lease> tryAcquire(int workerId, String owner, long nowMillis, boolean markedOnly) {
        Response reply = acquireScript.run(redis, keys(workerId), owner, ttlMillis,
                Long.toString(nowMillis), Long.toString(reserveMillis), fenceMillis, markedOnly ? "1" : "0");
        if (reply == null) {
            return Optional.empty();
        }
        redis.execute("SADD", RedisKeys.WORKERS_HELD, Integer.toString(workerId));
        return Optional.of(new Lease(workerId, reply.get(0).toLong(), reply.get(1).toLong(),
                reply.get(2).toLong() == 1));
    }

    /**
     * Extends the lease and stores {@code ceiling} as the high-water mark, only if {@code owner} still holds it.
     * False means the lease is lost: stop issuing with this worker id.
     */
    public boolean renew(int workerId, String owner, long ceiling) {
        Response reply = renewScript.run(redis, keys(workerId), owner, ttlMillis, Long.toString(ceiling));
        return reply != null && reply.toLong() == 1;
    }

    /**
     * Gives the worker id back, lowering the high-water mark to the last timestamp really issued. Only for a
     * holder that has stopped issuing. False if {@code owner} did not hold it.
     */
    public boolean release(int workerId, String owner, long lastIssuedMillis) {
        Response reply = releaseScript.run(redis, keys(workerId), owner, Long.toString(lastIssuedMillis));
        return reply != null && reply.toLong() == 1;
    }

    /** Who holds the worker id now, or null. For operations and tests. */
    public String holder(int workerId) {
        Response reply = redis.execute("GET", RedisKeys.workerLease(workerId));
        return reply == null ? null : reply.toString();
    }

    private static List<String> keys(int workerId) {
        // the writer only matters to the acquire script; one key list for the three scripts (one slot)
        return List.of(RedisKeys.workerLease(workerId), RedisKeys.workerHighWaterMark(workerId),
                RedisKeys.workerWriter(workerId));
    }
}
