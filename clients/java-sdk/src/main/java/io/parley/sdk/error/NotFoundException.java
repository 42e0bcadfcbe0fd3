package io.parley.sdk.error;

import java.time.Duration;

/** 404 {@code NOT_FOUND}: unknown resource (or another app's). */
public class NotFoundException extends ParleyException {

    public NotFoundException(String code, int status, String message, Duration retryAfter) {
        super(code, status, message, retryAfter, null);
    }
}
