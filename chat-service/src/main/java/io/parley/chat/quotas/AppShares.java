package io.parley.chat.quotas;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.delivery.NodeIdentity;
import io.parley.chat.store.RedisKeys;
import io.parley.common.redis.RedisScript;
import io.parley.common.thread.BackgroundLoop;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * This node's share of each app's connections and topic subscribers: counted here, and written to Redis (the app's
 * shares hash) with a lease the node renews, so the other nodes count it while this node lives and stop counting it
 * a lease after it dies. Writes run on a background thread, never on the event loop: a released share is written at
 * once (the loop is woken), every share again each fifth of the lease.
 */
@Singleton
public class AppShares {

    private static final Logger LOG = Logger.getLogger(AppShares.class);
    private static final RedisScript RENEW = RedisScript.load("quota_renew");

    /** One app's share on this node. */
    static final class Share {
        final AtomicLong connections = new AtomicLong();
        final AtomicLong subscribers = new AtomicLong();
        /** Redis holds other figures than these (or none yet): write them in the next round. */
        volatile boolean dirty;
        /** Redis holds a share of this node for the app (so a share of zero must be removed). */
        volatile boolean written;
    }

    private final Map<String, Share> byApp = new ConcurrentHashMap<>();
    private final RedisDataSource redis;
    private final String node;
    private final MeterRegistry metrics;
    private final long leaseMs;
    private final long renewEveryNanos;
    private final BackgroundLoop loop;
    private long lastFullRound = System.nanoTime();

    public AppShares(RedisDataSource redis, NodeIdentity node, MeterRegistry metrics, ChatConfig config) {
        this.redis = redis;
        this.node = node.id();
        this.metrics = metrics;
        this.leaseMs = config.quotas().lease().toMillis();
        this.renewEveryNanos = config.quotas().lease().toNanos() / 5;
        this.loop = new BackgroundLoop("app-quota-shares", "app quota share renewal", LOG, this::renew)
                .idle(Duration.ofNanos(renewEveryNanos));
    }

    void start(@Observes StartupEvent event) {
        loop.start();
    }

    /** The node is leaving: its shares go with it at once rather than a lease later. */
    void stop(@Observes ShutdownEvent event) {
        loop.stop(Duration.ofSeconds(2));
        for (Map.Entry<String, Share> entry : byApp.entrySet()) {
            try {
                write(entry.getKey(), 0, 0);
            } catch (RuntimeException e) {
                LOG.debugf("app %s: share not removed on shutdown (%s); it expires with its lease", entry.getKey(),
                        e.getMessage());
            }
        }
    }

    public long connections(String appId) {
        Share share = byApp.get(appId);
        return share == null ? 0 : share.connections.get();
    }

    public long subscribers(String appId) {
        Share share = byApp.get(appId);
        return share == null ? 0 : share.subscribers.get();
    }

    /** Counts what the app gained here; {@code written}: the quota check already wrote the figures to Redis. */
    public void add(String appId, long connections, long subscribers, boolean written) {
        Share share = share(appId);
        share.connections.addAndGet(connections);
        share.subscribers.addAndGet(subscribers);
        if (written) {
            share.written = true;
        } else {
            changed(share);
        }
    }

    /** Counts what the app lost here; the others see it at once (the write loop is woken). */
    public void remove(String appId, long connections, long subscribers) {
        Share share = share(appId);
        share.connections.updateAndGet(n -> Math.max(0, n - connections));
        share.subscribers.updateAndGet(n -> Math.max(0, n - subscribers));
        changed(share);
    }

    private void changed(Share share) {
        share.dirty = true;
        loop.wake();
    }

    private Share share(String appId) {
        Share existing = byApp.get(appId);
        if (existing != null) {
            return existing;
        }
        return byApp.computeIfAbsent(appId, app -> {
            Share share = new Share();
            // one series per app that had a subscriber here: bounded by apps (never by users)
            Gauge.builder("parley.chat.app.connections", share.connections, AtomicLong::get).tag("app", app)
                    .description("connections on this node holding a subscription to the app's topics").register(metrics);
            Gauge.builder("parley.chat.app.subscribers", share.subscribers, AtomicLong::get).tag("app", app)
                    .description("topic subscriptions to the app's topics on this node").register(metrics);
            return share;
        });
    }

    /** One round: the changed shares, and every share once per fifth of the lease (its renewal). */
    boolean renew() {
        boolean full = System.nanoTime() - lastFullRound >= renewEveryNanos;
        if (full) {
            lastFullRound = System.nanoTime();
        }
        for (Map.Entry<String, Share> entry : byApp.entrySet()) {
            Share share = entry.getValue();
            boolean changed = share.dirty;
            share.dirty = false; // before reading: a change from now on is written in the next round
            long c = share.connections.get();
            long s = share.subscribers.get();
            boolean held = c > 0 || s > 0;
            if (!changed && !(full && (held || share.written))) {
                continue;
            }
            try {
                write(entry.getKey(), c, s);
                share.written = held;
            } catch (RuntimeException e) {
                share.dirty = true; // the next round tries again
                throw e;
            }
        }
        return false;
    }

    private void write(String appId, long connections, long subscribers) {
        RENEW.run(redis, List.of(RedisKeys.quotaShares(appId)), node, Long.toString(connections),
                Long.toString(subscribers), Long.toString(leaseMs));
    }
}
