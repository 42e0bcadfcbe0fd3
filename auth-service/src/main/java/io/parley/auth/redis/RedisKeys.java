package io.parley.auth.redis;

import java.util.Locale;

/**
 * Every Redis key auth-service writes, in one place. Session keys themselves are shared with the token
 * verifiers of every service: see {@link io.parley.common.token.SessionKeys}.
 */
public final class RedisKeys {

    private RedisKeys() {
    }

    public static String loginAttemptsByUser(String username) {
        return "auth:ratelimit:login:user:{" + username.toLowerCase(Locale.ROOT) + "}";
    }

    public static String loginAttemptsByAddress(String address) {
        return "auth:ratelimit:login:addr:{" + address + "}";
    }

    /**
     * The highest user id ever handed out: kept outside MySQL, so a MySQL restored from a backup never hands out an id
     * that Redis still holds sessions and conversations of ({@link io.parley.auth.service.UserIdFloor}).
     */
    public static final String USER_ID_HIGH_WATER = "auth:users:max-id";

    /** Set of the user's session ids (maybe some already ended), so deleting the account can end them all. */
    public static String userSessions(long userId) {
        return "auth:user:{" + userId + "}:sessions";
    }
}
