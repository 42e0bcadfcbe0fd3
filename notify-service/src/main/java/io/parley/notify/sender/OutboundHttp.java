package io.parley.notify.sender;

import io.parley.notify.config.NotifyConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;

/**
 * The one non-blocking HTTP client for webhooks, the third-party adapter and chat-service: connect and answer
 * timeouts from {@link NotifyConfig.Delivery}, so a slow or dead endpoint costs a timer, never a thread.
 * Redirects are never followed (a 3xx is a failed call), so a receiver cannot send a call elsewhere. Calls to
 * URLs from outside the deployment ({@link #postJsonOutside}, {@link #getOutside}) pass the {@link EgressPolicy}
 * on every call and connect to the address it checked.
 */
@ApplicationScoped
public class OutboundHttp {

    private final WebClient client;
    private final long readTimeoutMs;
    private final EgressPolicy egress;

    public OutboundHttp(Vertx vertx, NotifyConfig config, EgressPolicy egress) {
        this.egress = egress;
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

    /** {@link #postJson} to a URL a user or a deployment named: checked by the egress policy first. */
    public Uni<HttpResponse<Buffer>> postJsonOutside(String url, Map<String, String> headers, byte[] body) {
        return egress.checkAsync(url).flatMap(target -> Uni.createFrom().completionStage(() -> {
            HttpRequest<Buffer> request = client.requestAbs(HttpMethod.POST, pinned(url, target), url)
                    .timeout(readTimeoutMs).putHeader("Content-Type", "application/json");
            headers.forEach(request::putHeader);
            return request.sendBuffer(Buffer.buffer(body)).toCompletionStage();
        }));
    }

    /** POSTs {@code body} with the caller's headers (its own {@code Content-Type}) to a deployment-configured URL. */
    public Uni<HttpResponse<Buffer>> post(String url, Map<String, String> headers, byte[] body) {
        return Uni.createFrom().completionStage(() -> {
            HttpRequest<Buffer> request = client.postAbs(url).timeout(readTimeoutMs);
            headers.forEach(request::putHeader);
            return request.sendBuffer(Buffer.buffer(body)).toCompletionStage();
        });
    }

    /** {@link #post} to a URL a user named (a Web Push subscription): checked by the egress policy first. */
    public Uni<HttpResponse<Buffer>> postOutside(String url, Map<String, String> headers, byte[] body) {
        return egress.checkAsync(url).flatMap(target -> Uni.createFrom().completionStage(() -> {
            HttpRequest<Buffer> request = client.requestAbs(HttpMethod.POST, pinned(url, target), url)
                    .timeout(readTimeoutMs);
            headers.forEach(request::putHeader);
            return request.sendBuffer(Buffer.buffer(body)).toCompletionStage();
        }));
    }

    /** {@link #get} to a URL a user or a deployment named: checked by the egress policy first. */
    public Uni<HttpResponse<Buffer>> getOutside(String url) {
        return egress.checkAsync(url).flatMap(target -> Uni.createFrom().completionStage(() ->
                client.requestAbs(HttpMethod.GET, pinned(url, target), url).timeout(readTimeoutMs).send()
                        .toCompletionStage()));
    }

    /** The checked address with the URL's port: the connection goes there, the Host header and TLS name stay the URL's. */
    private static SocketAddress pinned(String url, EgressPolicy.Target target) {
        URI uri = URI.create(url);
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return SocketAddress.inetSocketAddress(new InetSocketAddress(target.address(), port));
    }

    public Uni<HttpResponse<Buffer>> get(String url) {
        return Uni.createFrom().completionStage(() -> client.getAbs(url).timeout(readTimeoutMs).send().toCompletionStage());
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
