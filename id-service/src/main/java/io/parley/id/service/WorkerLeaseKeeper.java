package io.parley.id.service;

import io.parley.common.node.NodeName;
import io.parley.id.config.IdConfig;
import io.parley.id.repository.RedisWorkerLeases;
import io.parley.id.repository.RedisWorkerLeases.Lease;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Keeps this instance's Snowflake worker-id lease: takes one at start, renews it every
 * {@code parley.id.snowflake.renew-interval} (reserving timestamps two intervals ahead, stored as the worker
 * id's high-water mark before the generator may use them), notices when it is lost — then stops the generator
 * and takes another — and gives it back on graceful shutdown.
 * <p>
 * Runs on worker threads (start-up, the scheduler and shutdown) with blocking Redis calls; one lock orders them.
 */
@ApplicationScoped
public class WorkerLeaseKeeper {

    private static final Logger LOG = Logger.getLogger(WorkerLeaseKeeper.class);
    static final String JOB = "snowflake-worker-lease";

    private final RedisWorkerLeases leases;
    private final SnowflakeGenerator generator;
    private final Scheduler scheduler;
    private final IdConfig config;
    private final long reserveMillis;
    private final String owner;

    private boolean renewalFailing;
    private boolean noFreeWorkerLogged;
    private long leasesLost;
    private long leasesFenced;

    public WorkerLeaseKeeper(RedisWorkerLeases leases, SnowflakeGenerator generator, Scheduler scheduler,
                             IdConfig config) {
        this.leases = leases;
        this.generator = generator;
        this.scheduler = scheduler;
        this.config = config;
        this.reserveMillis = RedisWorkerLeases.reserveMillis(config);
        this.owner = instanceId();
    }

    void onStart(@Observes StartupEvent event) {
        validate(config);
        renewNow();
        scheduler.newJob(JOB)
                .setInterval(config.snowflake().renewInterval().toString())
                .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                .setTask(execution -> renewNow())
                .schedule();
    }

    void onStop(@Observes ShutdownEvent event) {
        scheduler.unscheduleJob(JOB);
        release();
    }

    /**
     * One renewal round: renews the lease held (or notices it is lost), and takes a lease when none is held.
     * Never throws: a Redis failure is logged, and the generator stops by itself when its reservation runs out.
     */
    public synchronized void renewNow() {
        try {
            int worker = generator.workerId();
            if (worker >= 0) {
                long ceiling = generator.reservationBase() + reserveMillis;
                if (leases.renew(worker, owner, ceiling)) {
                    generator.extend(ceiling);
                    redisReachable();
                    return;
                }
                generator.deactivate();
                leasesLost++;
                LOG.warnf("the lease of Snowflake worker id %d was lost (expired or taken); Snowflakes stop until "
                        + "a new worker id is leased", worker);
            }
            acquire();
            redisReachable();
        } catch (RuntimeException e) {
            if (!renewalFailing) {
                renewalFailing = true;
                LOG.warnf(e, "cannot reach Redis to lease or renew the Snowflake worker id; retrying every %s",
                        config.snowflake().renewInterval());
            }
        }
    }

    private void redisReachable() {
        if (renewalFailing) {
            renewalFailing = false;
            LOG.infof("Redis answers worker-id lease calls again");
        }
    }

    /** Stops the generator and gives the worker id back; the next {@link #renewNow()} would take one again. */
    public synchronized void release() {
        int worker = generator.workerId();
        if (worker < 0) {
            return;
        }
        long last = generator.deactivate();
        try {
            if (leases.release(worker, owner, last)) {
                LOG.infof("released Snowflake worker id %d", worker);
            }
        } catch (RuntimeException e) {
            LOG.warnf("could not release Snowflake worker id %d (it expires by itself): %s", worker, e.getMessage());
        }
    }

    /** How many worker ids were leased without a high-water mark, behind the fence. */
    public synchronized long leasesFenced() {
        return leasesFenced;
    }

    /** The id this instance holds leases under. */
    public String owner() {
        return owner;
    }

    /** How many times a held lease turned out to be lost. */
    public synchronized long leasesLost() {
        return leasesLost;
    }

    private void acquire() {
        long base = generator.reservationBase();
        Optional<Lease> lease = leases.acquire(owner, base);
        if (lease.isEmpty()) {
            if (!noFreeWorkerLogged) {
                noFreeWorkerLogged = true;
                LOG.warnf("all %d Snowflake worker ids are leased; retrying every %s", RedisWorkerLeases.WORKER_IDS,
                        config.snowflake().renewInterval());
            }
            return;
        }
        noFreeWorkerLogged = false;
        Lease l = lease.get();
        // Never reserve further than base + reservation (see SnowflakeGenerator.reservationBase): a fenced floor
        // lies beyond that, so the generator waits for a renewal once its clock is near the floor.
        generator.activate(l.workerId(), l.floor(), Math.min(l.ceiling(), base + reserveMillis));
        if (l.fenced()) {
            leasesFenced++;
            LOG.warnf("Snowflake worker id %d had no high-water mark in Redis (first start, or Redis lost its data): "
                    + "fenced, timestamps start above %d, %d ms ahead of this clock", l.workerId(), l.floor(),
                    l.floor() - base);
        }
        LOG.infof("leased Snowflake worker id %d as %s (timestamps above %d)", l.workerId(), owner, l.floor());
    }

    static void validate(IdConfig config) {
        IdConfig.Snowflake s = config.snowflake();
        long interval = s.renewInterval().toMillis();
        if (interval < 1_000) {
            // Quarkus' scheduler does not run interval jobs more often than once a second.
            throw new IllegalStateException("parley.id.snowflake.renew-interval (" + s.renewInterval()
                    + ") must be at least 1s");
        }
        if (s.leaseTtl().toMillis() <= 2 * interval) {
            throw new IllegalStateException("parley.id.snowflake.lease-ttl (" + s.leaseTtl()
                    + ") must be more than twice parley.id.snowflake.renew-interval (" + s.renewInterval() + ")");
        }
        if (s.maxClockSkew().isNegative()) {
            throw new IllegalStateException("parley.id.snowflake.max-clock-skew (" + s.maxClockSkew()
                    + ") must not be negative");
        }
        if (s.maxClockStepBack().toMillis() < 2 * interval) {
            throw new IllegalStateException("parley.id.snowflake.max-clock-step-back (" + s.maxClockStepBack()
                    + ") must be at least twice parley.id.snowflake.renew-interval (" + s.renewInterval()
                    + "): a replica taking a worker id over starts up to that far ahead of its clock");
        }
    }

    /** The lease owner: this instance's node name, and its process id for whoever reads the lease. */
    private static String instanceId() {
        return NodeName.unique() + "/" + ProcessHandle.current().pid();
    }
}
