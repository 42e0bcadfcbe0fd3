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
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
    private final Timer appendTimer;
    private final ContentFilter filter;
    private final SendRateLimiter sendRate;
    private final SendShedding shedding;

    public SendService(MessageStore store, IdAllocation ids, UserDirectory users, GroupService groups,
                       ServerFrames frames, MeterRegistry metrics,
                       ContentFilter filter, SendRateLimiter sendRate, SendShedding shedding) {
        this.filter = filter;
        this.shedding = shedding;
        this.sendRate = sendRate;
        this.store = store;
        this.ids = ids;
        this.users = users;
        this.groups = groups;
        this.frames = frames;
        this.appendTimer = Timer.builder("parley.chat.append").description("send: id + append + publish")
                .publishPercentiles(0.5, 0.99).register(metrics);
    }

    private final AtomicInteger inFlight = new AtomicInteger();
    @jakarta.inject.Inject SendBlocks sendBlocks; // field-injected: one line beside the hot path's constructor

    /** How a send, edit or delete ends: the {@code sent} frame, or a failure ({@link FrameException}: the client's). */
    @FunctionalInterface
    public interface Outcome {
        void done(String sentFrame, Throwable failure);
    }

    /** Sends, edits and deletes accepted and not yet answered (the drain waits for them). */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Sends a message; {@code outcome} runs once, on an event loop: with the {@code sent} frame, or with a failure.
     * Plain callbacks, no Mutiny, on the common path: this is the hot path of every chat message.
     */
    public void send(ClientSession sender, ClientFrame.Send frame, Outcome outcome) {
        tracked(sender, outcome, answer -> sendNow(sender, frame, answer));
    }

    /** {@link #send(ClientSession, ClientFrame.Send, Outcome)} as a {@link Uni} of the {@code sent} frame. */
    public Uni<String> send(ClientSession sender, ClientFrame.Send frame) {
        return Uni.createFrom().emitter(emitter -> send(sender, frame, complete(emitter)));
    }

    /**
     * An {@code edit} or {@code delete} of one of the sender's messages: an event with its own seq in the same
     * conversation (so a later {@code sync} sees it), checked and appended by the same one-round-trip script.
     */
    public Uni<String> change(ClientSession sender, ClientFrame.Change change) {
        return Uni.createFrom().emitter(emitter -> tracked(sender, complete(emitter),
                answer -> changeNow(sender, change, answer)));
    }

    /**
     * Runs the work counted in {@link #inFlight} until its outcome; a check that throws is its outcome too. The
     * outcome runs on the sender's event loop, whichever thread finished the work (a reload of a group's members, an
     * id block or a recipient lookup finishes elsewhere): the connection's writes and state belong to its loop.
     */
    private void tracked(ClientSession sender, Outcome outcome, Consumer<Outcome> work) {
        inFlight.incrementAndGet();
        Outcome tracked = (sent, failure) -> onLoop(sender, () -> {
            inFlight.decrementAndGet();
            outcome.done(sent, failure);
        });
        try {
            work.accept(tracked);
        } catch (RuntimeException e) {
            tracked.done(null, e);
        }
    }

    /** Runs {@code task} on the sender's event loop: now if already there. */
    private static void onLoop(ClientSession sender, Runnable task) {
        io.netty.channel.EventLoop loop = sender.loop();
        if (loop == null || loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    private static Outcome complete(io.smallrye.mutiny.subscription.UniEmitter<? super String> emitter) {
        return (sent, failure) -> {
            if (failure != null) {
                emitter.fail(failure);
            } else {
                emitter.complete(sent);
            }
        };
    }

    private void sendNow(ClientSession sender, ClientFrame.Send frame, Outcome outcome) {
        checkRate(sender, frame.clientMsgId());
        inOrder(sender, outcome, () -> sendInOrder(sender, frame, outcome));
    }

    /**
     * Runs {@code send} now, or after the sends of the connection that wait before Redis (an id block, a recipient
     * lookup): a connection's messages reach Redis, and get their seqs, in the order they arrived.
     */
    private void inOrder(ClientSession sender, Outcome outcome, Runnable send) {
        if (sender.sendsWait()) {
            sender.parkSend(() -> guarded(outcome, send));
        } else {
            send.run();
        }
    }

    /** {@code send} away (waiting before Redis) until {@code then} runs on the sender's loop; then the parked ones. */
    private <T> void away(ClientSession sender, Outcome outcome, Uni<T> wait, Consumer<T> then) {
        sender.sendAway(true);
        wait.subscribe().with(
                value -> onLoop(sender, () -> back(sender, outcome, () -> then.accept(value))),
                failure -> onLoop(sender, () -> back(sender, outcome, () -> outcome.done(null, failure))));
    }

    private static void back(ClientSession sender, Outcome outcome, Runnable rest) {
        sender.sendAway(false);
        guarded(outcome, rest);
        for (Runnable next = sender.nextParkedSend(); next != null; next = sender.nextParkedSend()) {
            next.run();
        }
    }

    private static void guarded(Outcome outcome, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            outcome.done(null, e);
        }
    }

    private void sendInOrder(ClientSession sender, ClientFrame.Send frame, Outcome outcome) {
        long from = sender.userId();
        ClientFrame.Send send = new ClientFrame.Send(frame.clientMsgId(), frame.toUser(), frame.toGroup(),
                filter.chatText(frame.body(), frame.clientMsgId()), frame.kind());
        if (send.toGroupChat()) {
            append(sender, send, ConversationId.group(send.toGroup()), true, true, null, outcome);
            return;
        }
        ConversationId conversation = ConversationId.direct(from, send.toUser());
        Boolean exists = send.toUser() == from ? Boolean.TRUE : users.knownNow(send.toUser());
        if (exists != null) { // almost always: the directory caches recipients
            recipientChecked(sender, send, conversation, exists, outcome);
            return;
        }
        away(sender, outcome, users.exists(send.toUser(), sender.accessToken()),
                known -> recipientChecked(sender, send, conversation, known, outcome));
    }

    private void recipientChecked(ClientSession sender, ClientFrame.Send send, ConversationId conversation,
                                  boolean exists, Outcome outcome) {
        if (!exists) {
            outcome.done(null, new FrameException(ErrorCode.NOT_FOUND, "no user " + send.toUser(), send.clientMsgId()));
            return;
        }
        append(sender, send, conversation, false, true, null, outcome);
    }

    private void changeNow(ClientSession sender, ClientFrame.Change change, Outcome outcome) {
        checkRate(sender, change.clientMsgId());
        ConversationId conversation = change.conversation();
        if (!conversation.hasMember(sender.userId(), sender.groups())) {
            throw new FrameException(ErrorCode.FORBIDDEN, "you are not in conversation " + conversation.value(),
                    change.clientMsgId());
        }
        String body = change.isDelete() ? "" : filter.chatText(change.body(), change.clientMsgId());
        ClientFrame.Send asSend = conversation.group()
                ? new ClientFrame.Send(change.clientMsgId(), 0, conversation.groupId(), body, change.kind())
                : new ClientFrame.Send(change.clientMsgId(), conversation.peerOf(sender.userId()), null, body, change.kind());
        inOrder(sender, outcome,
                () -> append(sender, asSend, conversation, conversation.group(), true, change.target(), outcome));
    }

    private void checkRate(ClientSession sender, String clientMsgId) {
        sendBlocks.check(sender, clientMsgId); // the operator's send block (admin API)
        shedding.check(clientMsgId); // before the rate limit: a shed send does not spend the user's token
        if (!sendRate.tryTake(sender.userId())) {
            throw new FrameException(ErrorCode.RATE_LIMITED, "sending faster than " + sendRate.describe()
                    + "; resend this clientMsgId later", clientMsgId);
        }
    }

    private void append(ClientSession sender, ClientFrame.Send send, ConversationId conversation, boolean group,
                        boolean mayReloadMembers, String target, Outcome outcome) {
        long started = System.nanoTime();
        String ready = ids.tryNextMessageId(sender.userId()); // almost always at hand: the next block is prefetched
        if (ready != null) {
            appendWithId(sender, send, conversation, group, mayReloadMembers, target, ready, started, outcome);
            return;
        }
        away(sender, outcome, ids.nextMessageId(sender.userId()),
                id -> appendWithId(sender, send, conversation, group, mayReloadMembers, target, id, started, outcome));
    }

    private void appendWithId(ClientSession sender, ClientFrame.Send send, ConversationId conversation, boolean group,
                              boolean mayReloadMembers, String target, String id, long started, Outcome outcome) {
        long ts = System.currentTimeMillis();
        ChatMessage draft = new ChatMessage(id, conversation.value(), 0, sender.userId(),
                group ? 0 : send.toUser(), group ? send.toGroup() : null, send.body(), send.kind(), ts, target,
                send.clientMsgId());
        // recipients' channels; the sender's own channel carries a copy to its other devices (the script skips it
        // when the sender has none); a group's members, the sender's devices included, are on the group channel
        List<String> channels = group
                ? List.of(RedisKeys.groupChannel(send.toGroup()))
                : send.toUser() == sender.userId() ? List.of() : List.of(RedisKeys.userChannel(send.toUser()));
        String echoChannel = group ? null : RedisKeys.userChannel(sender.userId());
        // own messages are read; both participants list a direct conversation, newest first (groups are listed
        // from the membership) — done with the append itself (MessageStore), no second round trip before `sent`
        List<String> index = group ? List.of() : indexDirect(conversation);
        store.append(draft, group, frames.messageAroundSeq(draft), sender.tag(), channels, echoChannel,
                RedisKeys.userRead(sender.userId()), index, (result, failure) -> {
            appendTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            if (failure != null) {
                outcome.done(null, failure);
                return;
            }
            try {
                answer(sender, send, conversation, draft, result, mayReloadMembers, outcome);
            } catch (RuntimeException e) {
                outcome.done(null, e);
            }
        });
    }

    private void answer(ClientSession sender, ClientFrame.Send send, ConversationId conversation, ChatMessage draft,
                        AppendResult result, boolean mayReloadMembers, Outcome outcome) {
        if (result instanceof AppendResult.Stored stored) {
            outcome.done(frames.sent(send.clientMsgId(), draft.id(), conversation.value(), stored.seq(), draft.ts()), null);
            return;
        }
        if (result instanceof AppendResult.Duplicate dup) {
            outcome.done(frames.sent(send.clientMsgId(), dup.id(), conversation.value(), dup.seq(), dup.ts()), null);
            return;
        }
        if (result instanceof AppendResult.NotReplicated) {
            outcome.done(null, new FrameException(ErrorCode.UNAVAILABLE, "stored, but not yet on a Redis "
                    + "replica; resend the same clientMsgId (it will not be stored twice)", send.clientMsgId()));
            return;
        }
        if (result instanceof AppendResult.NotEditable) {
            outcome.done(null, new FrameException(ErrorCode.EDIT_WINDOW_CLOSED, "message " + draft.target()
                    + " is not in this conversation or can no longer be changed", send.clientMsgId()));
            return;
        }
        if (result instanceof AppendResult.NotYours) {
            outcome.done(null, new FrameException(ErrorCode.FORBIDDEN,
                    "only the sender may edit or delete message " + draft.target(), send.clientMsgId()));
            return;
        }
        if (result instanceof AppendResult.NotMember) {
            outcome.done(null, new FrameException(ErrorCode.FORBIDDEN,
                    "you are not a member of group " + send.toGroup(), send.clientMsgId()));
            return;
        }
        // The group's member cache is missing: rebuild it from MySQL once, then retry.
        if (!mayReloadMembers) {
            outcome.done(null, new FrameException(ErrorCode.NOT_FOUND, "no group " + send.toGroup(), send.clientMsgId()));
            return;
        }
        groups.reloadMembersCache(send.toGroup()).subscribe().with(found -> {
            if (found) {
                // again from the sender's loop: its appends go out on that loop's Redis connection, in order
                onLoop(sender, () -> append(sender, send, conversation, true, false, draft.target(), outcome));
            } else {
                outcome.done(null, new FrameException(ErrorCode.NOT_FOUND, "no group " + send.toGroup(), send.clientMsgId()));
            }
        }, failure -> outcome.done(null, failure));
    }

    /** The conversation lists of a direct chat's participants (one, for a chat with oneself). */
    private static List<String> indexDirect(ConversationId conversation) {
        return conversation.userA() == conversation.userB()
                ? List.of(RedisKeys.userConversations(conversation.userA()))
                : List.of(RedisKeys.userConversations(conversation.userA()), RedisKeys.userConversations(conversation.userB()));
    }
}
