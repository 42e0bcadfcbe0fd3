package io.parley.chat.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Recognises the common {@code ack} frame — a flat JSON object with exactly {@code type:"ack"}, a
 * {@code conversation} string and a {@code seq} integer, in any order — straight from the frame's bytes, without
 * building a parser or a tree. Anything else (another type, another field, an escape, a nested value, a bad number)
 * answers {@code null}, and the frame takes the general path ({@link FrameParser}), which accepts or rejects it with
 * the usual error. Acks are most of what clients send, so this is the inbound hot path.
 */
public final class AckScanner {

    private static final int MAX_BYTES = 256;

    private AckScanner() {
    }

    /** The ack in {@code frame}'s readable bytes (left untouched), or {@code null} if it is not a plain ack frame. */
    public static ClientFrame.Ack scan(ByteBuf frame) {
        int end = frame.writerIndex();
        int i = skipSpace(frame, frame.readerIndex(), end);
        if (end - i > MAX_BYTES || i >= end || frame.getByte(i) != '{') {
            return null;
        }
        boolean ack = false;
        String conversation = null;
        long seq = -1;
        i++;
        while (true) {
            i = skipSpace(frame, i, end);
            int keyStart = i + 1;
            int keyEnd = stringEnd(frame, i, end);
            if (keyEnd < 0) {
                return null;
            }
            i = skipSpace(frame, keyEnd + 1, end);
            if (i >= end || frame.getByte(i) != ':') {
                return null;
            }
            i = skipSpace(frame, i + 1, end);
            if (is(frame, keyStart, keyEnd, "type")) {
                int valueEnd = stringEnd(frame, i, end);
                if (ack || valueEnd < 0 || !is(frame, i + 1, valueEnd, FrameTypes.ACK)) {
                    return null;
                }
                ack = true;
                i = valueEnd + 1;
            } else if (is(frame, keyStart, keyEnd, "conversation")) {
                int valueEnd = stringEnd(frame, i, end);
                if (conversation != null || valueEnd < 0) {
                    return null;
                }
                conversation = frame.toString(i + 1, valueEnd - i - 1, StandardCharsets.US_ASCII);
                i = valueEnd + 1;
            } else if (is(frame, keyStart, keyEnd, "seq")) {
                if (seq >= 0) {
                    return null;
                }
                int start = i;
                long value = 0;
                while (i < end && frame.getByte(i) >= '0' && frame.getByte(i) <= '9' && i - start < 18) {
                    value = value * 10 + (frame.getByte(i) - '0');
                    i++;
                }
                if (i == start || (i < end && frame.getByte(i) >= '0' && frame.getByte(i) <= '9')) {
                    return null; // no digits, or too many for this path
                }
                if ((i - start > 1 && frame.getByte(start) == '0') || value > FrameParser.MAX_SEQ) {
                    return null; // a leading zero is not JSON, and a seq past the limit: the general path refuses them
                }
                seq = value;
            } else {
                return null;
            }
            i = skipSpace(frame, i, end);
            if (i >= end) {
                return null;
            }
            byte next = frame.getByte(i);
            if (next == '}') {
                break;
            }
            if (next != ',') {
                return null;
            }
            i++;
        }
        if (skipSpace(frame, i + 1, end) != end || !ack || conversation == null || seq < 0) {
            return null;
        }
        ConversationId id = ConversationId.parse(conversation);
        return id == null ? null : new ClientFrame.Ack(id, seq);
    }

    /** The index of the closing quote of a plain string starting at {@code i} (no escapes, ASCII), or -1. */
    private static int stringEnd(ByteBuf frame, int i, int end) {
        if (i >= end || frame.getByte(i) != '"') {
            return -1;
        }
        for (int j = i + 1; j < end; j++) {
            byte b = frame.getByte(j);
            if (b == '"') {
                return j;
            }
            if (b == '\\' || b < 0x20) { // an escape or a control or non-ASCII byte: the general path decides
                return -1;
            }
        }
        return -1;
    }

    private static boolean is(ByteBuf frame, int start, int end, String text) {
        if (end - start != text.length()) {
            return false;
        }
        for (int k = 0; k < text.length(); k++) {
            if (frame.getByte(start + k) != text.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static int skipSpace(ByteBuf frame, int i, int end) {
        while (i < end) {
            byte b = frame.getByte(i);
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                break;
            }
            i++;
        }
        return i;
    }
}
