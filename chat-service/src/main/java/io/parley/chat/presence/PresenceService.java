package io.parley.chat.presence;

import io.parley.chat.config.ChatConfig;
import io.parley.chat.delivery.ClientSession;
import io.parley.chat.delivery.LocalConnections;
import io.parley.chat.delivery.NodeIdentity;
import io.parley.chat.fanout.Envelope;
import io.parley.chat.fanout.Publisher;
import io.parley.chat.store.RedisKeys;
import io.parley.chat.store.RedisPipeline;
import io.parley.chat.store.RedisWindows;
import io.parley.common.redis.RedisScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.sortedset.ScoreRange;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Who is online, across nodes, surviving node crashes. Each open connection is counted in the user's presence hash
 * under its node; the user is online while the hash exists. The first connection anywhere announces "online"; the
 * last one leaving announces "offline" only if nobody reconnected within the grace period. Each node holds a lease
 * in Redis (renewed every heartbeat); when a node's lease runs out, a live node removes the dead node's share of
 * every user it held, so a crashed node's users go offline within the lease plus one heartbeat.
 */
@ApplicationScoped
public class PresenceService {

    private static final Logger LOG = Logger.getLogger(PresenceService.class);
    private static final RedisScript ENTER = RedisScript.load("presence_enter");
    private static final RedisScript LEAVE = RedisScript.load("presence_leave");
    private static final RedisScript NODE_GONE = RedisScript.load("presence_node_gone");
    private static final RedisScript OFFLINE = RedisScript.load("presence_offline");

    /** A user's presence as shown in contact lists. */
    public record Status(boolean online, long lastSeen) {
    }

    private final ReactiveRedisDataSource reactive;
    private final RedisDataSource redis;
    private final NodeIdentity node;
    private final LocalConnections local;
    private final Publisher publisher;
    private final PresenceAnnouncer announcer;
    private final Vertx vertx;
    private final ChatConfig.Presence config;
    private final int maxConnections;
    private final RedisPipeline pipeline;
    private volatile boolean stopping;

    public PresenceService(ReactiveRedisDataSource reactive, RedisDataSource redis, NodeIdentity node,
                           LocalConnections local, Publisher publisher, PresenceAnnouncer announcer, Vertx vertx,
                           ChatConfig config, RedisPipeline pipeline) {
        this.reactive = reactive;
        this.pipeline = pipeline;
        this.redis = redis;
        this.node = node;
        this.local = local;
        this.publisher = publisher;
        this.announcer = announcer;
        this.vertx = vertx;
        this.config = config.presence();
        this.maxConnections = config.limits().maxConnectionsPerUser();
    }

    /** A {@code /ws/chat} connection opened: count it, close the oldest beyond the cap, maybe announce online. */
    public Uni<Void> enter(ClientSession session) {
        long user = session.userId();
        // on the connection's own event loop's pipelined Redis connection: no pooled connection per command
        Uni<io.vertx.redis.client.Response> entered = pipeline.uni(ENTER, 3,
                RedisKeys.presence(user), RedisKeys.presenceConnections(user), RedisKeys.presenceState(user),
                node.id(), ConnectionMember.of(session), Long.toString(System.currentTimeMillis()),
                Integer.toString(maxConnections));
        Uni<io.vertx.redis.client.Response> remembered = pipeline.uni("SADD", RedisKeys.nodeUsers(node.id()),
                Long.toString(user));
        return Uni.combine().all().unis(entered, remembered).asTuple().invoke(both -> {
            io.vertx.redis.client.Response reply = both.getItem1();
            for (int i = 1; i < reply.size(); i++) {
                publisher.fire(RedisKeys.userChannel(user), Envelope.control(Envelope.CLOSE_CONNECTION,
                        ConnectionMember.tagOf(reply.get(i).toString())));
            }
            if (reply.get(0).toInteger() == 1) {
                announcer.announceLater(user, true, 0);
            }
        }).replaceWithVoid();
    }

    /** A {@code /ws/chat} connection closed (already unregistered locally). */
    public void leave(ClientSession session) {
        long user = session.userId();
        LEAVE.run(reactive, List.of(RedisKeys.presence(user), RedisKeys.presenceConnections(user)),
                List.of(node.id(), ConnectionMember.of(session))).subscribe().with(anywhere -> {
                    if (anywhere.toInteger() == 0) {
                        long graceMs = Math.max(1, config.offlineGrace().toMillis());
                        vertx.setTimer(graceMs, t -> Infrastructure.getDefaultWorkerPool().execute(() -> afterGrace(user)));
                    } else {
                        forgetIfGoneHere(user);
                    }
                }, e -> LOG.warnf("presence of user %d not updated on close: %s (the node sweep corrects it)", user, e.getMessage()));
    }

    private void afterGrace(long user) {
        try {
            takeOffline(user, System.currentTimeMillis());
            forgetIfGoneHere(user);
        } catch (RuntimeException e) {
            LOG.warnf("offline check of user %d failed: %s", user, e.getMessage());
        }
    }

    /** Non-blocking: runs on the event loop too. */
    private void forgetIfGoneHere(long user) {
        if (!local.hasUser(user)) {
            reactive.set(String.class).srem(RedisKeys.nodeUsers(node.id()), Long.toString(user)).subscribe().with(
                    n -> { }, e -> LOG.debugf("node user set not updated for %d: %s", user, e.getMessage()));
        }
    }

    private void takeOffline(long user, long now) {
        var changed = OFFLINE.run(redis, List.of(RedisKeys.presence(user), RedisKeys.presenceState(user)), Long.toString(now));
        if (changed.toInteger() == 1) {
            announcer.announce(user, false, now);
        }
    }

    /**
     * The lease exists before the node takes its first connection: the scheduled heartbeat's first run comes up to
     * one interval after start-up, and a node killed in that window was never in the lease set, so no sweep ever
     * took its users offline (ChatFeaturesIT's SIGKILLed node, killed within a second of being ready).
     */
    void start(@Observes StartupEvent event) {
        heartbeat();
    }

    /** Keeps this node's lease. */
    // Every scheduled job of the service waits for start-up to finish (ApplicationNotRunning): on a loaded machine a
    // job that created the Redis client while start-up was creating it failed the start (ConcurrentModificationException
    // in Quarkus's Redis recorder).
    @Scheduled(every = "${parley.chat.presence.heartbeat:2S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void heartbeat() {
        if (!stopping) {
            redis.sortedSet(String.class).zadd(RedisKeys.NODES,
                    System.currentTimeMillis() + config.nodeLease().toMillis(), node.id());
        }
    }

    /** Takes the users of nodes whose lease ran out offline (one node sweeps at a time). */
    @Scheduled(every = "${parley.chat.presence.heartbeat:2S}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void sweepDeadNodes() {
        long now = System.currentTimeMillis();
        List<String> dead = redis.sortedSet(String.class).zrangebyscore(RedisKeys.NODES, new ScoreRange<>(0.0, (double) now));
        if (dead.isEmpty()) {
            return;
        }
        var lock = redis.execute("SET", RedisKeys.SWEEP_LOCK, node.id(), "NX", "PX", Long.toString(config.nodeLease().toMillis()));
        if (lock == null) {
            return;
        }
        for (String gone : dead) {
            if (gone.equals(node.id())) {
                continue; // a pause longer than the lease: this node's next heartbeat renews it
            }
            Set<String> users = redis.set(String.class).smembers(RedisKeys.nodeUsers(gone));
            LOG.infof("node %s stopped renewing its lease: taking its %d users' connections offline", gone, users.size());
            for (String text : users) {
                long user = Long.parseLong(text);
                var left = NODE_GONE.run(redis, List.of(RedisKeys.presence(user), RedisKeys.presenceConnections(user)), gone);
                if (left.toInteger() == 0) {
                    takeOffline(user, now);
                }
            }
            redis.key().del(RedisKeys.nodeUsers(gone));
            redis.sortedSet(String.class).zrem(RedisKeys.NODES, gone);
        }
        redis.key().del(RedisKeys.SWEEP_LOCK);
    }

    /**
     * Statuses as last announced ({@code online}, or offline with {@code lastSeen}); one GET per user, pipelined
     * (the keys live in different cluster slots, so no MGET). Blocking: worker threads.
     */
    public Map<Long, Status> statusOf(List<Long> users) {
        List<String> states = RedisWindows.run(users, user -> reactive.value(String.class).get(RedisKeys.presenceState(user)));
        Map<Long, Status> out = new LinkedHashMap<>();
        for (int i = 0; i < users.size(); i++) {
            long user = users.get(i);
            String state = states.get(i);
            if ("online".equals(state)) {
                out.put(user, new Status(true, 0));
            } else if (state != null && state.startsWith("offline:")) {
                out.put(user, new Status(false, Long.parseLong(state.substring("offline:".length()))));
            } else {
                out.put(user, new Status(false, 0));
            }
        }
        return out;
    }

    /**
     * Shutting down: the node stops renewing its lease but leaves it in place, so its users — whose offline grace
     * timers will not fire here — are taken offline by the sweep of a live node once the lease runs out.
     */
    void stop(@Observes ShutdownEvent event) {
        stopping = true;
    }
}
