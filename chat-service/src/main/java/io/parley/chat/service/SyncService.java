package io.parley.chat.service;

import io.parley.chat.config.ChatConfig;
import io.parley.chat.delivery.ClientSession;
import io.parley.chat.delivery.Outbound;
import io.parley.chat.delivery.Replay;
import io.parley.chat.protocol.ChatMessage;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.protocol.ServerFrames;
import io.parley.chat.store.HistoryRepository;
import io.parley.chat.store.MessageStore;
import io.parley.chat.store.RedisKeys;
import io.parley.common.error.ErrorCode;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Resume after reconnect: every message after the client's cursors — and, in conversations it did not name,
 * every message its device has not acknowledged — in seq order per conversation, then {@code synced}.
 * Recent messages come from the Redis log; older ones (trimmed from Redis) from MySQL.
 */
@Singleton // no client proxy on the per-frame path
@Startup // checks its configuration at start, not at the first sync
public class SyncService implements Replay {

    private final MessageStore store;
    private final HistoryRepository history;
    private final GroupService groups;
    private final Outbound outbound;
    private final ServerFrames frames;
    private final ReactiveRedisDataSource redis;
    private final int pageSize;
    private final AckService acks;

    public SyncService(MessageStore store, HistoryRepository history, GroupService groups, Outbound outbound,
                       ServerFrames frames, ReactiveRedisDataSource redis, ChatConfig config, AckService acks) {
        this.acks = acks;
        this.store = store;
        this.history = history;
        this.groups = groups;
        this.outbound = outbound;
        this.frames = frames;
        this.redis = redis;
        this.pageSize = config.delivery().syncPageSize();
        if (pageSize < 1 || pageSize >= config.limits().maxUnacked()) {
            // a sync page arrives before the client can acknowledge it: it must fit the unacknowledged window
            throw new IllegalStateException("parley.chat.delivery.sync-page-size (" + pageSize
                    + ") must be between 1 and parley.chat.limits.max-unacked (" + config.limits().maxUnacked() + ")");
        }
    }

    public Uni<Void> sync(ClientSession session, Map<String, Long> cursors) {
        // acknowledgements gathered since the last cursor flush are written first: a sync right after an ack must
        // not replay what was just acknowledged
        return acks.flush(session).flatMap(v -> syncFromCursors(session, cursors));
    }

    private Uni<Void> syncFromCursors(ClientSession session, Map<String, Long> cursors) {
        long user = session.userId();
        Uni<List<String>> direct = redis.hash(String.class).hkeys(RedisKeys.userConversations(user));
        Uni<Set<String>> groupIds = groups.groupsOf(user);
        Uni<Map<String, String>> deviceAcked = redis.hash(String.class)
                .hgetall(RedisKeys.deviceAcked(user, session.deviceId()));
        return Uni.combine().all().unis(direct, groupIds, deviceAcked).asTuple().flatMap(known -> {
            Map<String, Long> from = startingPoints(session, cursors, known.getItem1(), known.getItem2(), known.getItem3());
            AtomicBoolean more = new AtomicBoolean();
            return Multi.createFrom().iterable(from.entrySet())
                    .onItem().transformToUniAndConcatenate(start -> messagesAfter(start.getKey(), start.getValue())
                            .invoke(messages -> {
                                for (ChatMessage m : messages) {
                                    outbound.deliver(session, m.conversation(), m.seq(), frames.message(m));
                                }
                                if (messages.size() >= pageSize) {
                                    more.set(true);
                                }
                            }))
                    .collect().last()
                    .invoke(() -> outbound.write(session, more.get() ? ServerFrames.SYNCED_MORE : ServerFrames.SYNCED))
                    .replaceWithVoid();
        });
    }

    private Map<String, Long> startingPoints(ClientSession session, Map<String, Long> cursors, List<String> direct,
                                             Set<String> groupIds, Map<String, String> deviceAcked) {
        Map<String, Long> from = new LinkedHashMap<>();
        for (Map.Entry<String, Long> cursor : cursors.entrySet()) {
            ConversationId id = ConversationId.parse(cursor.getKey());
            boolean member = id != null && id.hasMember(session.userId(), groupIds);
            if (member) {
                from.put(id.value(), cursor.getValue());
            } else {
                outbound.write(session, frames.error(ErrorCode.FORBIDDEN,
                        "not a member of " + cursor.getKey() + "; skipped", cursor.getKey()));
            }
        }
        List<String> mine = new ArrayList<>(direct);
        groupIds.forEach(g -> mine.add(ConversationId.group(g).value()));
        for (String conversation : mine) {
            if (!from.containsKey(conversation)) {
                String acked = deviceAcked.get(conversation);
                from.put(conversation, acked == null ? 0L : Long.parseLong(acked));
            }
        }
        return from;
    }

    /** Retransmission: the range from the log (or MySQL), at most a page, as {@code message} frames. */
    @Override
    public Uni<List<Replayed>> range(String conversation, long afterSeq, long upToSeq) {
        return messagesAfter(conversation, afterSeq).map(messages -> {
            List<Replayed> out = new ArrayList<>(messages.size());
            for (ChatMessage m : messages) {
                if (m.seq() <= upToSeq) {
                    out.add(new Replayed(m.seq(), frames.message(m)));
                }
            }
            return out;
        });
    }

    /** Up to a page of messages after {@code afterSeq}: MySQL for what Redis no longer holds, then Redis. */
    Uni<List<ChatMessage>> messagesAfter(String conversation, long afterSeq) {
        return store.after(conversation, afterSeq, pageSize).flatMap(recent -> {
            long firstInRedis = recent.isEmpty() ? Long.MAX_VALUE : recent.get(0).seq();
            if (firstInRedis == afterSeq + 1) {
                return Uni.createFrom().item(recent);
            }
            Uni<Long> last = recent.isEmpty() ? store.lastSeq(conversation) : Uni.createFrom().item(firstInRedis - 1);
            return last.flatMap(lastMissing -> {
                if (lastMissing <= afterSeq) {
                    return Uni.createFrom().item(recent);
                }
                return Uni.createFrom().item(() -> history.range(conversation, afterSeq, pageSize))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                        .map(older -> merge(older, recent));
            });
        });
    }

    private List<ChatMessage> merge(List<ChatMessage> older, List<ChatMessage> recent) {
        List<ChatMessage> out = new ArrayList<>(Math.min(pageSize, older.size() + recent.size()));
        long next = older.isEmpty() ? -1 : older.get(0).seq();
        for (ChatMessage m : older) {
            if (out.size() >= pageSize) {
                return out;
            }
            out.add(m);
            next = m.seq() + 1;
        }
        for (ChatMessage m : recent) {
            if (out.size() >= pageSize) {
                break;
            }
            if (next < 0 || m.seq() >= next) {
                out.add(m);
                next = m.seq() + 1;
            }
        }
        return out;
    }
}
