package io.parley.sdk.error;

import java.time.Duration;

/**
 * 409 ({@code CONFLICT}, {@code LIMIT_EXCEEDED}): the resource's state forbids the call, e.g. replaying a delivery
 * that is not dead.
 */
public class ConflictException extends ParleyException {

    public ConflictException(String code, int status, String message, Duration retryAfter) {
        super(code, status, message, retryAfter, null);
    }
}
