package io.parley.common.error;

/**
 * Thrown by resources and services for any expected failure; mapped to the contract's error body
 * and status by {@link ApiExceptionMappers}. Carries no stack trace: it is an answer, not a bug.
 */
public class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final long retryAfterSeconds;

    public ApiException(ErrorCode code) {
        this(code, code.defaultMessage(), 0);
    }

    public ApiException(ErrorCode code, String message) {
        this(code, message, 0);
    }

    public ApiException(ErrorCode code, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException invalid(String message) {
        return new ApiException(ErrorCode.INVALID_INPUT, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(ErrorCode.NOT_FOUND, message);
    }

    public static ApiException rateLimited(long retryAfterSeconds) {
        return new ApiException(ErrorCode.RATE_LIMITED, ErrorCode.RATE_LIMITED.defaultMessage(),
                Math.max(1, retryAfterSeconds));
    }

    public ErrorCode code() {
        return code;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
