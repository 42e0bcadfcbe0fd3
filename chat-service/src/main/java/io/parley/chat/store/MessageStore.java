package io.parley.chat.store;

import io.parley.chat.config.ChatConfig;
import io.parley.chat.protocol.ChatMessage;
import io.parley.common.redis.RedisScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.stream.ReactiveStreamCommands;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.parley.common.id.Id34;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The hot store of messages: each conversation's log is a Redis stream whose entry ids are the seqs. A
 * message is durable (to the configured Redis durability) once {@link #append} completes. Non-blocking.
 */
@ApplicationScoped
public class MessageStore {

    private static final RedisScript APPEND = RedisScript.load("message_append");

    /** What the append script decided. */
    public sealed interface AppendResult {
        /** Stored with this seq. */
        record Stored(long seq) implements AppendResult {
        }

        /** The same {@code clientMsgId} was sent before: the original answer. */
        record Duplicate(String id, long seq, long ts) implements AppendResult {
        }

        /** The sender is not a member of the group. */
        record NotMember() implements AppendResult {
        }

        /** The group's member cache is missing from Redis; reload it and retry. */
        record MembersNotCached() implements AppendResult {
        }

        /** An edit or delete whose target is unknown or past its edit window. */
        record NotEditable() implements AppendResult {
        }

        /** An edit or delete of someone else's message. */
        record NotYours() implements AppendResult {
        }

        /** Stored on the primary, but not on enough replicas within the timeout (durability {@code replica}). */
        record NotReplicated(long replicas) implements AppendResult {
        }

        /**
         * The conversation's counter is missing (a new conversation, or Redis lost it): nothing was written; the
         * append is run again with the highest seq MySQL holds as its floor. Handled inside {@link MessageStore}.
         */
        record SeqMissing() implements AppendResult {
        }
    }

    /** How an append ended: its result, or the failure that left it unknown (the client resends; no double store). */
    @FunctionalInterface
    public interface AppendHandler {
        void done(AppendResult result, Throwable failure);
    }

    private final ReactiveRedisDataSource redis;
    private final RedisPipeline pipeline;
    /** Told of every stored message: a write-behind that slowed down for lack of work looks again at once. */
    private final WriteBehindPersister writeBehind;
    private final HistoryRepository history;
    private final ReactiveStreamCommands<String, String, String> streams;
    private final ChatConfig config;
    private final HandedOutSeqs handedOut;
    private final SeqFences fences;

    /** Standalone Redis: one script may touch any key (on a Cluster only keys of one slot). */
    private final boolean oneShard;

    public MessageStore(ReactiveRedisDataSource redis, RedisPipeline pipeline, HistoryRepository history,
                        ChatConfig config, WriteBehindPersister writeBehind, HandedOutSeqs handedOut, SeqFences fences,
                        @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone") String clientType) {
        this.handedOut = handedOut;
        this.fences = fences;
        this.oneShard = "standalone".equalsIgnoreCase(clientType);
        this.writeBehind = writeBehind;
        this.redis = redis;
        this.pipeline = pipeline;
        this.history = history;
        this.streams = redis.stream(String.class);
        this.config = config;
    }

    /**
     * Appends a message and publishes its frame, in one round trip on the hot-path pipeline; {@code then} runs on the
     * event loop with the script's answer. With durability {@code replica} the append also waits for the replicas.
     * Once stored, the sender's read cursor ({@code ownReadKey}) is raised to it and {@code indexKeys} (a direct
     * chat's conversation lists) list the conversation at the message's time: inside the script on a one-shard
     * Redis; on a Cluster (keys of other slots) as commands right behind it — the lists before {@code then} runs.
     */
    public void append(ChatMessage draft, boolean checkMembers, String[] frameAroundSeq, String exclude,
                       List<String> channels, String echoChannel, String ownReadKey, List<String> indexKeys,
                       AppendHandler then) {
        append(draft, checkMembers, frameAroundSeq, exclude, channels, echoChannel, ownReadKey, indexKeys, null,
                (result, failure) -> {
                    if (!(result instanceof AppendResult.SeqMissing)) {
                        then.done(stored(draft, result), failure);
                        return;
                    }
                    withSeqFloor(draft.conversation(), then, floor -> append(draft, checkMembers, frameAroundSeq,
                            exclude, channels, echoChannel, ownReadKey, indexKeys, floor, then));
                });
    }

    /**
     * A conversation without a counter in Redis: the highest seq MySQL holds is read once (on a worker thread), then
     * every append that found the counter missing meanwhile runs again, in the order Redis refused them, from the
     * event loop of the first — one sender's messages keep their order (a connection's commands go out on one loop,
     * and its replies come back in order). Seqs never go backwards, whatever Redis lost.
     */
    private void withSeqFloor(String conversation, AppendHandler then, java.util.function.LongConsumer retry) {
        boolean[] first = {false};
        seedings.compute(conversation, (cid, waiting) -> {
            if (waiting == null) {
                waiting = new ArrayList<>();
                first[0] = true;
            }
            waiting.add(new SeedWaiter(then, retry));
            return waiting;
        });
        if (!first[0]) {
            return;
        }
        java.util.concurrent.Executor back = pipeline.loopOfThisThread();
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            long floor = -1;
            RuntimeException failure = null;
            try {
                floor = history.maxSeq(conversation);
            } catch (RuntimeException e) {
                failure = e;
            }
            long found = floor;
            RuntimeException failed = failure;
            Runnable resume = () -> {
                // taken on the loop itself: a refusal read after this point starts a seeding of its own, whose
                // appends go out after these
                for (SeedWaiter waiter : seedings.remove(conversation)) {
                    if (failed != null) {
                        waiter.then().done(null, failed);
                        continue;
                    }
                    try {
                        waiter.retry().accept(found);
                    } catch (RuntimeException e) { // answered, and the others still run
                        waiter.then().done(null, e);
                    }
                }
            };
            if (back == null) {
                resume.run();
            } else {
                back.execute(resume);
            }
        });
    }

    private record SeedWaiter(AppendHandler then, java.util.function.LongConsumer retry) {
    }

    /** Conversations whose seq floor is being read from MySQL: the appends waiting for it, in refusal order. */
    private final java.util.concurrent.ConcurrentHashMap<String, List<SeedWaiter>> seedings =
            new java.util.concurrent.ConcurrentHashMap<>();

    private void append(ChatMessage draft, boolean checkMembers, String[] frameAroundSeq, String exclude,
                        List<String> channels, String echoChannel, String ownReadKey, List<String> indexKeys,
                        Long seqFloor, AppendHandler then) {
        List<String> args = args(draft, checkMembers, frameAroundSeq, exclude, channels, echoChannel, seqFloor);
        boolean replica = config.durability().level() == ChatConfig.Durability.Level.REPLICA;
        if (oneShard && !replica) {
            List<String> keys = new ArrayList<>(keys(draft));
            keys.add(RedisKeys.presenceConnections(draft.from()));
            keys.add(ownReadKey);
            keys.addAll(indexKeys);
            runAppend(keys, args, List.of(), then);
            return;
        }
        // the lists and the cursor apart: keys of other slots on a Cluster, and after the WAIT with replicas
        List<String[]> lists = new ArrayList<>(indexKeys.size());
        for (String index : indexKeys) {
            lists.add(new String[]{"HSET", index, draft.conversation(), Long.toString(draft.ts())});
        }
        AppendHandler raiseOwnCursor = (result, failure) -> {
            if (result instanceof AppendResult.Stored stored) {
                CursorScripts.advance(pipeline, ownReadKey, draft.conversation(), stored.seq(), (moved, e) -> { });
            }
            then.done(result, failure);
        };
        if (replica) {
            appendAndWait(keys(draft), args).subscribe().with(
                    result -> sendThen(lists, result, raiseOwnCursor), failure -> then.done(null, failure));
            return;
        }
        runAppend(keys(draft), args, lists, raiseOwnCursor);
    }

    /** The script, and {@code alsoSend} right behind it; {@code then} once every reply is in. */
    private void runAppend(List<String> keys, List<String> args, List<String[]> alsoSend, AppendHandler then) {
        String[] keysAndArgs = new String[keys.size() + args.size()];
        int i = 0;
        for (String key : keys) {
            keysAndArgs[i++] = key;
        }
        for (String arg : args) {
            keysAndArgs[i++] = arg;
        }
        // one join for the script and what follows it: replies may come in any order on the shared (cluster) client
        AppendJoin join = new AppendJoin(1 + alsoSend.size(), then);
        pipeline.run(APPEND, keys.size(), keysAndArgs, (reply, failure) -> {
            if (failure != null) {
                join.fail(failure);
                return;
            }
            AppendResult result;
            try {
                result = toResult(args.get(0), reply);
            } catch (RuntimeException e) {
                join.fail(e);
                return;
            }
            join.result(result);
        });
        sendJoined(alsoSend, join);
    }

    private void sendThen(List<String[]> commands, AppendResult result, AppendHandler then) {
        AppendJoin join = new AppendJoin(1 + commands.size(), then);
        join.result(result);
        sendJoined(commands, join);
    }

    private void sendJoined(List<String[]> commands, AppendJoin join) {
        for (String[] command : commands) {
            pipeline.send((reply, failure) -> {
                if (failure != null) {
                    join.fail(failure);
                } else {
                    join.countDown();
                }
            }, command);
        }
    }

    /** Waits for the script and the commands sent with it; reports once. Replies arrive on one thread per lane. */
    private static final class AppendJoin {
        private final AppendHandler then;
        private int remaining;
        private AppendResult result;
        private Throwable failure;

        AppendJoin(int expected, AppendHandler then) {
            this.remaining = expected;
            this.then = then;
        }

        synchronized void result(AppendResult value) {
            result = value;
            countDown();
        }

        synchronized void fail(Throwable e) {
            if (failure == null) {
                failure = e;
            }
            countDown();
        }

        void countDown() {
            boolean done;
            synchronized (this) {
                done = --remaining == 0;
            }
            if (done) {
                // any failure fails the send: the client resends the same clientMsgId, which stores nothing twice
                // and writes the index again
                if (failure == null) {
                    then.done(result, null);
                } else {
                    then.done(null, failure);
                }
            }
        }
    }

    /**
     * Appends a message and publishes its frame ({@code frameAroundSeq[0] + seq + frameAroundSeq[1]}) to the
     * channels, in one round trip.
     *
     * @param exclude the {@code node:connection} that sent it: that connection has its {@code sent} already
     */
    public Uni<AppendResult> append(ChatMessage draft, boolean checkMembers, String[] frameAroundSeq,
                                    String exclude, List<String> channels) {
        return append(draft, checkMembers, frameAroundSeq, exclude, channels, null);
    }

    /** As above; {@code echoChannel} (may be null) gets the frame too, for the sender's other devices. */
    public Uni<AppendResult> append(ChatMessage draft, boolean checkMembers, String[] frameAroundSeq,
                                    String exclude, List<String> channels, String echoChannel) {
        return appendOnce(draft, checkMembers, frameAroundSeq, exclude, channels, echoChannel, null)
                .flatMap(result -> !(result instanceof AppendResult.SeqMissing) ? Uni.createFrom().item(result)
                        : Uni.createFrom().item(() -> history.maxSeq(draft.conversation()))
                                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                                .flatMap(floor -> appendOnce(draft, checkMembers, frameAroundSeq, exclude, channels,
                                        echoChannel, floor)));
    }

    private Uni<AppendResult> appendOnce(ChatMessage draft, boolean checkMembers, String[] frameAroundSeq,
                                         String exclude, List<String> channels, String echoChannel, Long seqFloor) {
        List<String> keys = keys(draft);
        List<String> args = args(draft, checkMembers, frameAroundSeq, exclude, channels, echoChannel, seqFloor);
        Uni<AppendResult> appended = config.durability().level() != ChatConfig.Durability.Level.REPLICA
                ? APPEND.run(redis, keys, args).map(reply -> toResult(args.get(0), reply.getDelegate()))
                : appendAndWait(keys, args);
        return appended.map(result -> stored(draft, result));
    }

    /**
     * Every append's answer passes here: a message now in the log (on the primary at least) wakes the write-behind
     * if it slowed down for lack of work. Returns {@code result}.
     */
    private AppendResult stored(ChatMessage draft, AppendResult result) {
        if (result instanceof AppendResult.Stored || result instanceof AppendResult.NotReplicated) {
            writeBehind.appended(draft.conversation());
        }
        if (result instanceof AppendResult.Stored stored) {
            handedOut.saw(draft.conversation(), stored.seq());
        }
        return result;
    }

    private List<String> keys(ChatMessage draft) {
        String cid = draft.conversation();
        // an edit or delete looks its target up among the sends of the user its id names: found elsewhere than
        // among the sender's own, it is someone else's message
        long targetSender = draft.target() == null ? draft.from() : senderOfMessageId(draft.target(), draft.from());
        return List.of(
                RedisKeys.seq(cid),
                RedisKeys.log(cid),
                RedisKeys.members(cid),
                RedisKeys.dirty(RedisKeys.bucket(cid)),
                RedisKeys.recentSends(cid, draft.from(), false),
                RedisKeys.recentSends(cid, draft.from(), true),
                RedisKeys.changes(cid),
                RedisKeys.recentSends(cid, targetSender, false),
                RedisKeys.recentSends(cid, targetSender, true),
                RedisKeys.seqsWhole(RedisKeys.bucket(cid)),
                RedisKeys.startedFilter(RedisKeys.bucket(cid)));
    }

    /** The user a 34-character message id names (its digits 14–23), or {@code fallback} for anything else. */
    static long senderOfMessageId(String id, long fallback) {
        if (id.length() != Id34.LENGTH) {
            return fallback;
        }
        for (int i = 0; i < Id34.LENGTH; i++) {
            if (id.charAt(i) < '0' || id.charAt(i) > '9') {
                return fallback;
            }
        }
        return Long.parseLong(id, 14, 24, 10);
    }

    private List<String> args(ChatMessage draft, boolean checkMembers, String[] frameAroundSeq, String exclude,
                              List<String> channels, String echoChannel, Long seqFloor) {
        String cid = draft.conversation();
        List<String> args = new ArrayList<>(22 + channels.size());
        args.add(cid);
        args.add(draft.id());
        args.add(Long.toString(draft.from()));
        args.add(draft.toGroup() != null ? draft.toGroup() : Long.toString(draft.toUser()));
        args.add(draft.kind());
        args.add(draft.body());
        args.add(Long.toString(draft.ts()));
        args.add(draft.target() == null ? "" : draft.target());
        args.add(draft.clientMsgId());
        args.add(Long.toString(config.delivery().dedupeTtl().toMillis()));
        args.add(checkMembers ? "1" : "0");
        args.add(frameAroundSeq[0]);
        args.add(frameAroundSeq[1]);
        args.add(exclude);
        args.add(Long.toString(config.limits().editWindow().toMillis()));
        args.add(echoChannel == null ? "" : echoChannel);
        args.add(seqFloor == null ? "" : seqFloor.toString());
        args.add(Integer.toString(config.delivery().dedupeWindow()));
        long filterBits = config.persistence().startedFilterBits();
        args.add(Long.toString(filterBits));
        args.addAll(List.of(StartedConversations.positions(cid, filterBits)));
        long highest = handedOut.highest(cid);
        args.add(highest == 0 ? "" : Long.toString(highest));
        args.addAll(channels);
        return args;
    }

    /**
     * The append, then {@code WAIT} on the same connection (WAIT counts the replicas that have this connection's
     * writes): {@code sent} only once the message is on the configured number of replicas. A duplicate waits too, so
     * a resend after a timeout answers {@code sent} once the replica has caught up.
     */
    private Uni<AppendResult> appendAndWait(List<String> keys, List<String> args) {
        ChatConfig.Durability durability = config.durability();
        AtomicReference<Response> reply = new AtomicReference<>();
        AtomicLong replicated = new AtomicLong();
        return redis.withConnection(connection -> APPEND.run(connection, keys, args)
                        .invoke(reply::set)
                        .chain(() -> connection.execute("WAIT", Integer.toString(durability.replicas()),
                                Long.toString(durability.replicaTimeout().toMillis())))
                        .invoke(waited -> replicated.set(waited.toLong()))
                        .replaceWithVoid())
                .map(v -> {
                    AppendResult result = toResult(args.get(0), reply.get().getDelegate());
                    boolean written = result instanceof AppendResult.Stored || result instanceof AppendResult.Duplicate;
                    return written && replicated.get() < durability.replicas()
                            ? new AppendResult.NotReplicated(replicated.get()) : result;
                });
    }

    private AppendResult toResult(String conversation, io.vertx.redis.client.Response reply) {
        String status = reply.get(0).toString();
        return switch (status) {
            case "ok" -> {
                long seq = Long.parseLong(reply.get(1).toString());
                if (reply.size() > 2) { // 'fenced': the counter was behind what this node saw handed out
                    fences.raisedByAppend(conversation, seq);
                }
                yield new AppendResult.Stored(seq);
            }
            case "dup" -> {
                String[] parts = reply.get(1).toString().split("\\|");
                yield new AppendResult.Duplicate(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2]));
            }
            case "forbidden" -> new AppendResult.NotMember();
            case "no-members" -> new AppendResult.MembersNotCached();
            case "not-editable" -> new AppendResult.NotEditable();
            case "not-yours" -> new AppendResult.NotYours();
            case "no-seq" -> new AppendResult.SeqMissing();
            default -> throw new IllegalStateException("message_append answered " + status);
        };
    }

    /** Messages after {@code afterSeq}, in seq order, at most {@code limit}, from the Redis log. */
    public Uni<List<ChatMessage>> after(String conversation, long afterSeq, int limit) {
        return streams.xrange(RedisKeys.log(conversation), StreamRange.of((afterSeq + 1) + "-0", "+"), limit)
                .map(entries -> {
                    List<ChatMessage> out = new ArrayList<>(entries.size());
                    for (StreamMessage<String, String, String> entry : entries) {
                        out.add(fromEntry(conversation, seqOf(entry.id()), entry.payload()));
                    }
                    return out;
                });
    }

    /**
     * The conversation's last seq as Redis counts it, or {@link #SEQ_UNKNOWN} when Redis has no counter (a quiet
     * conversation, or Redis lost it): then only MySQL knows.
     */
    public Uni<Long> lastSeq(String conversation) {
        return redis.value(String.class).get(RedisKeys.seq(conversation))
                .map(v -> v == null ? SEQ_UNKNOWN : Long.parseLong(v));
    }

    /** See {@link #lastSeq}. */
    public static final long SEQ_UNKNOWN = Long.MAX_VALUE;

    /**
     * The conversation's last seq: Redis's counter, or — when it left Redis with a quiet conversation, or Redis lost
     * it — what MySQL holds or held (its newest message, or the floor retention left), read on a worker thread.
     */
    public Uni<Long> lastSeqOrStored(String conversation) {
        return redis.value(String.class).get(RedisKeys.seq(conversation)).flatMap(last -> last != null
                ? Uni.createFrom().item(Long.parseLong(last))
                : Uni.createFrom().item(() -> history.maxSeq(conversation))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()));
    }

    /** The seq of a log entry id ({@code <seq>-0}). */
    public static long seqOf(String streamId) {
        return Long.parseLong(streamId.substring(0, streamId.indexOf('-')));
    }

    /** Rebuilds a message from a log or persist-queue entry's fields. */
    public static ChatMessage fromEntry(String conversation, long seq, Map<String, String> f) {
        boolean group = conversation.startsWith("g:");
        String to = f.get("to");
        String target = f.get("target");
        return new ChatMessage(f.get("id"), conversation, seq, Long.parseLong(f.get("from")),
                group ? 0 : Long.parseLong(to), group ? to : null, f.get("body"), f.get("kind"),
                Long.parseLong(f.get("ts")), target == null || target.isEmpty() ? null : target, f.get("cmid"));
    }
}
