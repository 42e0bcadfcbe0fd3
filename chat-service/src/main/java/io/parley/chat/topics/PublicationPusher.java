package io.parley.chat.topics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.delivery.NodeIdentity;
import io.parley.chat.protocol.ServerFrames;
import io.parley.chat.store.RedisKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.XGroupCreateArgs;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.parley.common.redis.RedisScript;
import io.quarkus.runtime.StartupEvent;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The pushers' side of the publication buffer. Each shard is pushed by exactly one node at a time (a lease in
 * Redis), in order: read a batch with the shard's consumer group, PUBLISH each publication's frame to its topic
 * channel, then acknowledge and delete the batch. A node that takes a shard over first re-pushes what the previous
 * owner had read but not acknowledged (at least once: a handover can repeat a batch, which clients de-duplicate by
 * the publication's {@code id}). Pushing runs on its own threads, never on the event loop.
 */
@ApplicationScoped
public class PublicationPusher {

    private static final Logger LOG = Logger.getLogger(PublicationPusher.class);
    private static final Duration LEASE = Duration.ofSeconds(5);
    /**
     * How long a read waits for publications: one returns at once when some arrive, so this only sets how often an
     * idle shard's owner asks again (no faster than once a second, issue 20) and how late a lost lease is noticed
     * (the new owner reclaims what was read and not acknowledged meanwhile).
     */
    private static final Duration BLOCK = Duration.ofSeconds(2);

    private final RedisDataSource redis;
    private final Redis client;
    private final NodeIdentity node;
    private final ServerFrames frames;
    private final ChatConfig config;
    private final MeterRegistry metrics;
    private static final RedisScript RENEW = RedisScript.load("lease_renew");

    private final Map<Integer, Boolean> owned = new ConcurrentHashMap<>();
    private final ScheduledExecutorService leaseKeeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "publication-leases");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger threadNumber = new AtomicInteger();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "publication-pusher-" + threadNumber.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopping;

    public PublicationPusher(RedisDataSource redis, Redis client, NodeIdentity node,
                             ServerFrames frames, ChatConfig config, MeterRegistry metrics) {
        this.redis = redis;
        this.client = client;
        this.node = node;
        this.frames = frames;
        this.config = config;
        this.metrics = metrics;
        // the series exists from the start (dashboards and alerts on rate()); each app's appears with its first push
        pushed("");
    }

    /** Publications pushed, by app ({@code ""}: the series that exists before any push). */
    private Counter pushed(String app) {
        return Counter.builder("parley.chat.publications.pushed").tag("app", app)
                .description("publications pushed from the buffer to subscribers' nodes").register(metrics);
    }

    /**
     * Leases are kept by a thread of their own, not the shared worker pool: a pool starved under load must not
     * let a lease lapse while this node is still pushing.
     */
    void start(@Observes StartupEvent event) {
        leaseKeeper.scheduleWithFixedDelay(this::maintainLeases, 1, 1, TimeUnit.SECONDS);
    }

    /** Renews the leases this node holds and takes free shards. */
    void maintainLeases() {
        if (stopping) {
            return;
        }
        for (int shard = 0; shard < config.topics().shards(); shard++) {
            try {
                if (owned.containsKey(shard)) {
                    if (!renew(shard)) {
                        owned.remove(shard);
                        LOG.warnf("lost the lease of publication shard %d", shard);
                    }
                } else if (acquire(shard)) {
                    owned.put(shard, Boolean.TRUE);
                    int s = shard;
                    threads.execute(() -> push(s));
                }
            } catch (RuntimeException e) {
                LOG.debugf("lease of publication shard %d: %s", shard, e.getMessage());
            }
        }
    }

    private boolean acquire(int shard) {
        var reply = redis.execute("SET", RedisKeys.publicationsOwner(shard), node.id(), "NX", "PX",
                Long.toString(LEASE.toMillis()));
        return reply != null && "OK".equals(reply.toString());
    }

    private boolean renew(int shard) {
        return RENEW.run(redis, List.of(RedisKeys.publicationsOwner(shard)), node.id(),
                Long.toString(LEASE.toMillis())).toInteger() == 1;
    }

    private void push(int shard) {
        String stream = RedisKeys.publications(shard);
        ensureGroup(stream);
        try {
            // the previous owner's read-but-unacknowledged publications first
            var claimed = redis.stream(String.class).xautoclaim(stream, RedisKeys.PUSHERS_GROUP, node.id(),
                    Duration.ZERO, "0", config.topics().pushBatch());
            deliver(stream, claimed.getMessages());
            // and anything this node itself had read before (a restart under the same id is unlikely, but cheap)
            deliver(stream, redis.stream(String.class).xreadgroup(RedisKeys.PUSHERS_GROUP, node.id(), stream, "0",
                    new XReadGroupArgs().count(config.topics().pushBatch())));
            while (!stopping && owned.containsKey(shard)) {
                List<StreamMessage<String, String, String>> batch = redis.stream(String.class).xreadgroup(
                        RedisKeys.PUSHERS_GROUP, node.id(), stream, ">",
                        new XReadGroupArgs().count(config.topics().pushBatch()).block(BLOCK));
                if (!owned.containsKey(shard)) {
                    break; // lost the lease while reading: the new owner reclaims this batch (read, not acknowledged)
                }
                deliver(stream, batch);
            }
        } catch (RuntimeException e) {
            if (!stopping) {
                LOG.warnf("pushing publication shard %d stopped: %s (the lease lapses; a node takes it over)", shard, e.getMessage());
                owned.remove(shard);
            }
        }
    }

    private void deliver(String stream, List<StreamMessage<String, String, String>> batch) {
        if (batch == null || batch.isEmpty()) {
            return;
        }
        List<Request> publishes = new ArrayList<>(batch.size());
        Map<String, Integer> byApp = new java.util.HashMap<>();
        String[] ids = new String[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            StreamMessage<String, String, String> entry = batch.get(i);
            ids[i] = entry.id();
            Map<String, String> f = entry.payload();
            String app = f.get(PublicationBuffer.APP);
            String topic = f.get(PublicationBuffer.TOPIC);
            if (app == null || topic == null) {
                continue; // malformed entry: acknowledged below, never retried forever
            }
            String frame = frames.publication(app, topic, f.get(PublicationBuffer.DATA),
                    "base64".equals(f.get(PublicationBuffer.ENCODING)), entry.id());
            publishes.add(Request.cmd(Command.PUBLISH).arg(RedisKeys.topicChannel(app, topic)).arg(frame));
            byApp.merge(app, 1, Integer::sum);
        }
        if (!publishes.isEmpty()) {
            // one pipelined batch on one connection: published in buffer order, one round trip
            try {
                client.batch(publishes).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while publishing", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("publishing a batch failed: " + e.getMessage(), e);
            }
        }
        redis.stream(String.class).xack(stream, RedisKeys.PUSHERS_GROUP, ids);
        redis.stream(String.class).xdel(stream, ids);
        byApp.forEach((app, n) -> pushed(app).increment(n));
    }

    private void ensureGroup(String stream) {
        try {
            redis.stream(String.class).xgroupCreate(stream, RedisKeys.PUSHERS_GROUP, "0",
                    new XGroupCreateArgs().mkstream());
        } catch (RuntimeException e) {
            if (e.getMessage() == null || !e.getMessage().contains("BUSYGROUP")) {
                throw e;
            }
        }
    }

    /** Shards this node pushes now (admin endpoint). */
    public List<Integer> ownedShards() {
        return owned.keySet().stream().sorted().toList();
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        for (Integer shard : List.copyOf(owned.keySet())) {
            try {
                String key = RedisKeys.publicationsOwner(shard);
                if (node.id().equals(redis.value(String.class).get(key))) {
                    redis.key().del(key); // hand the shard over at once
                }
            } catch (RuntimeException e) {
                LOG.debugf("releasing publication shard %d: %s", shard, e.getMessage());
            }
        }
        owned.clear();
        leaseKeeper.shutdown();
        threads.shutdown();
    }
}
