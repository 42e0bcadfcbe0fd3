package io.parley.notify.delivery;

import io.parley.notify.config.NotifyConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off with full jitter: after failed attempt {@code n} the next one waits a uniformly random time
 * in {@code [0, min(max, base * 2^(n-1))]}, so endpoints that fail together are not retried together. After
 * {@code maxAttempts} the delivery is a dead letter.
 */
@ApplicationScoped
public class RetryPolicy {

    private final long baseMs;
    private final long maxMs;
    private final int maxAttempts;

    public RetryPolicy(NotifyConfig config) {
        this.baseMs = Math.max(1, config.delivery().backoffBase().toMillis());
        this.maxMs = Math.max(baseMs, config.delivery().backoffMax().toMillis());
        this.maxAttempts = Math.max(1, config.delivery().maxAttempts());
    }

    public boolean exhausted(int attempts) {
        return attempts >= maxAttempts;
    }

    public long delayAfter(int attempts) {
        int shift = Math.min(30, Math.max(0, attempts - 1));
        long cap = Math.min(maxMs, baseMs << shift);
        return ThreadLocalRandom.current().nextLong(cap + 1);
    }
}
