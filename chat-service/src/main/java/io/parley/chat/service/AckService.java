package io.parley.chat.service;

import io.parley.chat.delivery.ClientSession;
import io.parley.chat.delivery.LocalConnections;
import io.parley.chat.delivery.Outbound;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.store.RedisKeys;
import io.parley.common.redis.RedisScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Acknowledgements: stop retransmitting what the device has at once, and move its cursor (where its next sync
 * resumes) forward in Redis — never backward. Cursors are written in batches, about once a second per
 * connection and when it closes, not once per message: a client acknowledges every message, and one Redis
 * call per delivery would cost more than the delivery. A cursor up to a second stale only means a reconnecting
 * device may be sent a message again, which it drops by id.
 */
@Singleton // no client proxy on the per-frame path
public class AckService {

    private static final RedisScript CURSOR_ADVANCE = RedisScript.load("cursor_advance");

    private static final Logger LOG = Logger.getLogger(AckService.class);

    private final ReactiveRedisDataSource redis;
    private final Outbound outbound;
    private final LocalConnections connections;

    public AckService(ReactiveRedisDataSource redis, Outbound outbound, LocalConnections connections) {
        this.redis = redis;
        this.outbound = outbound;
        this.connections = connections;
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void flushAll() {
        for (ClientSession session : connections.all()) {
            flush(session).subscribe().with(ok -> { }, e -> LOG.debugf("cursor flush for %d failed: %s",
                    session.userId(), e.getMessage()));
        }
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
        return CURSOR_ADVANCE.run(redis, List.of(RedisKeys.deviceAcked(session.userId(), session.deviceId())), args)
                .replaceWithVoid();
    }
}
