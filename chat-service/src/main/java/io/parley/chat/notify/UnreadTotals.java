package io.parley.chat.notify;

import io.parley.chat.protocol.ConversationId;
import io.parley.chat.store.GroupMembershipCache;
import io.parley.chat.store.GroupRepository;
import io.parley.chat.store.RedisKeys;
import io.parley.chat.store.RedisWindows;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A user's unread total — the sum over their conversations of the last seq minus what they read, as
 * {@code GET /api/v1/conversations} counts {@code unread} — for the badge of a push. Counted only for recipients a
 * push goes to, once per write-behind batch: the user's direct-conversation index, group set and read cursors (three
 * reads; a group set not in Redis is loaded from MySQL, as a sync would) and each conversation's counter (pipelined
 * GETs, the keys live in other slots). A conversation whose counter left Redis (cold) counts as read: the badge may
 * be lower than the list's total, never higher. Blocking: the write-behind thread.
 */
@ApplicationScoped
public class UnreadTotals {

    private final RedisDataSource redis;
    private final ReactiveRedisDataSource reactive;
    private final GroupMembershipCache groups;
    private final GroupRepository groupRows;

    public UnreadTotals(RedisDataSource redis, ReactiveRedisDataSource reactive, GroupMembershipCache groups,
                        GroupRepository groupRows) {
        this.redis = redis;
        this.reactive = reactive;
        this.groups = groups;
        this.groupRows = groupRows;
    }

    /** The unread total of each of {@code users}. */
    public Map<Long, Integer> of(Collection<Long> users) {
        Map<Long, Integer> out = new HashMap<>();
        for (long user : users) {
            out.put(user, of(user));
        }
        return out;
    }

    private int of(long user) {
        Set<String> groupIds = groups.cachedGroupsOfBlocking(user);
        if (groupIds == null) {
            groupIds = groups.rebuildGroupsOf(user, () -> groupRows.groupsOf(user));
        }
        List<String> cids = new ArrayList<>(redis.hash(String.class).hkeys(RedisKeys.userConversations(user)));
        for (String gid : groupIds) {
            if (!RedisKeys.LOADED_MARKER.equals(gid)) {
                cids.add(ConversationId.group(gid).value());
            }
        }
        if (cids.isEmpty()) {
            return 0;
        }
        Map<String, String> read = redis.hash(String.class).hgetall(RedisKeys.userRead(user));
        List<String> lastSeqs = RedisWindows.run(cids, cid -> reactive.value(String.class).get(RedisKeys.seq(cid)));
        long total = 0;
        for (int i = 0; i < cids.size(); i++) {
            total += Math.max(0, number(lastSeqs.get(i)) - number(read.get(cids.get(i))));
        }
        return (int) Math.min(Integer.MAX_VALUE, total);
    }

    private static long number(String text) {
        try {
            return text == null ? 0 : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
