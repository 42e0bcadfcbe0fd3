package io.parley.sdk.error;

import java.time.Duration;

/**
 * 401: the app token or API key was refused ({@code BAD_API_KEY}, {@code TOKEN_INVALID}, {@code TOKEN_REVOKED},
 * {@code TOKEN_EXPIRED} after the one renewal the SDK tries by itself).
 */
public class AuthenticationException extends ParleyException {

    public AuthenticationException(String code, int status, String message, Duration retryAfter) {
        super(code, status, message, retryAfter, null);
    }
}
