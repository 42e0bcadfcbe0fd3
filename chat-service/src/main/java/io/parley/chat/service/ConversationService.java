package io.parley.chat.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.parley.chat.protocol.ChatMessage;
import io.parley.chat.protocol.ConversationId;
import io.parley.chat.store.DirectConversationRepository;
import io.parley.chat.store.GroupRepository;
import io.parley.chat.store.HistoryRepository;
import io.parley.chat.store.RedisKeys;
import io.parley.chat.store.RedisWindows;
import io.parley.chat.store.MessageStore;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * What the REST API shows of conversations: the caller's list (newest first, with unread counts) and history
 * pages. A history page is read from the Redis log for the seqs it still holds and from MySQL below them; the log
 * is read first, so a seq trimmed from it meanwhile was already in MySQL (the write-behind trims only below what
 * MySQL holds) — no gaps, no duplicates. Blocking: worker threads only.
 */
@ApplicationScoped
public class ConversationService {

    private static final Logger LOG = Logger.getLogger(ConversationService.class);
    /** Direct conversations listed at most (the most recently active). */
    static final int MAX_DIRECT = 1000;
    /** XREVRANGE takes its bounds high first; the client passes a StreamRange's two bounds through as given. */
    private static final StreamRange NEWEST_FIRST = StreamRange.of("+", "-");

    /** {@code {"conversations": [...]}}, newest first. */
    public record ConversationList(List<ConversationView> conversations) {
    }

    /**
     * One conversation: {@code type} {@code direct} (with {@code peer}, the other user) or {@code group} (with
     * {@code group}, its id, and {@code name}); {@code lastActivity} in epoch ms. A direct one also carries
     * {@code peerRead}: how far the other user has read, so a client shows read ticks on any device.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ConversationView(String id, String type, long lastSeq, long unread, long lastActivity, Long peer,
                                   Long peerRead, String group, String name) {
    }

    /** {@code {"messages": [...newest first], "hasMore"}}: {@code hasMore} when older messages exist. */
    public record HistoryPage(List<HistoryMessage> messages, boolean hasMore) {
    }

    /** A message as history shows it: the {@code message} frame's fields, without {@code type}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HistoryMessage(String id, String conversation, long seq, long from, Recipient to, String body,
                                 String kind, long ts, String target, Long editedSeq) {
        static HistoryMessage of(ChatMessage m) {
            return new HistoryMessage(m.id(), m.conversation(), m.seq(), m.from(),
                    m.toGroup() != null ? new Recipient(null, m.toGroup()) : new Recipient(m.toUser(), null),
                    m.body(), m.kind(), m.ts(), m.target(), null);
        }

        /** This message as its latest edit left it ({@code editedSeq}: the edit's seq), or its tombstone. */
        HistoryMessage changedBy(String change) {
            String[] parts = change.split("\\|", 3);
            long changeSeq = Long.parseLong(parts[1]);
            return "delete".equals(parts[0])
                    ? new HistoryMessage(id, conversation, seq, from, to, "", "deleted", ts, null, changeSeq)
                    : new HistoryMessage(id, conversation, seq, from, to, parts[2], kind, ts, null, changeSeq);
        }
    }

    /** {@code {"user": id}} or {@code {"group": "gid"}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Recipient(Long user, String group) {
    }

    private final RedisDataSource redis;
    private final ReactiveRedisDataSource reactiveRedis;
    private final HistoryRepository history;
    private final GroupService groups;
    private final ConversationIndexRecovery indexRecovery;
    private final DirectConversationRepository conversationHistory;
    private final MessageStore store;

    public ConversationService(RedisDataSource redis, ReactiveRedisDataSource reactiveRedis, HistoryRepository history,
                               GroupService groups, ConversationIndexRecovery indexRecovery,
                               DirectConversationRepository conversationHistory, MessageStore store) {
        this.store = store;
        this.redis = redis;
        this.reactiveRedis = reactiveRedis;
        this.history = history;
        this.groups = groups;
        this.indexRecovery = indexRecovery;
        this.conversationHistory = conversationHistory;
    }

    /** The user's direct conversations and groups, most recently active first. */
    public ConversationList list(long user) {
        indexRecovery.ensure(user); // after a Redis wipe: the direct conversations MySQL's history knows
        List<Map.Entry<String, Long>> direct = newestDirect(redis.hash(String.class)
                .hgetall(RedisKeys.userConversations(user)));
        Set<String> groupIds = groups.groupsOfBlocking(user);
        Map<String, GroupRepository.GroupInfo> groupInfo = groups.describe(groupIds);
        // unread follows what the user has read (read receipts; sending counts as reading up to one's own message)
        Map<String, String> acked = redis.hash(String.class).hgetall(RedisKeys.userRead(user));

        List<String> cids = new ArrayList<>(direct.size() + groupInfo.size());
        for (Map.Entry<String, Long> d : direct) {
            cids.add(d.getKey());
        }
        List<GroupRepository.GroupInfo> infos = new ArrayList<>(groupInfo.values());
        for (GroupRepository.GroupInfo g : infos) {
            cids.add(ConversationId.group(g.id()).value());
        }
        List<String> lastSeqs = withStoredLastSeqs(cids,
                RedisWindows.run(cids, cid -> reactiveRedis.value(String.class).get(RedisKeys.seq(cid))));
        // the other user's read cursor of each direct conversation (their key, their slot: one pipelined HGET each)
        List<String> peerReads = RedisWindows.run(cids.subList(0, direct.size()), cid -> {
            ConversationId id = ConversationId.parse(cid);
            return id == null || id.group() ? Uni.createFrom().nullItem()
                    : reactiveRedis.hash(String.class).hget(RedisKeys.userRead(id.peerOf(user)), cid);
        });
        // a group's last activity is its last message's time (the log's newest entry)
        List<List<StreamMessage<String, String, String>>> newest = RedisWindows.run(infos, g -> reactiveRedis
                .stream(String.class).xrevrange(RedisKeys.log(ConversationId.group(g.id()).value()), NEWEST_FIRST, 1));

        List<ConversationView> out = new ArrayList<>(cids.size());
        for (int i = 0; i < direct.size(); i++) {
            String cid = cids.get(i);
            ConversationId id = ConversationId.parse(cid);
            if (id == null || id.group()) {
                continue;
            }
            long lastSeq = parseOrZero(lastSeqs.get(i));
            out.add(new ConversationView(cid, "direct", lastSeq, unread(lastSeq, acked.get(cid)),
                    direct.get(i).getValue(), id.peerOf(user), parseOrZero(peerReads.get(i)), null, null));
        }
        for (int j = 0; j < infos.size(); j++) {
            GroupRepository.GroupInfo g = infos.get(j);
            String cid = cids.get(direct.size() + j);
            long lastSeq = parseOrZero(lastSeqs.get(direct.size() + j));
            long lastActivity = g.createdAt();
            List<StreamMessage<String, String, String>> last = newest.get(j);
            if (last != null && !last.isEmpty()) {
                lastActivity = Long.parseLong(last.get(0).payload().get("ts"));
            } else if (lastSeq > 0) {
                List<ChatMessage> stored = history.pageBefore(cid, Long.MAX_VALUE, 1);
                if (!stored.isEmpty()) {
                    lastActivity = stored.get(0).ts();
                }
            }
            out.add(new ConversationView(cid, "group", lastSeq, unread(lastSeq, acked.get(cid)), lastActivity, null,
                    null, g.id(), g.name()));
        }
        out.sort(Comparator.comparingLong(ConversationView::lastActivity).reversed().thenComparing(ConversationView::id));
        return new ConversationList(out);
    }

    /** The index's entries, most recently active first (then by id), at most {@link #MAX_DIRECT}. */
    static List<Map.Entry<String, Long>> newestDirect(Map<String, String> index) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(index.size());
        index.forEach((cid, ts) -> entries.add(Map.entry(cid, parseOrZero(ts))));
        entries.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        return entries.size() > MAX_DIRECT ? entries.subList(0, MAX_DIRECT) : entries;
    }

    /**
     * Up to {@code limit} messages with seq below {@code beforeSeq} (or the newest, when {@code null}), newest
     * first. 400 for a malformed conversation id, 403 unless the user is in the conversation.
     */
    public HistoryPage history(long user, String conversation, Long beforeSeq, int limit) {
        ConversationId id = ConversationId.parse(conversation);
        if (id == null) {
            throw new ApiException(ErrorCode.INVALID_ID,
                    "not a conversation id: d:<smallerUserId>:<largerUserId> or g:<groupId>");
        }
        boolean member = id.group() ? groups.isMember(id.groupId(), user) : id.hasParticipant(user);
        if (!member) {
            throw new ApiException(ErrorCode.FORBIDDEN, "you are not in conversation " + id.value());
        }
        String cid = id.value();
        long last = lastSeq(cid);
        long top = beforeSeq == null ? last + 1 : Math.min(beforeSeq, last + 1); // exclusive
        long low = Math.max(1, top - limit);                                      // inclusive
        if (top <= 1) {
            return new HistoryPage(List.of(), false);
        }
        List<HistoryMessage> page = new ArrayList<>((int) (top - low));
        // 1. Redis, for the newest part it still holds: a contiguous run down from top - 1 (bounds high first)
        List<StreamMessage<String, String, String>> recent = redis.stream(String.class)
                .xrevrange(RedisKeys.log(cid), StreamRange.of((top - 1) + "-0", low + "-0"), limit);
        long expected = top - 1;
        for (StreamMessage<String, String, String> entry : recent) {
            long seq = MessageStore.seqOf(entry.id());
            if (seq != expected) {
                break;
            }
            page.add(HistoryMessage.of(MessageStore.fromEntry(cid, seq, entry.payload())));
            expected--;
        }
        // 2. MySQL, for what lies below (read after Redis: anything trimmed meanwhile is already there)
        if (expected >= low) {
            List<ChatMessage> older = history.pageBefore(cid, expected + 1, (int) (expected - low + 1));
            for (ChatMessage m : older) {
                if (m.seq() != expected) {
                    LOG.warnf("%s: history is missing seq %d..%d (neither in Redis nor in MySQL)", cid, m.seq() + 1, expected);
                }
                page.add(HistoryMessage.of(m));
                expected = m.seq() - 1;
            }
        }
        return new HistoryPage(withChanges(cid, page), low > 1);
    }

    /**
     * The last seqs, with MySQL's newest seq where Redis has no counter (Redis lost it; the next send re-seeds it):
     * a list after a wipe shows the conversation where it was, not at 0.
     */
    private List<String> withStoredLastSeqs(List<String> cids, List<String> lastSeqs) {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < cids.size(); i++) {
            if (lastSeqs.get(i) == null) {
                missing.add(cids.get(i));
            }
        }
        if (missing.isEmpty()) {
            return lastSeqs;
        }
        Map<String, DirectConversationRepository.Newest> stored = conversationHistory.newest(missing);
        List<String> out = new ArrayList<>(lastSeqs);
        for (int i = 0; i < cids.size(); i++) {
            if (out.get(i) != null) {
                continue;
            }
            DirectConversationRepository.Newest newest = stored.get(cids.get(i));
            // no message left at all: retention purged the whole history, and its floor is where the seq stands
            out.set(i, Long.toString(newest != null ? newest.seq() : history.maxSeq(cids.get(i))));
        }
        return out;
    }

    /** History shows each message's latest version: edits applied, deleted ones as tombstones. */
    private List<HistoryMessage> withChanges(String cid, List<HistoryMessage> page) {
        if (page.isEmpty()) {
            return page;
        }
        String[] ids = page.stream().map(HistoryMessage::id).toArray(String[]::new);
        Map<String, String> changes = redis.hash(String.class).hmget(RedisKeys.changes(cid), ids);
        if (changes == null || changes.values().stream().allMatch(Objects::isNull)) {
            return page;
        }
        List<HistoryMessage> out = new ArrayList<>(page.size());
        for (HistoryMessage m : page) {
            String change = changes.get(m.id());
            out.add(change == null ? m : m.changedBy(change));
        }
        return out;
    }

    /** The conversation's last seq (see {@link MessageStore#lastSeqOrStored}); this service runs on worker threads. */
    private long lastSeq(String cid) {
        return store.lastSeqOrStored(cid).await().indefinitely();
    }

    private static long unread(long lastSeq, String acked) {
        return Math.max(0, lastSeq - parseOrZero(acked));
    }

    private static long parseOrZero(String text) {
        return text == null ? 0 : Long.parseLong(text);
    }


}
