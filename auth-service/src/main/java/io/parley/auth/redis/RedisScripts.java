package io.parley.auth.redis;

import io.parley.common.redis.RedisScript;

/** auth-service's Lua scripts ({@code src/main/resources/redis/}), loaded once. */
public final class RedisScripts {

    public static final RedisScript SESSION_REFRESH = RedisScript.load("session_refresh");
    public static final RedisScript SESSION_END = RedisScript.load("session_end");
    public static final RedisScript RATELIMIT_HIT = RedisScript.load("ratelimit_hit");
    public static final RedisScript SEND_BLOCK = RedisScript.load("send_block");
    public static final RedisScript USER_ID_SEEN = RedisScript.load("user_id_seen");

    private RedisScripts() {
    }
}
