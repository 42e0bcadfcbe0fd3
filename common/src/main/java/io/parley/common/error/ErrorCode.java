package io.parley.common.error;

/**
 * The catalogue of machine-readable error codes, each with the HTTP status it is answered with.
 * Codes are part of the public contract: add new ones, never rename.
 */
public enum ErrorCode {
    // 400 — the request itself is wrong
    MALFORMED_JSON(400, "the body is not valid JSON"),
    INVALID_INPUT(400, "a field is missing or invalid"),
    INVALID_ID(400, "not a Parley id"),
    UNKNOWN_TYPE(400, "unknown frame type"),
    CONTENT_REJECTED(400, "the text contains words this service does not accept"),
    // 401 — who are you?
    UNAUTHENTICATED(401, "a Bearer token is required"),
    BAD_CREDENTIALS(401, "username or password is wrong"),
    TOKEN_INVALID(401, "the token is malformed or was tampered with"),
    TOKEN_EXPIRED(401, "the token has expired"),
    TOKEN_REVOKED(401, "the token's session was revoked"),
    REFRESH_TOKEN_INVALID(401, "the refresh token is unknown, expired or already used"),
    BAD_API_KEY(401, "the API key is wrong"),
    BAD_ADMIN_KEY(401, "the admin key is wrong"),
    // 403 — known, but not allowed
    FORBIDDEN(403, "not allowed"),
    EDIT_WINDOW_CLOSED(403, "the message can no longer be edited or deleted"),
    APP_DISABLED(403, "the app is disabled by the operator"),
    SEND_BLOCKED(403, "the operator has blocked this user from sending"),
    // 404
    NOT_FOUND(404, "no such resource"),
    // 405 / 406 / 415 — the HTTP verb or media type does not fit
    METHOD_NOT_ALLOWED(405, "method not allowed"),
    NOT_ACCEPTABLE(406, "cannot produce the requested media type"),
    UNSUPPORTED_MEDIA_TYPE(415, "send application/json"),
    // 409
    CONFLICT(409, "conflicts with an existing resource"),
    USERNAME_TAKEN(409, "the username is taken"),
    LIMIT_EXCEEDED(409, "a configured limit was reached"),
    // 413
    PAYLOAD_TOO_LARGE(413, "the body is too large"),
    // 429
    RATE_LIMITED(429, "too many requests; retry later"),
    // 5xx
    INTERNAL(500, "internal error"),
    UNAVAILABLE(503, "temporarily unavailable; retry later");

    private final int status;
    private final String defaultMessage;

    ErrorCode(int status, String defaultMessage) {
        this.status = status;
        this.defaultMessage = defaultMessage;
    }

    public int status() {
        return status;
    }

    public String defaultMessage() {
        return defaultMessage;
    }
}
