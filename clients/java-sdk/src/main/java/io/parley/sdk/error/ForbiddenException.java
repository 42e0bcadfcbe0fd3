package io.parley.sdk.error;

import java.time.Duration;

/** 403 {@code FORBIDDEN}: authenticated, not allowed — e.g. acting on another app's resources. */
public class ForbiddenException extends ParleyException {

    public ForbiddenException(String code, int status, String message, Duration retryAfter) {
        super(code, status, message, retryAfter, null);
    }
}
