package io.parley.common.error;

import io.quarkus.security.AuthenticationFailedException;
import java.util.Map;

/** Carries the reason a token was refused (invalid, expired, revoked) through Quarkus Security to the error body. */
public final class TokenFailures {

    private static final String CODE_ATTRIBUTE = "parley.error-code";

    private TokenFailures() {
    }

    public static AuthenticationFailedException failure(ErrorCode code, String message) {
        return new AuthenticationFailedException(message, Map.of(CODE_ATTRIBUTE, code));
    }

    /** The code a failure carries, or {@link ErrorCode#UNAUTHENTICATED} when it carries none. */
    public static ErrorCode codeOf(AuthenticationFailedException e) {
        Object code = e.getAttributes() == null ? null : e.getAttributes().get(CODE_ATTRIBUTE);
        return code instanceof ErrorCode c ? c : ErrorCode.UNAUTHENTICATED;
    }
}
