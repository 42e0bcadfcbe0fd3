package io.parley.common.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.parley.common.config.TokenConfig;
import io.parley.common.token.SessionKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Answers "is this session still live?" from Redis, behind a short local cache so a burst of requests or
 * WebSocket upgrades costs one Redis lookup per session per {@code revocation-cache-ttl}, and a revoked
 * session is refused everywhere within that time (kept below the contract's 1 s).
 */
@ApplicationScoped
public class SessionRevocationCache {

    private final ReactiveKeyCommands<String> keys;
    private final Cache<String, Boolean> liveBySession;

    public SessionRevocationCache(ReactiveRedisDataSource redis, TokenConfig config) {
        this.keys = redis.key();
        this.liveBySession = Caffeine.newBuilder()
                .expireAfterWrite(config.revocationCacheTtl())
                .maximumSize(config.revocationCacheSize())
                .build();
    }

    public Uni<Boolean> isLive(String sessionId) {
        Boolean cached = liveBySession.getIfPresent(sessionId);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return keys.exists(SessionKeys.session(sessionId))
                .invoke(live -> liveBySession.put(sessionId, live));
    }

    /** Forgets what this node knows of a session, e.g. right after this node revoked it. */
    public void invalidate(String sessionId) {
        liveBySession.invalidate(sessionId);
    }
}
