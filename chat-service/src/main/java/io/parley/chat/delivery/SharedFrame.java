package io.parley.chat.delivery;

import io.parley.chat.protocol.BinaryFrames;
import io.vertx.core.buffer.Buffer;

/**
 * One frame written to many connections (a group message, a publication): encoded as text once and, only if a
 * binary client is among the recipients, as binary once.
 */
public final class SharedFrame {

    private final String text;
    private Buffer binary;

    public SharedFrame(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    synchronized Buffer binary(BinaryFrames codec) {
        if (binary == null) {
            binary = codec.encode(text);
        }
        return binary;
    }
}
