package io.parley.sdk.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.sdk.error.AuthenticationException;
import io.parley.sdk.error.ConflictException;
import io.parley.sdk.error.ForbiddenException;
import io.parley.sdk.error.InvalidRequestException;
import io.parley.sdk.error.NotFoundException;
import io.parley.sdk.error.ParleyException;
import io.parley.sdk.error.RateLimitedException;
import io.parley.sdk.error.ServerException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ErrorResponsesTest {

    private static final Instant NOW = Instant.parse("2026-12-02T08:00:00Z");

    private static ParleyException of(int status, String body, String retryAfter) {
        return ErrorResponses.of(status, body.getBytes(StandardCharsets.UTF_8), retryAfter, NOW);
    }

    @Test
    void theContractBodyGivesCodeAndMessageAndTheStatusTheType() {
        ParleyException e = of(400, "{\"code\":\"INVALID_INPUT\",\"message\":\"topic is bad\"}", null);
        assertInstanceOf(InvalidRequestException.class, e);
        assertEquals("INVALID_INPUT", e.code());
        assertEquals(400, e.status());
        assertEquals("topic is bad", e.getMessage());
        assertTrue(e.retryAfter().isEmpty());

        assertInstanceOf(AuthenticationException.class, of(401, "{\"code\":\"TOKEN_EXPIRED\",\"message\":\"x\"}", null));
        assertInstanceOf(ForbiddenException.class, of(403, "{\"code\":\"FORBIDDEN\",\"message\":\"x\"}", null));
        assertInstanceOf(NotFoundException.class, of(404, "{\"code\":\"NOT_FOUND\",\"message\":\"x\"}", null));
        assertInstanceOf(ConflictException.class, of(409, "{\"code\":\"CONFLICT\",\"message\":\"x\"}", null));
        assertInstanceOf(InvalidRequestException.class, of(413, "{\"code\":\"PAYLOAD_TOO_LARGE\",\"message\":\"x\"}", null));
        assertInstanceOf(ServerException.class, of(503, "{\"code\":\"UNAVAILABLE\",\"message\":\"x\"}", null));
    }

    @Test
    void retryAfterInSecondsOrAsADate() {
        ParleyException e = of(429, "{\"code\":\"RATE_LIMITED\",\"message\":\"slow down\"}", "7");
        assertInstanceOf(RateLimitedException.class, e);
        assertEquals(Duration.ofSeconds(7), e.retryAfter().orElseThrow());
        assertEquals(Duration.ofSeconds(90),
                of(429, "", "Wed, 02 Dec 2026 08:01:30 GMT").retryAfter().orElseThrow());
        assertEquals(Duration.ZERO, of(429, "", "Wed, 02 Dec 2026 07:00:00 GMT").retryAfter().orElseThrow());
        assertNull(ErrorResponses.retryAfter("soon", NOW));
        assertNull(ErrorResponses.retryAfter("-3", NOW));
    }

    @Test
    void anAnswerWithoutTheContractBodyStillGetsATypeAndACode() {
        ParleyException e = of(502, "<html>Bad Gateway</html>", null);
        assertInstanceOf(ServerException.class, e);
        assertEquals("HTTP_502", e.code());
        assertTrue(e.getMessage().contains("Bad Gateway"), e.getMessage());
        assertEquals("HTTP_418", of(418, "", null).code());
    }
}
