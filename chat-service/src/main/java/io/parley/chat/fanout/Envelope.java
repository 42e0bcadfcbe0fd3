package io.parley.chat.fanout;

/**
 * What travels on a fan-out channel. A message: {@code "<exclude> <conversation> <seq>\n<frame>"}, where
 * {@code exclude} is the {@code node:connection} that sent it (it already has its {@code sent}) and the frame
 * is the encoded {@code message}, written as-is to every local recipient. A control notice:
 * {@code "!<verb> <argument>"} (membership changes a node's local group index must follow). A transient frame
 * (typing, read, presence — not stored, not acknowledged): {@code "~<excludedUser>\n<frame>"}.
 */
public record Envelope(String exclude, String conversation, long seq, String frame, String controlVerb,
                       String controlArgument) {

    public static final String GROUP_JOINED = "group-joined";
    public static final String GROUP_LEFT = "group-left";
    /** Close one connection ({@code node:connection}): the user opened more than the per-user cap. */
    public static final String CLOSE_CONNECTION = "close";

    public boolean isTransient() {
        return controlVerb == null && conversation == null;
    }

    /** A frame for everyone on the channel except the connections of user {@code excludedUser} (0: nobody). */
    public static String transientFrame(long excludedUser, String frame) {
        return "~" + excludedUser + "\n" + frame;
    }

    public boolean isControl() {
        return controlVerb != null;
    }

    public static String control(String verb, String argument) {
        return "!" + verb + " " + argument;
    }

    /** Parses a payload, or returns {@code null} for one this node does not understand. */
    public static Envelope parse(String payload) {
        if (payload.startsWith("!")) {
            int space = payload.indexOf(' ');
            return space < 0 ? null : new Envelope(null, null, 0, null, payload.substring(1, space), payload.substring(space + 1));
        }
        int newline = payload.indexOf('\n');
        if (newline < 0) {
            return null;
        }
        if (payload.startsWith("~")) {
            return new Envelope(payload.substring(1, newline), null, 0, payload.substring(newline + 1), null, null);
        }
        int first = payload.indexOf(' ');
        int second = payload.indexOf(' ', first + 1);
        if (first < 0 || second < 0 || second > newline) {
            return null;
        }
        try {
            return new Envelope(payload.substring(0, first), payload.substring(first + 1, second),
                    Long.parseLong(payload, second + 1, newline, 10), payload.substring(newline + 1), null, null);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
