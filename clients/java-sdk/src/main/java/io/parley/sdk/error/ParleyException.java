package io.parley.sdk.error;

import java.time.Duration;
import java.util.Optional;

/**
 * A call to Parley that failed. Carries the contract's machine code ({@link ErrorCodes}; {@code "HTTP_<status>"} when
 * the answer had no contract body, e.g. from a proxy), the HTTP status (0 when no answer arrived), the server's
 * message, and the {@code Retry-After} the server asked for, if any. Subclasses name the kind of failure, so callers
 * catch what they can handle ({@link NotFoundException}, {@link RateLimitedException}, …) and let the rest go.
 */
public class ParleyException extends RuntimeException {

    private final String code;
    private final int status;
    private final Duration retryAfter;

    public ParleyException(String code, int status, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    /** The contract's error code, e.g. {@code INVALID_INPUT}, {@code FORBIDDEN}, {@code TOKEN_EXPIRED}. */
    public String code() {
        return code;
    }

    /** The HTTP status; 0 when the server's answer never arrived ({@link ParleyConnectionException}). */
    public int status() {
        return status;
    }

    /** How long the server asked to wait before trying again ({@code Retry-After}), when it said so. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + code + ", " + status + "]: " + getMessage();
    }
}
