package io.parley.chat.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.parley.chat.client.IdAllocation;
import io.parley.chat.client.UserDirectory;
import io.parley.chat.delivery.ClientSession;
import io.parley.chat.delivery.SendRateLimiter;
import io.parley.chat.filter.ContentFilter;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
    private final ContentFilter filter;
    private final SendRateLimiter sendRate;
    private final ReadService reads;

    public SendService(MessageStore store, IdAllocation ids, UserDirectory users, GroupService groups,
                       ServerFrames frames, ReactiveRedisDataSource redis, MeterRegistry metrics,
                       ContentFilter filter, SendRateLimiter sendRate, ReadService reads) {
        this.filter = filter;
        this.sendRate = sendRate;
        this.reads = reads;
        this.store = store;
        this.ids = ids;
        this.users = users;
        this.groups = groups;
        this.frames = frames;
        this.redis = redis;
        this.appendTimer = Timer.builder("parley.chat.append").description("send: id + append + publish")
                .publishPercentiles(0.5, 0.99).register(metrics);
    }

    private final AtomicInteger inFlight = new AtomicInteger();

    /** Sends, edits and deletes accepted and not yet answered (the drain waits for them). */
    public int inFlight() {
        return inFlight.get();
    }

    private <T> Uni<T> tracked(Uni<T> work) {
        return Uni.createFrom().deferred(() -> {
            inFlight.incrementAndGet();
            return work.onTermination().invoke(inFlight::decrementAndGet);
        });
    }

    /** Returns the {@code sent} frame, or fails with a {@link FrameException}. */
    public Uni<String> send(ClientSession sender, ClientFrame.Send frame) {
        return tracked(sendNow(sender, frame));
    }

    private Uni<String> sendNow(ClientSession sender, ClientFrame.Send frame) {
        long from = sender.userId();
        checkRate(sender, frame.clientMsgId());
        ClientFrame.Send send = new ClientFrame.Send(frame.clientMsgId(), frame.toUser(), frame.toGroup(),
                filter.chatText(frame.body(), frame.clientMsgId()), frame.kind());
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

    /**
     * An {@code edit} or {@code delete} of one of the sender's messages: an event with its own seq in the same
     * conversation (so a later {@code sync} sees it), checked and appended by the same one-round-trip script.
     */
    public Uni<String> change(ClientSession sender, ClientFrame.Change change) {
        return tracked(changeNow(sender, change));
    }

    private Uni<String> changeNow(ClientSession sender, ClientFrame.Change change) {
        checkRate(sender, change.clientMsgId());
        ConversationId conversation = change.conversation();
        if (!conversation.hasMember(sender.userId(), sender.groups())) {
            return Uni.createFrom().failure(new FrameException(ErrorCode.FORBIDDEN,
                    "you are not in conversation " + conversation.value(), change.clientMsgId()));
        }
        String body = change.isDelete() ? "" : filter.chatText(change.body(), change.clientMsgId());
        ClientFrame.Send asSend = conversation.group()
                ? new ClientFrame.Send(change.clientMsgId(), 0, conversation.groupId(), body, change.kind())
                : new ClientFrame.Send(change.clientMsgId(), conversation.peerOf(sender.userId()), null, body, change.kind());
        return append(sender, asSend, conversation, conversation.group(), true, change.target());
    }

    private void checkRate(ClientSession sender, String clientMsgId) {
        if (!sendRate.tryTake(sender.userId())) {
            throw new FrameException(ErrorCode.RATE_LIMITED, "sending faster than " + sendRate.describe()
                    + "; resend this clientMsgId later", clientMsgId);
        }
    }

    private Uni<String> append(ClientSession sender, ClientFrame.Send send, ConversationId conversation,
                               boolean group, boolean mayReloadMembers) {
        return append(sender, send, conversation, group, mayReloadMembers, null);
    }

    private Uni<String> append(ClientSession sender, ClientFrame.Send send, ConversationId conversation,
                               boolean group, boolean mayReloadMembers, String target) {
        long started = System.nanoTime();
        String ready = ids.tryNextMessageId(sender.userId()); // almost always at hand: no Uni, no wait
        Uni<String> id34 = ready != null ? Uni.createFrom().item(ready) : ids.nextMessageId(sender.userId());
        return id34.flatMap(id -> {
            long ts = System.currentTimeMillis();
            ChatMessage draft = new ChatMessage(id, conversation.value(), 0, sender.userId(),
                    group ? 0 : send.toUser(), group ? send.toGroup() : null, send.body(), send.kind(), ts, target,
                    send.clientMsgId());
            List<String> channels = group
                    ? List.of(RedisKeys.groupChannel(send.toGroup()))
                    : send.toUser() == sender.userId()
                            ? List.of(RedisKeys.userChannel(sender.userId()))
                            : List.of(RedisKeys.userChannel(send.toUser()), RedisKeys.userChannel(sender.userId()));
            return store.append(draft, group, frames.messageAroundSeq(draft), sender.tag(), channels)
                    .flatMap(result -> answer(sender, send, conversation, group, draft, result, mayReloadMembers));
        }).invoke(() -> appendTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
    }

    private Uni<String> answer(ClientSession sender, ClientFrame.Send send, ConversationId conversation, boolean group,
                               ChatMessage draft, AppendResult result, boolean mayReloadMembers) {
        if (result instanceof AppendResult.Stored stored) {
            reads.advanceOwn(sender.userId(), conversation.value(), stored.seq()); // own messages are read
            Uni<Void> indexed = group ? Uni.createFrom().voidItem() : indexDirect(conversation, draft.ts());
            return indexed.map(v -> frames.sent(send.clientMsgId(), draft.id(), conversation.value(), stored.seq(), draft.ts()));
        }
        if (result instanceof AppendResult.Duplicate dup) {
            return Uni.createFrom().item(frames.sent(send.clientMsgId(), dup.id(), conversation.value(), dup.seq(), dup.ts()));
        }
        if (result instanceof AppendResult.NotReplicated) {
            return Uni.createFrom().failure(new FrameException(ErrorCode.UNAVAILABLE, "stored, but not yet on a Redis "
                    + "replica; resend the same clientMsgId (it will not be stored twice)", send.clientMsgId()));
        }
        if (result instanceof AppendResult.NotEditable) {
            return Uni.createFrom().failure(new FrameException(ErrorCode.EDIT_WINDOW_CLOSED, "message " + draft.target()
                    + " is not in this conversation or can no longer be changed", send.clientMsgId()));
        }
        if (result instanceof AppendResult.NotYours) {
            return Uni.createFrom().failure(new FrameException(ErrorCode.FORBIDDEN,
                    "only the sender may edit or delete message " + draft.target(), send.clientMsgId()));
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
                        ? append(sender, send, conversation, true, false, draft.target())
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
