package io.parley.sdk.error;

import java.time.Duration;

/**
 * 5xx ({@code INTERNAL}, {@code UNAVAILABLE}): the server's fault. Retried by the SDK only for calls that are safe
 * to repeat.
 */
public class ServerException extends ParleyException {

    public ServerException(String code, int status, String message, Duration retryAfter) {
        super(code, status, message, retryAfter, null);
    }
}
