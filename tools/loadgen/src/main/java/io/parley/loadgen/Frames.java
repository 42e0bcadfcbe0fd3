package io.parley.loadgen;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Builds the client frames and reads the few fields the generator needs from server frames, without a JSON
 * tree: on a 2-core machine the generator shares the CPU with the servers it measures, so it must cost little
 * per delivery. Everything constant in a frame is built once per sender ({@link SendTemplate}); per message only
 * the id, the timestamp and the padding are appended.
 *
 * <p>A body is {@code t=<nanoTime>;s=<sender>;n=<message number>;} followed by padding up to the body size: the
 * receiver computes the delivery latency from {@code t} (sender and receivers share this JVM's clock) and counts
 * loss and duplicates exactly by {@code (s, n)}.
 */
final class Frames {

    static final String PING = "{\"type\":\"ping\"}";

    /** Message frames that are not the generator's own (no {@code t=...;s=...;n=...;} body). */
    static final long NOT_OURS = -1;

    private Frames() {
    }

    /** The constant parts of one sender's {@code send} frames. */
    static final class SendTemplate {
        private final String head;     // {"type":"send","clientMsgId":"<run>-<sender>-
        private final String toGroup;  // ","to":{"group":"<gid>"},"body":"t=   (null for direct)
        private final String senderTag; // ;s=<sender>;n=
        private final String padding;
        private final int bodyBytes;

        SendTemplate(String runId, int sender, String groupId, int bodyBytes) {
            this.head = "{\"type\":\"send\",\"clientMsgId\":\"" + runId + "-" + sender + "-";
            this.toGroup = groupId == null ? null : "\",\"to\":{\"group\":\"" + groupId + "\"},\"body\":\"t=";
            this.senderTag = ";s=" + sender + ";n=";
            this.bodyBytes = bodyBytes;
            this.padding = "x".repeat(bodyBytes);
        }

        /** A send to the template's group. {@code out} is reused by the caller (one per event loop). */
        String toGroup(StringBuilder out, long n, long nanos) {
            out.setLength(0);
            out.append(head).append(n).append(toGroup);
            return body(out, n, nanos);
        }

        /** A send to one user. */
        String toUser(StringBuilder out, long n, long userId, long nanos) {
            out.setLength(0);
            out.append(head).append(n).append("\",\"to\":{\"user\":").append(userId).append("},\"body\":\"t=");
            return body(out, n, nanos);
        }

        private String body(StringBuilder out, long n, long nanos) {
            int bodyStart = out.length() - 2; // the body starts at "t="
            out.append(nanos).append(senderTag).append(n).append(';');
            int pad = bodyBytes - (out.length() - bodyStart);
            if (pad > 0) {
                out.append(padding, 0, pad);
            }
            return out.append("\"}").toString();
        }
    }

    // ---------------------------------------------------------------- topics

    /** The WebSocket subprotocol of the binary (CBOR) frames. */
    static final String CBOR_SUBPROTOCOL = "parley.cbor.v1";

    private static final CBORFactory CBOR = new CBORFactory();

    /**
     * The JSON body of a publish request: {@code {"data":"t=<nanoTime>;g=<number>;xxx…"}} padded to
     * {@code dataBytes}. {@code g} numbers the publications of a run; its topic is {@code g mod topics}.
     */
    static String publishBody(StringBuilder out, long g, long nanos, String padding, int dataBytes) {
        out.setLength(0);
        out.append("{\"data\":\"");
        int dataStart = out.length();
        out.append("t=").append(nanos).append(";g=").append(g).append(';');
        int pad = dataBytes - (out.length() - dataStart);
        if (pad > 0) {
            out.append(padding, 0, pad);
        }
        return out.append("\"}").toString();
    }

    static String subscribe(String appId, String topic) {
        return "{\"type\":\"subscribe\",\"appId\":\"" + appId + "\",\"topics\":[\"" + topic + "\"]}";
    }

    /** Reads {@code t} and {@code g} of a JSON {@code publication} frame's data into {@code out}; false if not ours. */
    static boolean publication(String frame, long[] out) {
        int at = frame.indexOf(DATA_KEY);
        return at >= 0 && publicationData(frame, at + DATA_KEY.length(), out);
    }

    /** Reads {@code t=<nanos>;g=<number>;} starting at {@code from} of {@code data}; false if not ours. */
    static boolean publicationData(String data, int from, long[] out) {
        if (!data.startsWith("t=", from)) {
            return false;
        }
        long nanos = digits(data, from + 2);
        int g = data.indexOf(";g=", from + 2);
        if (nanos == Long.MIN_VALUE || g < 0) {
            return false;
        }
        long number = digits(data, g + 3);
        if (number == Long.MIN_VALUE || number < 0) {
            return false;
        }
        out[0] = nanos;
        out[1] = number;
        return true;
    }

    /** The fields of a binary (CBOR map) server frame the generator reads. */
    static final class Binary {
        String type;
        String code;
        /** publication data: a text string, or a byte string read as UTF-8. */
        String data;
    }

    /** Decodes a CBOR server frame into {@code out}; false if it is not a CBOR map. */
    static boolean binary(byte[] frame, Binary out) {
        out.type = null;
        out.code = null;
        out.data = null;
        try (JsonParser p = CBOR.createParser(frame)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "type" -> out.type = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "code" -> out.code = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "data" -> {
                        if (value == JsonToken.VALUE_STRING) {
                            out.data = p.getText();
                        } else if (value == JsonToken.VALUE_EMBEDDED_OBJECT) {
                            out.data = new String(p.getBinaryValue(), StandardCharsets.UTF_8);
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            return token == JsonToken.END_OBJECT;
        } catch (IOException e) {
            return false;
        }
    }

    static String ack(String conversation, long seq) {
        return "{\"type\":\"ack\",\"conversation\":\"" + conversation + "\",\"seq\":" + seq + "}";
    }

    /** The {@code type} of a server frame, or null. */
    static String type(String frame) {
        return stringField(frame, "type", 0);
    }

    /** The string value of {@code "name":"..."} (no escapes expected), or null. */
    static String stringField(String frame, String name, int from) {
        int at = valueStart(frame, name, from);
        if (at < 0 || at >= frame.length() || frame.charAt(at) != '"') {
            return null;
        }
        int end = frame.indexOf('"', at + 1);
        return end < 0 ? null : frame.substring(at + 1, end);
    }

    /** The integer value of {@code "name":123}, or {@link Long#MIN_VALUE}. */
    static long longField(String frame, String name, int from) {
        int at = valueStart(frame, name, from);
        return at < 0 ? Long.MIN_VALUE : digits(frame, at);
    }

    /** The last number of a {@code clientMsgId} {@code <run>-<sender>-<n>}, or -1. */
    static long clientMsgNumber(String frame) {
        return messageNumber(stringField(frame, "clientMsgId", 0));
    }

    /** The message number of an {@code error} frame's {@code ref} (a clientMsgId of ours), or -1. */
    static long refNumber(String frame) {
        return messageNumber(stringField(frame, "ref", 0));
    }

    private static long messageNumber(String id) {
        if (id == null) {
            return -1;
        }
        int dash = id.lastIndexOf('-');
        long n = dash < 0 ? Long.MIN_VALUE : digits(id, dash + 1);
        return n == Long.MIN_VALUE ? -1 : n;
    }

    /**
     * Reads {@code t}, {@code s} and {@code n} from a message frame's body into {@code out} (nanos, sender, n);
     * returns false if the body is not one of ours.
     */
    static boolean body(String frame, long[] out) {
        int at = valueStart(frame, "body", 0);
        if (at < 0 || !frame.startsWith("\"t=", at)) {
            return false;
        }
        int t = at + 3;
        long nanos = digits(frame, t);
        int s = frame.indexOf(";s=", t);
        if (nanos == Long.MIN_VALUE || s < 0) {
            return false;
        }
        long sender = digits(frame, s + 3);
        int n = frame.indexOf(";n=", s + 3);
        if (sender == Long.MIN_VALUE || n < 0) {
            return false;
        }
        long number = digits(frame, n + 3);
        if (number == Long.MIN_VALUE) {
            return false;
        }
        out[0] = nanos;
        out[1] = sender;
        out[2] = number;
        return true;
    }

    private static int valueStart(String frame, String name, int from) {
        String key = switch (name) { // the hot keys as constants: no string building per frame
            case "type" -> TYPE_KEY;
            case "body" -> BODY_KEY;
            case "conversation" -> CONVERSATION_KEY;
            case "seq" -> SEQ_KEY;
            default -> "\"" + name + "\":";
        };
        int at = frame.indexOf(key, from);
        return at < 0 ? -1 : at + key.length();
    }

    private static final String TYPE_KEY = "\"type\":";
    private static final String BODY_KEY = "\"body\":";
    private static final String CONVERSATION_KEY = "\"conversation\":";
    private static final String SEQ_KEY = "\"seq\":";
    private static final String DATA_KEY = "\"data\":\"";

    private static long digits(String s, int at) {
        boolean negative = at < s.length() && s.charAt(at) == '-';
        int i = negative ? at + 1 : at;
        long value = 0;
        int start = i;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            value = value * 10 + (c - '0');
            i++;
        }
        if (i == start) {
            return Long.MIN_VALUE;
        }
        return negative ? -value : value;
    }
}
