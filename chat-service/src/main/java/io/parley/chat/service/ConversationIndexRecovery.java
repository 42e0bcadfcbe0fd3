package io.parley.chat.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.store.CursorScripts;
import io.parley.chat.store.DirectConversationRepository;
import io.parley.chat.store.ReadCursorRepository;
import io.parley.chat.store.RedisKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.SetArgs;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Gets a user's conversation index ({@link RedisKeys#userConversations}) back from MySQL's history after Redis lost
 * it — on the read side, when the list is asked for, so the send path stays one round trip. The index is checked
 * against MySQL when its marker ({@link RedisKeys#userConversationsChecked}) is missing: after a wipe the index may
 * hold only what was sent since, so a missing marker, not a missing index, is what says "reconcile". Entries are
 * merged never lowering one (the cursor script): a send racing the rebuild keeps its newer activity. The
 * sorted set older versions kept the index in is deleted. The user's read cursors are
 * raised to what MySQL knows at the same time. Blocking: worker threads only.
 */
@ApplicationScoped
public class ConversationIndexRecovery {

    private static final Logger LOG = Logger.getLogger(ConversationIndexRecovery.class);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final RedisDataSource redis;
    private final DirectConversationRepository history;
    private final ReadCursorRepository readCursors;
    private final ReactiveRedisDataSource reactiveRedis;
    private final long checkedForSeconds;
    private final Counter rebuilds;

    public ConversationIndexRecovery(RedisDataSource redis, ReactiveRedisDataSource reactiveRedis,
                                     DirectConversationRepository history, ReadCursorRepository readCursors,
                                     ChatConfig config, MeterRegistry metrics) {
        this.redis = redis;
        this.reactiveRedis = reactiveRedis;
        this.history = history;
        this.readCursors = readCursors;
        this.checkedForSeconds = config.recovery().indexCheckedFor().toSeconds();
        this.rebuilds = Counter.builder("parley.conversation.index.rebuilds")
                .description("Conversation indexes reconciled with MySQL's history (Redis lost or never held the marker)")
                .register(metrics);
    }

    /**
     * Raises the user's read cursors in Redis to what MySQL knows (kept read receipts, and the user's own newest
     * messages): only ever forward, through the same script read receipts use, so a newer cursor is never lowered.
     */
    private void restoreReadCursors(long user) {
        raise(RedisKeys.userRead(user), readCursors.readPositions(user));
    }

    /** Raises the hash's values per conversation to {@code values} where they are higher (the cursor script). */
    private void raise(String hash, Map<String, Long> values) {
        if (values.isEmpty()) {
            return;
        }
        List<String> pairs = new ArrayList<>(values.size() * 2);
        values.forEach((cid, value) -> {
            pairs.add(cid);
            pairs.add(Long.toString(value));
        });
        CursorScripts.advance(reactiveRedis, List.of(hash), pairs).await().atMost(WAIT);
    }

    /** Reconciles the user's index with MySQL unless that was done since Redis last lost it. */
    public void ensure(long user) {
        if (redis.key().exists(RedisKeys.userConversationsChecked(user))) {
            return;
        }
        Set<String> conversations = history.directConversationsOf(user);
        Map<String, Long> activity = new HashMap<>();
        history.newest(conversations).forEach((cid, newest) -> activity.put(cid, newest.ts()));
        raise(RedisKeys.userConversations(user), activity);
        redis.key().del(RedisKeys.legacyUserConversations(user));
        restoreReadCursors(user);
        // expires so a user's index is compared with MySQL again now and then (one indexed query), and so the
        // marker of a user who never comes back does not stay in Redis for ever
        redis.value(String.class).set(RedisKeys.userConversationsChecked(user), "1", new SetArgs().ex(checkedForSeconds));
        rebuilds.increment();
        if (!activity.isEmpty()) {
            LOG.debugf("user %d: conversation index reconciled with MySQL (%d direct conversations)", user,
                    activity.size());
        }
    }
}
