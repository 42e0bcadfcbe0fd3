package io.parley.common.token;

import io.parley.common.error.ErrorCode;

/** A token that is malformed, tampered with, expired or revoked. The code says which. */
public class TokenRejectedException extends Exception {

    private final ErrorCode code;

    public TokenRejectedException(ErrorCode code, String message) {
        super(message, null, false, false); // no stack trace: this is an expected outcome, not a bug
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
