package io.parley.id.rest;

import io.parley.common.error.ApiException;

/**
 * Parses numeric query parameters by hand: JAX-RS answers a parameter it cannot convert with 404, while the
 * contract wants 400 {@code INVALID_INPUT} and a message that says what is accepted.
 */
final class QueryParams {

    private QueryParams() {
    }

    /** The value of {@code text}, or {@code absent} when it is missing; 400 unless a whole number in [min, max]. */
    static long wholeNumber(String name, String text, long absent, long min, long max) {
        if (text == null || text.isEmpty()) {
            return absent;
        }
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw outOfRange(name, min, max);
        }
        if (value < min || value > max) {
            throw outOfRange(name, min, max);
        }
        return value;
    }

    static ApiException outOfRange(String name, long min, long max) {
        return ApiException.invalid(name + " must be a whole number from " + min + " to " + max);
    }
}
