package io.parley.chat.rest;

import io.parley.common.error.ApiException;
import java.util.regex.Pattern;

/** The {@code cursor} and {@code limit} query parameters of {@code GET /api/v1/apps/{appId}/grants}. */
final class GrantsPaging {

    /** Default page size when {@code limit} is absent. */
    static final int DEFAULT_LIMIT = 100;
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,20}");

    private GrantsPaging() {
    }

    /** A Redis scan cursor: an unsigned 64-bit decimal; absent means {@code "0"} (from the start). */
    static String cursor(String cursor) {
        if (cursor == null) {
            return "0";
        }
        if (DIGITS.matcher(cursor).matches()) {
            try {
                return Long.toUnsignedString(Long.parseUnsignedLong(cursor));
            } catch (NumberFormatException e) {
                // over 2^64 - 1: falls through to the 400
            }
        }
        throw ApiException.invalid("cursor must be the cursor of the previous page (\"0\" to start)");
    }

    /** 1 to {@code max}; absent means {@value #DEFAULT_LIMIT} (or {@code max} if smaller). */
    static int limit(String limit, int max) {
        if (limit == null) {
            return Math.min(DEFAULT_LIMIT, max);
        }
        int value = limit.matches("[0-9]{1,9}") ? Integer.parseInt(limit) : 0;
        if (value < 1 || value > max) {
            throw ApiException.invalid("limit must be 1-" + max);
        }
        return value;
    }
}
