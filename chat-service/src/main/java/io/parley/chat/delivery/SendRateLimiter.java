package io.parley.chat.delivery;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.parley.chat.config.ChatConfig;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * Per-user send rate on this node (all of the user's connections here share one budget): sends, edits and deletes
 * above it are refused with {@code RATE_LIMITED} and the client resends the same {@code clientMsgId} later —
 * nothing is lost. Buckets of users who stopped sending are dropped after a while.
 */
@Singleton
public class SendRateLimiter {

    private final int perSecond;
    private final int burst;
    private final Cache<Long, TokenBucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(5)).build();

    public SendRateLimiter(ChatConfig config) {
        this.perSecond = config.limits().sendsPerSecond();
        this.burst = config.limits().sendBurst();
    }

    public boolean tryTake(long user) {
        return buckets.get(user, u -> new TokenBucket(perSecond, burst)).tryTake();
    }

    public String describe() {
        return perSecond + " messages per second (bursts of " + burst + ")";
    }
}
