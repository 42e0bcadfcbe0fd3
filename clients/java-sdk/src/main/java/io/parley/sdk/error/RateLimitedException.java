package io.parley.sdk.error;

import java.time.Duration;

/**
 * 429 {@code RATE_LIMITED}: still refused after the SDK's retries, or the server asked to wait longer than the SDK
 * is configured to; see {@link #retryAfter()}.
 */
public class RateLimitedException extends ParleyException {

    public RateLimitedException(String code, int status, String message, Duration retryAfter) {
        super(code, status, message, retryAfter, null);
    }
}
