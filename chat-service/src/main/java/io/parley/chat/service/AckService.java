package io.parley.chat.service;

import io.parley.chat.delivery.ClientSession;
import io.parley.chat.delivery.Outbound;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.store.RedisKeys;
import io.parley.common.redis.RedisScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Acknowledgements: stop retransmitting what the device has, and move its cursor (and the user's, for unread
 * counts) forward in Redis — never backward.
 */
@ApplicationScoped
public class AckService {

    private static final RedisScript CURSOR_ADVANCE = RedisScript.load("cursor_advance");

    private final ReactiveRedisDataSource redis;
    private final Outbound outbound;

    public AckService(ReactiveRedisDataSource redis, Outbound outbound) {
        this.redis = redis;
        this.outbound = outbound;
    }

    /** Returns false when the conversation is not one of the caller's (nothing recorded). */
    public Uni<Boolean> ack(ClientSession session, ConversationId conversation, long seq) {
        boolean member = conversation.group()
                ? session.groups().contains(conversation.groupId())
                : conversation.hasParticipant(session.userId());
        if (!member) {
            return Uni.createFrom().item(false);
        }
        outbound.acknowledge(session, conversation.value(), seq);
        return CURSOR_ADVANCE.run(redis,
                        List.of(RedisKeys.userAcked(session.userId()), RedisKeys.deviceAcked(session.userId(), session.deviceId())),
                        List.of(conversation.value(), Long.toString(seq)))
                .replaceWith(true);
    }
}
