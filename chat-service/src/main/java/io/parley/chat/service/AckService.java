package io.parley.chat.service;

import io.parley.chat.delivery.ClientSession;
import io.parley.chat.delivery.LocalConnections;
import io.parley.chat.delivery.Outbound;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.store.CursorScripts;
import io.parley.chat.store.RedisKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
     * (500 took 8 ms on average under 1:1 load, SLOWLOG).
     */
    private static final int FLUSH_CHUNK = 100;

    private static final Logger LOG = Logger.getLogger(AckService.class);

    private final ReactiveRedisDataSource redis;
    private final Outbound outbound;
    private final LocalConnections connections;

    private final boolean cluster;

    public AckService(ReactiveRedisDataSource redis, Outbound outbound, LocalConnections connections,
                      @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone") String clientType) {
        this.cluster = "cluster".equalsIgnoreCase(clientType);
        this.redis = redis;
        this.outbound = outbound;
        this.connections = connections;
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void flushAll() {
        if (cluster) {
            // each user's cursors live in that user's Cluster slot: one call per connection
            for (ClientSession session : connections.all()) {
                flush(session).subscribe().with(ok -> { }, e -> LOG.debugf("cursor flush for %d failed: %s",
                        session.userId(), e.getMessage()));
            }
            return;
        }
        // standalone: every connection's cursors in a few calls, not one call per connection per second
        List<String> keys = new ArrayList<>();
        List<String> args = new ArrayList<>();
        for (ClientSession session : connections.all()) {
            Map<String, Long> acks = session.takeAcks();
            if (acks.isEmpty()) {
                continue;
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
        session.recordAck(conversation.value(), seq);
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
