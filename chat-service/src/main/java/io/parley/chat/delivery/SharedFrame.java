package io.parley.chat.delivery;

import io.parley.chat.protocol.BinaryFrames;

/**
 * One frame written to many connections (a group message, a publication): encoded once as a text WebSocket frame
 * and, only if a binary client is among the recipients, once as a binary one.
 */
public final class SharedFrame {

    private final String text;
    private volatile byte[] wireText;
    private volatile byte[] wireBinary;

    public SharedFrame(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** The frame for a session, as wire bytes in the encoding it negotiated (computed at most once each). */
    byte[] wire(ClientSession session, BinaryFrames codec) {
        return session.binary() ? wireBinary(codec) : wireText();
    }

    byte[] wireText() {
        byte[] wire = wireText;
        if (wire == null) {
            wire = WireFrame.text(text); // a race encodes twice at worst, to equal bytes
            wireText = wire;
        }
        return wire;
    }

    private byte[] wireBinary(BinaryFrames codec) {
        byte[] wire = wireBinary;
        if (wire == null) {
            wire = WireFrame.binary(codec.encode(text).getBytes());
            wireBinary = wire;
        }
        return wire;
    }
}
