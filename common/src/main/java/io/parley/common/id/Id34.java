package io.parley.common.id;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The 34-character global id: {@code yyyyMMddHHmmss} (UTC, 14) + user zero-padded (10) + sequence
 * zero-padded (10). Ids with the same user compare in creation order as plain strings.
 */
public final class Id34 {

    public static final int LENGTH = 34;
    public static final long MAX_USER = 9_999_999_999L;
    /** The sequence part wraps here; a wrap within one second for one user would take 10^10 ids. */
    public static final long SEQUENCE_MODULUS = 10_000_000_000L;

    private Id34() {
    }

    /** The parts of a parsed id. */
    public record Parts(LocalDateTime time, long user, long sequence) {
    }

    /** Writes an id into {@code out} from a ready 14-character time prefix. No allocation besides the string. */
    public static String format(char[] timePrefix, long user, long sequence) {
        if (user < 0 || user > MAX_USER) {
            throw new IllegalArgumentException("user must be 0.." + MAX_USER);
        }
        char[] out = new char[LENGTH];
        System.arraycopy(timePrefix, 0, out, 0, 14);
        writeDigits(out, 14, 10, user);
        writeDigits(out, 24, 10, Math.floorMod(sequence, SEQUENCE_MODULUS));
        return new String(out);
    }

    /** The 14-character {@code yyyyMMddHHmmss} UTC prefix of an epoch second. */
    public static char[] timePrefix(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        char[] out = new char[14];
        writeDigits(out, 0, 4, t.getYear());
        writeDigits(out, 4, 2, t.getMonthValue());
        writeDigits(out, 6, 2, t.getDayOfMonth());
        writeDigits(out, 8, 2, t.getHour());
        writeDigits(out, 10, 2, t.getMinute());
        writeDigits(out, 12, 2, t.getSecond());
        return out;
    }

    /** Parses an id, or returns {@code null} when the text is not one (wrong length, non-digits, impossible date). */
    public static Parts parse(String text) {
        if (text == null || text.length() != LENGTH) {
            return null;
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        try {
            LocalDateTime time = LocalDateTime.of(
                    Integer.parseInt(text, 0, 4, 10), Integer.parseInt(text, 4, 6, 10),
                    Integer.parseInt(text, 6, 8, 10), Integer.parseInt(text, 8, 10, 10),
                    Integer.parseInt(text, 10, 12, 10), Integer.parseInt(text, 12, 14, 10));
            return new Parts(time, Long.parseLong(text, 14, 24, 10), Long.parseLong(text, 24, 34, 10));
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static void writeDigits(char[] out, int offset, int width, long value) {
        for (int i = offset + width - 1; i >= offset; i--) {
            out[i] = (char) ('0' + (value % 10));
            value /= 10;
        }
    }
}
