package io.parley.chat.protocol;

import io.parley.common.error.ErrorCode;

/** A frame the server cannot accept; answered with an {@code error} frame, the connection stays open. */
public class FrameException extends RuntimeException {

    private final ErrorCode code;
    private final String ref;

    public FrameException(ErrorCode code, String message, String ref) {
        super(message, null, false, false);
        this.code = code;
        this.ref = ref;
    }

    public ErrorCode code() {
        return code;
    }

    /** The {@code clientMsgId} the error concerns, if the frame had one. */
    public String ref() {
        return ref;
    }
}
