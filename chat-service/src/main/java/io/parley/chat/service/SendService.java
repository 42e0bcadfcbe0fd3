package io.parley.chat.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.parley.chat.client.IdAllocation;
import io.parley.chat.client.UserDirectory;
import io.parley.chat.delivery.ClientSession;
import io.parley.chat.protocol.ChatMessage;
import io.parley.chat.protocol.ClientFrame;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.protocol.FrameException;
import io.parley.chat.protocol.ServerFrames;
import io.parley.chat.store.MessageStore;
import io.parley.chat.store.MessageStore.AppendResult;
import io.parley.chat.store.RedisKeys;
import io.parley.common.error.ErrorCode;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * The send path: check, allocate an id locally, then one Redis round trip that de-duplicates, sequences,
 * appends and publishes ({@code message_append.lua}); the {@code sent} answer goes out only after that.
 */
@Singleton // no client proxy on the per-frame path
public class SendService {

    private final MessageStore store;
    private final IdAllocation ids;
    private final UserDirectory users;
    private final GroupService groups;
    private final ServerFrames frames;
    private final ReactiveRedisDataSource redis;
    private final Timer appendTimer;

    public SendService(MessageStore store, IdAllocation ids, UserDirectory users, GroupService groups,
                       ServerFrames frames, ReactiveRedisDataSource redis, MeterRegistry metrics) {
        this.store = store;
        this.ids = ids;
        this.users = users;
        this.groups = groups;
        this.frames = frames;
        this.redis = redis;
        this.appendTimer = Timer.builder("parley.chat.append").description("send: id + append + publish")
                .publishPercentiles(0.5, 0.99).register(metrics);
    }

    /** Returns the {@code sent} frame, or fails with a {@link FrameException}. */
    public Uni<String> send(ClientSession sender, ClientFrame.Send send) {
        long from = sender.userId();
        if (send.toGroupChat()) {
            return append(sender, send, ConversationId.group(send.toGroup()), true, true);
        }
        ConversationId conversation = ConversationId.direct(from, send.toUser());
        if (send.toUser() == from) {
            return append(sender, send, conversation, false, true);
        }
        return users.exists(send.toUser(), sender.accessToken()).flatMap(exists -> {
            if (!exists) {
                return Uni.createFrom().failure(new FrameException(ErrorCode.NOT_FOUND,
                        "no user " + send.toUser(), send.clientMsgId()));
            }
            return append(sender, send, conversation, false, true);
        });
    }

    private Uni<String> append(ClientSession sender, ClientFrame.Send send, ConversationId conversation,
                               boolean group, boolean mayReloadMembers) {
        long started = System.nanoTime();
        String ready = ids.tryNextMessageId(sender.userId()); // almost always at hand: no Uni, no wait
        Uni<String> id34 = ready != null ? Uni.createFrom().item(ready) : ids.nextMessageId(sender.userId());
        return id34.flatMap(id -> {
            long ts = System.currentTimeMillis();
            ChatMessage draft = new ChatMessage(id, conversation.value(), 0, sender.userId(),
                    group ? 0 : send.toUser(), group ? send.toGroup() : null, send.body(), send.kind(), ts, null,
                    send.clientMsgId());
            List<String> channels = group
                    ? List.of(RedisKeys.groupChannel(send.toGroup()))
                    : send.toUser() == sender.userId()
                            ? List.of(RedisKeys.userChannel(sender.userId()))
                            : List.of(RedisKeys.userChannel(send.toUser()), RedisKeys.userChannel(sender.userId()));
            return store.append(draft, group, frames.messageAroundSeq(draft), sender.tag(), channels)
                    .flatMap(result -> answer(sender, send, conversation, group, draft, result, mayReloadMembers));
        }).invoke(() -> appendTimer.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS));
    }

    private Uni<String> answer(ClientSession sender, ClientFrame.Send send, ConversationId conversation, boolean group,
                               ChatMessage draft, AppendResult result, boolean mayReloadMembers) {
        if (result instanceof AppendResult.Stored stored) {
            Uni<Void> indexed = group ? Uni.createFrom().voidItem() : indexDirect(conversation, draft.ts());
            return indexed.map(v -> frames.sent(send.clientMsgId(), draft.id(), conversation.value(), stored.seq(), draft.ts()));
        }
        if (result instanceof AppendResult.Duplicate dup) {
            return Uni.createFrom().item(frames.sent(send.clientMsgId(), dup.id(), conversation.value(), dup.seq(), dup.ts()));
        }
        if (result instanceof AppendResult.NotMember) {
            return Uni.createFrom().failure(new FrameException(ErrorCode.FORBIDDEN,
                    "you are not a member of group " + send.toGroup(), send.clientMsgId()));
        }
        // The group's member cache is missing: rebuild it from MySQL once, then retry.
        if (!mayReloadMembers) {
            return Uni.createFrom().failure(new FrameException(ErrorCode.NOT_FOUND,
                    "no group " + send.toGroup(), send.clientMsgId()));
        }
        return groups.reloadMembersCache(send.toGroup())
                .flatMap(found -> found
                        ? append(sender, send, conversation, true, false)
                        : Uni.createFrom().failure(new FrameException(ErrorCode.NOT_FOUND,
                                "no group " + send.toGroup(), send.clientMsgId())));
    }

    /** Both participants list the direct conversation, newest first. */
    private Uni<Void> indexDirect(ConversationId conversation, long ts) {
        var sortedSets = redis.sortedSet(String.class);
        return Uni.combine().all().unis(
                sortedSets.zadd(RedisKeys.userConversations(conversation.userA()), ts, conversation.value()),
                sortedSets.zadd(RedisKeys.userConversations(conversation.userB()), ts, conversation.value()))
                .discardItems();
    }
}
