package io.parley.chat.service;

import io.parley.chat.config.ChatConfig;
import io.parley.chat.delivery.ClientSession;
import io.parley.chat.delivery.Outbound;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.store.CursorScripts;
import io.parley.chat.store.RedisKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Acknowledgements: stop retransmitting what the device has at once, and move its cursor (where its next sync
 * resumes) forward in Redis — never backward. Cursors are written in batches, about once a second per
 * connection and when it closes, not once per message: a client acknowledges every message, and one Redis
 * call per delivery would cost more than the delivery. On a standalone Redis the whole node's cursors go in a few
 * calls a second ({@code cursor_advance_each.lua}); on a Cluster, one call per connection (per-user slots). A cursor up to a second stale only means a reconnecting
 * device may be sent a message again, which it drops by id.
 */
@Singleton // no client proxy on the per-frame path
public class AckService {

    /**
     * Connections per batched cursor call: bounds one script's run time in Redis, where every append waits behind it
     * (500 took 8 ms on average under 1:1 load, 100 took 2-10 ms; SLOWLOG).
     */
    private static final int FLUSH_CHUNK = 50;

    private static final Logger LOG = Logger.getLogger(AckService.class);

    private final ReactiveRedisDataSource redis;
    private final Outbound outbound;

    private final boolean cluster;
    private final long flushDelayNanos;
    private final Vertx vertx;
    private long flushTimer;
    /** How often the queue of connections with acks is looked at. */
    private static final long FLUSH_TICK_MS = 100;
    /** Connections with acks to write, in the order of their first ack since their last flush. */
    private final Queue<QueuedAcks> queued = new ConcurrentLinkedQueue<>();

    void start(@Observes StartupEvent event) {
        flushTimer = vertx.setPeriodic(FLUSH_TICK_MS, id -> flushDue());
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(flushTimer); // connections still open flush as they close
    }

    public AckService(ReactiveRedisDataSource redis, Outbound outbound, ChatConfig config, Vertx vertx,
                      @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone") String clientType) {
        this.cluster = "cluster".equalsIgnoreCase(clientType);
        this.flushDelayNanos = config.delivery().ackFlushDelay().toNanos();
        this.vertx = vertx;
        this.redis = redis;
        this.outbound = outbound;
    }

    /**
     * Writes the cursors of the connections whose first ack since their last flush is at least
     * {@code ack-flush-delay} old: a connection is visited only when it has something to write (an idle node does
     * nothing here), and the node's flushes are spread over the second as the acks came, not issued all at once at
     * each second's turn (a burst of scripts every append then waited behind). Runs on an event loop every
     * {@value #FLUSH_TICK_MS} ms (the scheduler's every-second tick is too coarse); it only sends, never waits.
     */
    void flushDue() {
        long dueBefore = System.nanoTime() - flushDelayNanos;
        List<String> keys = new ArrayList<>();
        List<String> args = new ArrayList<>();
        for (QueuedAcks head = queued.peek(); head != null && head.at() - dueBefore <= 0; head = queued.peek()) {
            queued.poll();
            ClientSession session = head.session();
            if (cluster) {
                // each user's cursors live in that user's Cluster slot: one call per connection
                flush(session).subscribe().with(ok -> { }, e -> LOG.debugf("cursor flush for %d failed: %s",
                        session.userId(), e.getMessage()));
                continue;
            }
            Map<String, Long> acks = session.takeAcks();
            if (acks.isEmpty()) {
                continue; // flushed meanwhile (a sync, the close)
            }
            keys.add(RedisKeys.deviceAcked(session.userId(), session.deviceId()));
            args.add(Integer.toString(acks.size()));
            for (Map.Entry<String, Long> ack : acks.entrySet()) {
                args.add(ack.getKey());
                args.add(Long.toString(ack.getValue()));
            }
            if (keys.size() == FLUSH_CHUNK) {
                flushChunk(keys, args);
                keys = new ArrayList<>();
                args = new ArrayList<>();
            }
        }
        if (!keys.isEmpty()) {
            flushChunk(keys, args);
        }
    }

    /** A connection with acks to write, since when. */
    private record QueuedAcks(ClientSession session, long at) {
    }

    private void flushChunk(List<String> keys, List<String> args) {
        CursorScripts.advanceEach(redis, keys, args).subscribe().with(ok -> { },
                e -> LOG.debugf("cursor flush of %d connections failed: %s", keys.size(), e.getMessage()));
    }

    /** Returns false when the conversation is not one of the caller's (nothing recorded). */
    public boolean ack(ClientSession session, ConversationId conversation, long seq) {
        boolean member = conversation.hasMember(session.userId(), session.groups());
        if (!member) {
            return false;
        }
        outbound.acknowledge(session, conversation.value(), seq);
        if (session.recordAck(conversation.value(), seq)) {
            queued.add(new QueuedAcks(session, System.nanoTime()));
        }
        return true;
    }

    /** Writes the session's gathered acknowledgements to Redis in one call. */
    public Uni<Void> flush(ClientSession session) {
        Map<String, Long> acks = session.takeAcks();
        if (acks.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> args = new ArrayList<>(acks.size() * 2);
        acks.forEach((conversation, seq) -> {
            args.add(conversation);
            args.add(Long.toString(seq));
        });
        return CursorScripts.advance(redis, List.of(RedisKeys.deviceAcked(session.userId(), session.deviceId())), args)
                .replaceWithVoid();
    }
}
