package io.parley.chat.service;

import io.parley.chat.delivery.ClientSession;
import io.parley.chat.fanout.ConversationChannels;
import io.parley.chat.fanout.Envelope;
import io.parley.chat.fanout.Publisher;
import io.parley.chat.protocol.ClientFrame;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.protocol.FrameException;
import io.parley.chat.protocol.ServerFrames;
import io.parley.chat.store.CursorScripts;
import io.parley.chat.store.MessageStore;
import io.parley.chat.store.RedisKeys;
import io.parley.common.error.ErrorCode;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Read receipts and typing: {@code read} moves the user's read cursor (what {@code unread} counts follow) and tells
 * the other members; {@code typing} only tells the other members who are online. Neither is stored as a message.
 */
@Singleton
public class ReadService {


    private final ReactiveRedisDataSource redis;
    private final Publisher publisher;
    private final ServerFrames frames;
    private final ReadCursorKeeper kept;
    private final MessageStore store;

    public ReadService(ReactiveRedisDataSource redis, Publisher publisher, ServerFrames frames, ReadCursorKeeper kept,
                       MessageStore store) {
        this.redis = redis;
        this.store = store;
        this.publisher = publisher;
        this.frames = frames;
        this.kept = kept;
    }

    public Uni<Void> read(ClientSession session, ClientFrame.Read read) {
        requireMember(session, read.conversation());
        String cid = read.conversation().value();
        // clamped to the conversation's last seq: nobody has read past what exists (a cursor there hides later messages)
        return store.lastSeqOrStored(cid)
                .map(last -> Math.min(read.seq(), last))
                .flatMap(seq -> advance(session.userId(), cid, seq).invoke(moved -> {
                    if (moved > 0) {
                        kept.record(session.userId(), cid, seq); // written behind to MySQL: survives a Redis wipe
                    }
                }).flatMap(moved -> moved == 0
                ? Uni.createFrom().voidItem()
                : publisher.publish(ConversationChannels.othersOf(read.conversation(), session.userId()),
                        Envelope.transientFrame(session.userId(), frames.read(cid, session.userId(), seq)))));
    }

    public Uni<Void> typing(ClientSession session, ClientFrame.Typing typing) {
        requireMember(session, typing.conversation());
        String frame = frames.typing(typing.conversation().value(), session.userId());
        return publisher.publish(ConversationChannels.othersOf(typing.conversation(), session.userId()),
                Envelope.transientFrame(session.userId(), frame));
    }

    private Uni<Long> advance(long user, String conversation, long seq) {
        return CursorScripts.advance(redis, List.of(RedisKeys.userRead(user)), List.of(conversation, Long.toString(seq)))
                .map(reply -> reply.toLong());
    }

    private static void requireMember(ClientSession session, ConversationId conversation) {
        if (!conversation.hasMember(session.userId(), session.groups())) {
            throw new FrameException(ErrorCode.FORBIDDEN, "you are not in conversation " + conversation.value(), null);
        }
    }
}
