package io.parley.sdk.error;

/**
 * The contract's error codes (docs/protocol.md, "Errors") as constants to compare {@link ParleyException#code()}
 * with. Strings, not an enum: the server may add codes, and an unknown one must not break a client. The last two are
 * the SDK's own, for failures without an answer.
 */
public final class ErrorCodes {

    public static final String MALFORMED_JSON = "MALFORMED_JSON";
    public static final String INVALID_INPUT = "INVALID_INPUT";
    public static final String INVALID_ID = "INVALID_ID";
    public static final String UNAUTHENTICATED = "UNAUTHENTICATED";
    public static final String TOKEN_INVALID = "TOKEN_INVALID";
    public static final String TOKEN_EXPIRED = "TOKEN_EXPIRED";
    public static final String TOKEN_REVOKED = "TOKEN_REVOKED";
    public static final String BAD_API_KEY = "BAD_API_KEY";
    public static final String FORBIDDEN = "FORBIDDEN";
    public static final String NOT_FOUND = "NOT_FOUND";
    public static final String METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED";
    public static final String CONFLICT = "CONFLICT";
    public static final String LIMIT_EXCEEDED = "LIMIT_EXCEEDED";
    public static final String PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE";
    public static final String RATE_LIMITED = "RATE_LIMITED";
    public static final String INTERNAL = "INTERNAL";
    public static final String UNAVAILABLE = "UNAVAILABLE";

    /** SDK: the server could not be reached (the request was not sent). */
    public static final String CONNECTION_FAILED = "CONNECTION_FAILED";
    /** SDK: no answer within the request timeout, or the connection broke mid-call (the server may have acted). */
    public static final String TIMEOUT = "TIMEOUT";

    private ErrorCodes() {
    }
}
