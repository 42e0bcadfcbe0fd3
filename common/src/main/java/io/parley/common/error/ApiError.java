package io.parley.common.error;

/** The body of every 4xx/5xx answer: {@code {"code": "...", "message": "..."}}. */
public record ApiError(String code, String message) {

    public static ApiError of(ErrorCode code, String message) {
        return new ApiError(code.name(), message == null ? code.defaultMessage() : message);
    }
}
