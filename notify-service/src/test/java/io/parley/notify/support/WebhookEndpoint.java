package io.parley.notify.support;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A webhook receiver on its own path of a {@link HttpReceiver}: echoes challenges (so the channel verifies at once)
 * and answers deliveries with a status chosen per attempt.
 */
public final class WebhookEndpoint {

    private final HttpReceiver receiver;
    private final String path;
    private final AtomicInteger deliveryCalls = new AtomicInteger();
    private volatile IntFunction<Integer> statusForCall = n -> 200;

    public WebhookEndpoint(HttpReceiver receiver) {
        this.receiver = receiver;
        this.path = "/hooks/" + UUID.randomUUID();
        receiver.on(path, request -> {
            if ("challenge".equals(request.header("X-Parley-Event"))) {
                String challenge = new JsonObject(request.bodyText()).getString("challenge");
                return HttpReceiver.Answer.ok(new JsonObject().put("challenge", challenge).encode());
            }
            int status = statusForCall.apply(deliveryCalls.incrementAndGet());
            return new HttpReceiver.Answer(status, status < 300 ? "ok" : "failing");
        });
    }

    public String url() {
        return receiver.url(path);
    }

    /** Answers the n-th delivery call (1-based) with the status the function gives. */
    public WebhookEndpoint answering(IntFunction<Integer> statusForCall) {
        this.statusForCall = statusForCall;
        return this;
    }

    /** Delivery calls (not challenges) received so far. */
    public List<HttpReceiver.Request> deliveries() {
        return receiver.requests(path).stream().filter(r -> !"challenge".equals(r.header("X-Parley-Event"))).toList();
    }

    public List<HttpReceiver.Request> challenges() {
        return receiver.requests(path).stream().filter(r -> "challenge".equals(r.header("X-Parley-Event"))).toList();
    }
}
