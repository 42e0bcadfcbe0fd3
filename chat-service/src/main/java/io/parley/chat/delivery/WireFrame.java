package io.parley.chat.delivery;

import java.nio.charset.StandardCharsets;

/**
 * A server-to-client WebSocket frame as the bytes that go on the wire (RFC 6455 §5.2: FIN, opcode, length; servers
 * never mask). Built once per frame and written as-is to every recipient socket, below websockets-next, so a fan-out
 * costs one encoding however many sockets it reaches.
 */
public final class WireFrame {

    private static final int FIN = 0x80;
    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;

    /** A ping with no payload (FIN + opcode 0x9, length 0): clients answer with a pong. */
    static final byte[] PING = {(byte) 0x89, 0};

    private WireFrame() {
    }

    /** A whole text message in one frame. */
    public static byte[] text(String frame) {
        return encode(TEXT, frame.getBytes(StandardCharsets.UTF_8));
    }

    /** A whole binary message in one frame. */
    public static byte[] binary(byte[] payload) {
        return encode(BINARY, payload);
    }

    static byte[] encode(int opcode, byte[] payload) {
        int length = payload.length;
        int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        byte[] wire = new byte[header + length];
        wire[0] = (byte) (FIN | opcode);
        if (length < 126) {
            wire[1] = (byte) length;
        } else if (length <= 0xFFFF) {
            wire[1] = 126;
            wire[2] = (byte) (length >>> 8);
            wire[3] = (byte) length;
        } else {
            wire[1] = 127;
            long l = length;
            for (int i = 0; i < 8; i++) {
                wire[2 + i] = (byte) (l >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, wire, header, length);
        return wire;
    }
}
