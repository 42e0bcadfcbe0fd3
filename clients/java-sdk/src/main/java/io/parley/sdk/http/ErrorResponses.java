package io.parley.sdk.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.sdk.error.AuthenticationException;
import io.parley.sdk.error.ConflictException;
import io.parley.sdk.error.ForbiddenException;
import io.parley.sdk.error.InvalidRequestException;
import io.parley.sdk.error.NotFoundException;
import io.parley.sdk.error.ParleyException;
import io.parley.sdk.error.RateLimitedException;
import io.parley.sdk.error.ServerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Turns an error answer — the contract's {@code {"code","message"}} body and its status — into a typed exception. */
public final class ErrorResponses {

    private ErrorResponses() {
    }

    /**
     * @param status     the HTTP status (≥ 400)
     * @param body       the answer's bytes (may be empty or not JSON, e.g. from a proxy)
     * @param retryAfter the {@code Retry-After} header, or {@code null}
     * @param now        the current time, for a {@code Retry-After} given as a date
     */
    public static ParleyException of(int status, byte[] body, String retryAfter, Instant now) {
        String code = "HTTP_" + status;
        String message = "HTTP " + status;
        try {
            JsonNode json = body == null || body.length == 0 ? null : Json.mapper().readTree(body);
            if (json != null && json.path("code").isTextual()) {
                code = json.get("code").asText();
                message = json.path("message").asText(message);
            } else if (body != null && body.length > 0) {
                message = message + ": " + abbreviate(new String(body, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            message = message + ": " + abbreviate(new String(body, StandardCharsets.UTF_8));
        }
        Duration wait = retryAfter(retryAfter, now);
        return switch (status) {
            case 400, 405, 406, 413, 415 -> new InvalidRequestException(code, status, message, wait);
            case 401 -> new AuthenticationException(code, status, message, wait);
            case 403 -> new ForbiddenException(code, status, message, wait);
            case 404 -> new NotFoundException(code, status, message, wait);
            case 409 -> new ConflictException(code, status, message, wait);
            case 429 -> new RateLimitedException(code, status, message, wait);
            default -> status >= 500 ? new ServerException(code, status, message, wait)
                    : new ParleyException(code, status, message, wait, null);
        };
    }

    /** {@code Retry-After}: delay-seconds or an HTTP-date (RFC 9110); {@code null} when absent or unreadable. */
    static Duration retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.trim();
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration wait = Duration.between(now, at);
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "…";
    }
}
