package io.parley.sdk.error;

/**
 * No answer from the server: it could not be reached ({@link ErrorCodes#CONNECTION_FAILED}) or did not answer in
 * time ({@link ErrorCodes#TIMEOUT}). {@link #status()} is 0. Whether the server acted on the request is unknown,
 * except for {@link #requestSent()} {@code false} (the connection was never made).
 */
public class ParleyConnectionException extends ParleyException {

    private final boolean requestSent;

    public ParleyConnectionException(String code, String message, boolean requestSent, Throwable cause) {
        super(code, 0, message, null, cause);
        this.requestSent = requestSent;
    }

    /** {@code false} when the connection itself failed, so the server cannot have seen the request. */
    public boolean requestSent() {
        return requestSent;
    }
}
