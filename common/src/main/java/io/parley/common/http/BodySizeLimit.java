package io.parley.common.http;

import io.parley.common.error.ApiError;
import io.parley.common.error.ErrorCode;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers an announced oversize body with 413 and the contract's error body before anything reads it.
 * (Vert.x itself would answer 413 with an empty body; clients deserve the code.) The limit is Quarkus'
 * own {@code quarkus.http.limits.max-body-size}, so there is one knob.
 */
@ApplicationScoped
public class BodySizeLimit {

    private static final int FIRST = Integer.MIN_VALUE + 100;

    void install(@Observes Router router,
                 @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize limit) {
        long maxBytes = limit.asLongValue();
        String body = Json.encode(ApiError.of(ErrorCode.PAYLOAD_TOO_LARGE,
                "the body is larger than " + maxBytes + " bytes"));
        router.route().order(FIRST).handler(context -> {
            String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && parse(length) > maxBytes) {
                context.response().setStatusCode(413)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader(HttpHeaders.CONNECTION, "close")
                        .end(body);
                return;
            }
            context.next();
        });
    }

    private static long parse(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
