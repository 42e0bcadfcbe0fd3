package io.parley.id.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.id.config.IdConfig;
import io.parley.id.repository.RedisWorkerLeases.Lease;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Worker-id leases against a real Redis. */
@QuarkusTest
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = false)
class RedisWorkerLeasesTest {

    @Inject
    RedisWorkerLeases leases;

    @Inject
    RedisDataSource redis;

    @Inject
    IdConfig config;

    @Test
    void shouldNeverGiveTwoHoldersTheSameWorkerId() throws Exception {
        int holders = 64;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Lease> taken = new ArrayList<>();
        try {
            List<Future<Lease>> attempts = new ArrayList<>();
            for (int i = 0; i < holders; i++) {
                String owner = "test-holder-" + i;
                attempts.add(pool.submit(() -> leases.acquire(owner, System.currentTimeMillis()).orElseThrow()));
            }
            for (Future<Lease> attempt : attempts) {
                taken.add(attempt.get());
            }
            Set<Integer> workerIds = new HashSet<>();
            for (Lease lease : taken) {
                workerIds.add(lease.workerId());
            }
            assertEquals(holders, workerIds.size(), "every holder got its own worker id: " + taken);
        } finally {
            pool.shutdownNow();
            for (int i = 0; i < taken.size(); i++) {
                leases.release(taken.get(i).workerId(), "test-holder-" + i, 0);
            }
        }
    }

    @Test
    void shouldNotLetAnotherHolderTakeOrRenewAHeldWorkerId() {
        Lease lease = leases.acquire("holder-a", System.currentTimeMillis()).orElseThrow();
        int worker = lease.workerId();
        try {
            assertTrue(leases.tryAcquire(worker, "holder-b", System.currentTimeMillis()).isEmpty());
            assertFalse(leases.renew(worker, "holder-b", lease.ceiling() + 1));
            assertFalse(leases.release(worker, "holder-b", 0));
            assertEquals("holder-a", leases.holder(worker));
            assertTrue(leases.renew(worker, "holder-a", lease.ceiling() + 1));
        } finally {
            leases.release(worker, "holder-a", lease.ceiling() + 1);
        }
    }

    @Test
    void shouldStartANewHolderAboveEverythingAnEarlierHolderReserved() {
        long now = System.currentTimeMillis();
        Lease first = leases.acquire("holder-c", now).orElseThrow();
        int worker = first.workerId();
        assertTrue(first.ceiling() >= now + RedisWorkerLeases.reserveMillis(config));
        long reserved = first.ceiling() + 30_000;
        assertTrue(leases.renew(worker, "holder-c", reserved));

        // The lease expires (here: vanishes) without a release; the next holder must start above the reservation.
        redis.key().del(RedisKeys.workerLease(worker));
        Lease second = leases.tryAcquire(worker, "holder-d", now).orElseThrow();
        try {
            assertEquals(reserved, second.floor());
            assertTrue(second.ceiling() > reserved);
        } finally {
            leases.release(worker, "holder-d", second.floor());
        }
    }

    @Test
    void shouldFenceAWorkerIdWhoseHighWaterMarkRedisLost() {
        long now = System.currentTimeMillis();
        Lease first = leases.acquire("holder-h", now).orElseThrow();
        int worker = first.workerId();
        // The holder reserves as far as a renewal ever can: clock + the largest ridden-out step back + reservation.
        long furthest = now + config.snowflake().maxClockStepBack().toMillis() + RedisWorkerLeases.reserveMillis(config);
        assertTrue(leases.renew(worker, "holder-h", furthest));

        // Redis loses both keys (FLUSHALL, an empty restart); holder-h still issues from memory up to its ceiling.
        redis.key().del(RedisKeys.workerLease(worker), RedisKeys.workerHighWaterMark(worker));
        Lease second = leases.tryAcquire(worker, "holder-i", now).orElseThrow();
        try {
            assertTrue(second.fenced(), "a worker id without a high-water mark is fenced");
            assertTrue(second.floor() > furthest, "the new holder starts above anything the old one can still "
                    + "issue: floor " + second.floor() + ", old holder up to " + furthest);
            assertEquals(now + RedisWorkerLeases.fenceMillis(config), second.floor());
        } finally {
            leases.release(worker, "holder-i", second.floor());
        }
    }

    @Test
    void shouldFenceAWorkerIdWhoseHighWaterMarkAnotherRedisWrote() {
        long now = System.currentTimeMillis();
        Lease first = leases.acquire("holder-l", now).orElseThrow();
        int worker = first.workerId();
        long furthest = now + config.snowflake().maxClockStepBack().toMillis() + RedisWorkerLeases.reserveMillis(config);
        assertTrue(leases.renew(worker, "holder-l", furthest));

        // a replica promoted while behind: the lease gone, the mark there but older, written under the old primary
        redis.key().del(RedisKeys.workerLease(worker));
        redis.value(String.class).set(RedisKeys.workerHighWaterMark(worker), Long.toString(now - 60_000));
        redis.value(String.class).set(RedisKeys.workerWriter(worker), "run-id-of-the-old-primary");
        Lease second = leases.tryAcquire(worker, "holder-m", now).orElseThrow();
        try {
            assertTrue(second.fenced(), "a mark another Redis process wrote is fenced like a missing one");
            assertTrue(second.floor() > furthest, "above anything the old holder can still issue: floor "
                    + second.floor() + ", old holder up to " + furthest);
        } finally {
            leases.release(worker, "holder-m", second.floor());
        }
        Lease third = leases.tryAcquire(worker, "holder-n", now).orElseThrow();
        try {
            assertFalse(third.fenced(), "vouched for by this Redis now: " + third);
        } finally {
            leases.release(worker, "holder-n", third.floor());
        }
    }

    @Test
    void shouldPreferAWorkerIdHeldBeforeToAFencedOne() {
        long now = System.currentTimeMillis();
        Lease first = leases.acquire("holder-j", now).orElseThrow();
        assertTrue(leases.release(first.workerId(), "holder-j", now));

        Lease next = leases.acquire("holder-k", now).orElseThrow();
        try {
            assertFalse(next.fenced(), "a worker id with a high-water mark is taken first: " + next);
        } finally {
            leases.release(next.workerId(), "holder-k", next.floor());
        }
    }

    @Test
    void shouldLowerTheHighWaterMarkToTheLastIssuedTimestampOnRelease() {
        long now = System.currentTimeMillis();
        Lease lease = leases.acquire("holder-e", now).orElseThrow();
        int worker = lease.workerId();
        assertTrue(leases.release(worker, "holder-e", now + 5));
        assertNull(leases.holder(worker));

        Lease next = leases.tryAcquire(worker, "holder-f", now).orElseThrow();
        try {
            assertEquals(now + 5, next.floor(), "a restart can take the worker id over right away");
        } finally {
            leases.release(worker, "holder-f", next.floor());
        }
    }

    @Test
    void shouldExpireALeaseThatIsNotRenewed() {
        Lease lease = leases.acquire("holder-g", System.currentTimeMillis()).orElseThrow();
        long ttl = redis.key().pttl(RedisKeys.workerLease(lease.workerId()));
        try {
            assertTrue(ttl > 0 && ttl <= 10_000, "the lease carries the configured TTL, was " + ttl);
        } finally {
            leases.release(lease.workerId(), "holder-g", lease.floor());
        }
    }
}
