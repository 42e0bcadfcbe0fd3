package io.parley.notify.relay;

import io.parley.common.redis.SharedKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.KeyCommands;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Whether a user has an open chat connection: chat-service keeps the hash {@link SharedKeys#presence} while the
 * user has at least one. Blocking: worker threads only.
 */
@ApplicationScoped
public class Presence {

    private final KeyCommands<String> keys;

    public Presence(RedisDataSource redis) {
        this.keys = redis.key();
    }

    public static String key(long user) {
        return SharedKeys.presence(user);
    }

    public boolean isOnline(long user) {
        return keys.exists(key(user));
    }
}
