package io.parley.sdk.error;

import java.time.Duration;

/**
 * The request itself is wrong: 400 ({@code MALFORMED_JSON}, {@code INVALID_INPUT}, {@code INVALID_ID}), 405, 406,
 * 413 ({@code PAYLOAD_TOO_LARGE}), 415. Repeating it cannot help.
 */
public class InvalidRequestException extends ParleyException {

    public InvalidRequestException(String code, int status, String message, Duration retryAfter) {
        super(code, status, message, retryAfter, null);
    }
}
