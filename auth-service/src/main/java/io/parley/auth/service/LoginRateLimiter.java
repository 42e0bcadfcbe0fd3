package io.parley.auth.service;

import io.parley.auth.config.AuthConfig;
import io.parley.auth.redis.RedisKeys;
import io.parley.auth.redis.RedisScripts;
import io.parley.common.error.ApiException;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Fixed-window limits on login attempts per username and per client address, counted in Redis so every
 * replica sees the same numbers. Over the limit: 429 with {@code Retry-After}.
 */
@ApplicationScoped
public class LoginRateLimiter {

    private final RedisDataSource redis;
    private final AuthConfig.LoginLimits limits;

    public LoginRateLimiter(RedisDataSource redis, AuthConfig config) {
        this.redis = redis;
        this.limits = config.login();
    }

    /** Counts one attempt; throws 429 when the username or the address is over its limit. */
    public void hit(String username, String address) {
        check(RedisKeys.loginAttemptsByAddress(address), limits.perAddress());
        check(RedisKeys.loginAttemptsByUser(username), limits.perUser());
    }

    private void check(String key, int limit) {
        Response reply = RedisScripts.RATELIMIT_HIT.run(redis, List.of(key), Long.toString(limits.window().toMillis()));
        long count = reply.get(0).toLong();
        long resetMillis = reply.get(1).toLong();
        if (count > limit) {
            throw ApiException.rateLimited((resetMillis + 999) / 1000);
        }
    }
}
