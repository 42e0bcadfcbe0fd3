package io.parley.sdk.http;

import io.parley.sdk.error.ErrorCodes;
import io.parley.sdk.error.ParleyConnectionException;
import io.parley.sdk.error.ParleyException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends {@link HttpCall}s with the JDK's HttpClient and applies the {@link RetryPolicy}:
 * <ul>
 *   <li>429: retried for every call (the server refused it and did nothing), after at least its Retry-After;</li>
 *   <li>connection not made (refused, connect timeout): retried for every call (nothing was sent);</li>
 *   <li>502/503/504, a request timeout or a connection broken mid-call: retried only for
 *       {@link HttpCall#repeatable() repeatable} calls — the server may have acted;</li>
 *   <li>anything else (4xx, 500): thrown at once as the matching {@link ParleyException}.</li>
 * </ul>
 * Thread-safe.
 */
public final class Transport {

    private final HttpClient client;
    private final Duration requestTimeout;
    private final RetryPolicy retries;
    private final Clock clock;

    public Transport(HttpClient client, Duration requestTimeout, RetryPolicy retries, Clock clock) {
        this.client = client;
        this.requestTimeout = requestTimeout;
        this.retries = retries;
        this.clock = clock;
    }

    /** Sends the call (again, as the policy allows) and returns the body of its 2xx answer. */
    public byte[] send(HttpCall call) {
        for (int attempt = 1; ; attempt++) {
            ParleyException failure;
            boolean retryable;
            try {
                HttpResponse<byte[]> response = client.send(request(call), HttpResponse.BodyHandlers.ofByteArray());
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    return response.body();
                }
                failure = ErrorResponses.of(status, response.body(),
                        response.headers().firstValue("Retry-After").orElse(null), clock.instant());
                retryable = status == 429 || call.repeatable() && (status == 502 || status == 503 || status == 504);
            } catch (HttpConnectTimeoutException | ConnectException e) {
                failure = new ParleyConnectionException(ErrorCodes.CONNECTION_FAILED,
                        call.method() + " " + call.uri() + ": cannot connect: " + e, false, e);
                retryable = true;
            } catch (HttpTimeoutException e) {
                failure = new ParleyConnectionException(ErrorCodes.TIMEOUT,
                        call.method() + " " + call.uri() + ": no answer within " + requestTimeout, true, e);
                retryable = call.repeatable();
            } catch (IOException e) {
                failure = new ParleyConnectionException(ErrorCodes.TIMEOUT,
                        call.method() + " " + call.uri() + ": connection broken: " + e, true, e);
                retryable = call.repeatable();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ParleyConnectionException(ErrorCodes.TIMEOUT, "interrupted", true, e);
            }
            Duration retryAfter = failure.retryAfter().orElse(null);
            if (!retryable || !retries.hasAttemptAfter(attempt) || !retries.waitsFor(retryAfter)) {
                throw failure;
            }
            pause(retries.delay(attempt, retryAfter, ThreadLocalRandom.current().nextDouble()), failure);
        }
    }

    private HttpRequest request(HttpCall call) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(call.uri()).timeout(requestTimeout)
                .header("Accept", "application/json");
        for (Map.Entry<String, String> header : call.headers().entrySet()) {
            builder.header(header.getKey(), header.getValue());
        }
        if (call.body() != null) {
            builder.header("Content-Type", "application/json")
                    .method(call.method(), HttpRequest.BodyPublishers.ofByteArray(call.body()));
        } else {
            builder.method(call.method(), HttpRequest.BodyPublishers.noBody());
        }
        return builder.build();
    }

    private static void pause(Duration wait, ParleyException failure) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.addSuppressed(e);
            throw failure;
        }
    }
}
