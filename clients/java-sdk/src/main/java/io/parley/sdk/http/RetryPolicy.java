package io.parley.sdk.http;

import java.time.Duration;

/**
 * When to try a failed call again and how long to wait: exponential back-off with "equal jitter" — before attempt
 * {@code n+1} the SDK waits half of {@code min(maxBackoff, initialBackoff * 2^(n-1))} plus a random share of the
 * other half, so clients that failed together do not come back together, and never wait less than the server's
 * {@code Retry-After}. A {@code Retry-After} longer than {@link #maxRetryAfter()} is not waited for: the caller gets
 * the 429 and decides.
 */
public final class RetryPolicy {

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration maxRetryAfter;

    /**
     * @param maxAttempts    attempts in all, the first included (1 = never retry)
     * @param initialBackoff the back-off step before the second attempt
     * @param maxBackoff     the largest back-off step
     * @param maxRetryAfter  the longest {@code Retry-After} the SDK waits for by itself
     */
    public RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0 || maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException(
                    "back-off must be 0 <= initialBackoff <= maxBackoff, maxRetryAfter >= 0");
        }
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.maxRetryAfter = maxRetryAfter;
    }

    /** 4 attempts, 200 ms first step, 5 s largest step, Retry-After up to 30 s. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public Duration maxRetryAfter() {
        return maxRetryAfter;
    }

    /** Whether another attempt may follow {@code failedAttempts} failed ones. */
    public boolean hasAttemptAfter(int failedAttempts) {
        return failedAttempts < maxAttempts;
    }

    /** The exponential step after {@code failedAttempts} (≥ 1) failures, before jitter: doubling up to the cap. */
    public Duration step(int failedAttempts) {
        if (failedAttempts < 1) {
            throw new IllegalArgumentException("failedAttempts starts at 1");
        }
        long initial = initialBackoff.toMillis();
        long step = initial;
        for (int i = 0; i < failedAttempts - 1 && step < maxBackoff.toMillis(); i++) {
            step *= 2;
        }
        return Duration.ofMillis(Math.min(step, maxBackoff.toMillis()));
    }

    /**
     * The wait before the next attempt.
     *
     * @param failedAttempts attempts so far, all failed (≥ 1)
     * @param retryAfter     the server's {@code Retry-After}, or {@code null}
     * @param random         a uniform random number in [0, 1)
     */
    public Duration delay(int failedAttempts, Duration retryAfter, double random) {
        long step = step(failedAttempts).toMillis();
        long jittered = step / 2 + (long) (random * (step - step / 2));
        long wait = retryAfter == null ? jittered : Math.max(jittered, retryAfter.toMillis());
        return Duration.ofMillis(wait);
    }

    /** Whether the SDK waits out this {@code Retry-After} by itself. */
    public boolean waitsFor(Duration retryAfter) {
        return retryAfter == null || retryAfter.compareTo(maxRetryAfter) <= 0;
    }
}
