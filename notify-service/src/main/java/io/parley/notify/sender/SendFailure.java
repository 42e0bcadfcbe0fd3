package io.parley.notify.sender;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * A send that did not go through; its message becomes the delivery's {@code lastError}. No stack trace needed.
 * A failure may be {@link #permanent()} (trying again cannot help: the delivery is a dead letter at once) or carry
 * the receiver's {@code Retry-After} (the next attempt waits at least that long).
 */
public class SendFailure extends RuntimeException {

    private final boolean permanent;
    private final long retryAfterMillis;

    public SendFailure(String message) {
        this(message, false, 0);
    }

    public SendFailure(String message, boolean permanent, long retryAfterMillis) {
        super(message, null, false, false);
        this.permanent = permanent;
        this.retryAfterMillis = Math.max(0, retryAfterMillis);
    }

    /** A failure trying again cannot mend (a malformed request, a refused credential). */
    public static SendFailure permanent(String message) {
        return new SendFailure(message, true, 0);
    }

    /** A temporary failure; the next attempt waits at least what {@code retryAfterHeader} asks (seconds or an HTTP date). */
    public static SendFailure retryAfter(String message, String retryAfterHeader) {
        return new SendFailure(message, false, parseRetryAfter(retryAfterHeader));
    }

    public boolean permanent() {
        return permanent;
    }

    public long retryAfterMillis() {
        return retryAfterMillis;
    }

    /** Whether {@code e} is a {@link #permanent()} failure. */
    public static boolean isPermanent(Throwable e) {
        return e instanceof SendFailure f && f.permanent;
    }

    /** The receiver's requested wait in ms, 0 if none. */
    public static long retryAfterMillis(Throwable e) {
        return e instanceof SendFailure f ? f.retryAfterMillis : 0;
    }

    /** {@code Retry-After}: delay-seconds or an HTTP date (RFC 9110); 0 if absent or unreadable. */
    static long parseRetryAfter(String header) {
        if (header == null || header.isBlank()) {
            return 0;
        }
        String value = header.trim();
        try {
            return Math.max(0, Math.min(Long.parseLong(value), 86_400)) * 1000;
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Math.max(0, at.toEpochMilli() - System.currentTimeMillis());
            } catch (DateTimeParseException notDate) {
                return 0;
            }
        }
    }

    /** A short description of any failure, for {@code lastError} and logs. */
    public static String describe(Throwable e) {
        if (e instanceof SendFailure) {
            return e.getMessage();
        }
        String message = e.getMessage();
        String text = e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        return text.length() > 500 ? text.substring(0, 500) : text;
    }
}
