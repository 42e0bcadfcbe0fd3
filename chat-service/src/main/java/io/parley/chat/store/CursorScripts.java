package io.parley.chat.store;

import io.parley.common.redis.RedisScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.util.List;

/**
 * The one owner of the cursor scripts: per-conversation cursors kept in a user's Redis hashes (read cursors
 * {@link RedisKeys#userRead}, device acknowledgements {@link RedisKeys#deviceAcked}) are only ever raised, never
 * lowered, and only by these scripts; a rebuilt conversation index ({@link RedisKeys#userConversations}, last
 * activity per conversation) is merged through them too. Non-blocking: safe on the event loop.
 */
public final class CursorScripts {

    private static final RedisScript ADVANCE = RedisScript.load("cursor_advance");
    private static final RedisScript ADVANCE_EACH = RedisScript.load("cursor_advance_each");

    private CursorScripts() {
    }

    /**
     * Raises cursors in one user's hashes ({@code cursor_advance.lua}); {@code pairs}: conversation, seq,
     * conversation, seq, … The reply is how many cursors moved.
     */
    public static Uni<Response> advance(ReactiveRedisDataSource redis, List<String> hashes, List<String> pairs) {
        return ADVANCE.run(redis, hashes, pairs);
    }

    /** {@link #advance} on the hot-path pipeline: {@code handler} gets how many cursors moved. */
    public static void advance(RedisPipeline pipeline, String hash, String conversation, long seq,
                               RedisPipeline.ReplyHandler handler) {
        pipeline.run(ADVANCE, 1, new String[]{hash, conversation, Long.toString(seq)}, handler);
    }

    /**
     * Raises cursors of many users' hashes in one call ({@code cursor_advance_each.lua}, standalone Redis only);
     * {@code args}: for each hash in order, the number of pairs n, then n pairs conversation, seq.
     */
    public static Uni<Response> advanceEach(ReactiveRedisDataSource redis, List<String> hashes, List<String> args) {
        return ADVANCE_EACH.run(redis, hashes, args);
    }
}
