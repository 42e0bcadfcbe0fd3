package io.parley.notify.delivery;

import io.parley.notify.config.NotifyConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * The one non-blocking HTTP client for webhooks, the third-party adapter and chat-service: connect and answer
 * timeouts from {@link NotifyConfig.Delivery}, so a slow or dead endpoint costs a timer, never a thread.
 */
@ApplicationScoped
public class OutboundHttp {

    private final WebClient client;
    private final long readTimeoutMs;

    public OutboundHttp(Vertx vertx, NotifyConfig config) {
        NotifyConfig.Delivery delivery = config.delivery();
        this.client = WebClient.create(vertx, new WebClientOptions()
                .setConnectTimeout((int) delivery.connectTimeout().toMillis())
                .setMaxPoolSize(Math.max(8, delivery.perEndpointConcurrency()))
                .setKeepAlive(true)
                .setFollowRedirects(false)
                .setUserAgent("parley-notify/1"));
        this.readTimeoutMs = delivery.readTimeout().toMillis();
    }

    /** POSTs {@code body} as JSON to an absolute URL. */
    public Uni<HttpResponse<Buffer>> postJson(String url, Map<String, String> headers, byte[] body) {
        return Uni.createFrom().completionStage(() -> {
            HttpRequest<Buffer> request = client.postAbs(url).timeout(readTimeoutMs)
                    .putHeader("Content-Type", "application/json");
            headers.forEach(request::putHeader);
            return request.sendBuffer(Buffer.buffer(body)).toCompletionStage();
        });
    }

    public Uni<HttpResponse<Buffer>> get(String url) {
        return Uni.createFrom().completionStage(() -> client.getAbs(url).timeout(readTimeoutMs).send().toCompletionStage());
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
