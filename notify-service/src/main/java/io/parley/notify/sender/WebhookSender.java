package io.parley.notify.sender;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * POSTs a signed JSON body to a webhook. Headers: {@code X-Parley-Signature} (see {@link WebhookSignature}),
 * {@code X-Parley-Event} (challenge, messages, notification) and, for deliveries, {@code X-Parley-Delivery}: the
 * delivery's idempotency key, the same on every attempt, so a receiver can drop a repeat. Any 2xx is success.
 * The URL passes the {@link EgressPolicy} on every send (no internal addresses unless allow-listed).
 */
@ApplicationScoped
public class WebhookSender {

    public static final String DELIVERY_HEADER = "X-Parley-Delivery";
    public static final String EVENT_HEADER = "X-Parley-Event";

    private final OutboundHttp http;

    public WebhookSender(OutboundHttp http) {
        this.http = http;
    }

    /** Sends; completes with the answer's body, or fails with a {@link SendFailure} for a non-2xx answer. */
    public Uni<String> send(String url, String secret, String event, String deliveryKey, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(WebhookSignature.HEADER, WebhookSignature.sign(secret, bytes));
        headers.put(EVENT_HEADER, event);
        if (deliveryKey != null) {
            headers.put(DELIVERY_HEADER, deliveryKey);
        }
        return http.postJsonOutside(url, headers, bytes).map(response -> {
            if (response.statusCode() / 100 != 2) {
                throw new SendFailure("webhook answered HTTP " + response.statusCode());
            }
            return response.bodyAsString() == null ? "" : response.bodyAsString();
        });
    }
}
