package io.parley.auth.service;

import io.parley.common.error.ApiException;
import java.util.regex.Pattern;

/** The contract's input rules, each failure a 400 that names the field. */
final class Validation {

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.-]{3,32}");
    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    static final int PASSWORD_MIN = 8;
    static final int PASSWORD_MAX = 128;
    static final int DISPLAY_NAME_MAX = 64;

    private Validation() {
    }

    static String username(String username) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw ApiException.invalid("username must be 3-32 characters of A-Z a-z 0-9 _ . -");
        }
        return username;
    }

    static String password(String password) {
        int length = password == null ? 0 : password.codePointCount(0, password.length());
        if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
            throw ApiException.invalid("password must be " + PASSWORD_MIN + "-" + PASSWORD_MAX + " characters");
        }
        return password;
    }

    static String displayName(String displayName, String fallback) {
        if (displayName == null) {
            return fallback;
        }
        String trimmed = displayName.strip();
        if (trimmed.isEmpty() || trimmed.codePointCount(0, trimmed.length()) > DISPLAY_NAME_MAX
                || trimmed.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.invalid("displayName must be 1-" + DISPLAY_NAME_MAX + " printable characters");
        }
        return trimmed;
    }

    static String deviceId(String deviceId) {
        if (deviceId == null || !DEVICE_ID.matcher(deviceId).matches()) {
            throw ApiException.invalid("deviceId must be 1-64 characters of A-Z a-z 0-9 _ . : -");
        }
        return deviceId;
    }

    static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw ApiException.invalid(field + " is required");
        }
        return value;
    }
}
