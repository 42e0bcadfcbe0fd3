package io.parley.notify.sender;

import io.parley.notify.config.NotifyConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Apple Push Notification service over HTTP/2 with token auth: {@code POST {base}/3/device/{token}} with an ES256
 * provider JWT ({@code kid} = key id, {@code iss} = team id) that is reused for {@code tokenReuse} (Apple wants
 * 20-60 minutes and throttles a new token per request). Headers: {@code apns-topic}, {@code apns-push-type}
 * ({@code alert}, or {@code background} for a silent push), {@code apns-priority} (10 / 5),
 * {@code apns-expiration}, {@code apns-collapse-id}. 200: accepted. 410, or 400 {@code BadDeviceToken}: the token is
 * gone. 403 {@code ExpiredProviderToken}: a new JWT is made and the push sent once more. 429 and 5xx: try later.
 * Anything else is permanent.
 */
@ApplicationScoped
public class ApnsSender {

    private record ProviderToken(String jwt, long renewAtMs) {
    }

    private final Optional<PrivateKey> key;
    private final String keyId;
    private final String teamId;
    private final String topic;
    private final String baseUrl;
    private final long reuseMs;
    private final long ttlSeconds;
    private final long readTimeoutMs;
    private final WebClient client;
    private final AtomicReference<ProviderToken> token = new AtomicReference<>();

    public ApnsSender(Vertx vertx, NotifyConfig config) {
        NotifyConfig.Push.Apns apns = config.push().apns();
        this.key = apns.key().map(k -> PushKeys.pkcs8(PushKeys.inlineOrFile(k, "-----BEGIN"), "EC"));
        if (key.isPresent() && (apns.keyId().isEmpty() || apns.teamId().isEmpty() || apns.topic().isEmpty())) {
            throw new IllegalStateException("APNs needs key-id, team-id and topic with its key");
        }
        this.keyId = apns.keyId().orElse(null);
        this.teamId = apns.teamId().orElse(null);
        this.topic = apns.topic().orElse(null);
        this.baseUrl = apns.baseUrl().endsWith("/") ? apns.baseUrl().substring(0, apns.baseUrl().length() - 1) : apns.baseUrl();
        this.reuseMs = Math.max(20 * 60_000L, Math.min(apns.tokenReuse().toMillis(), 55 * 60_000L));
        this.ttlSeconds = Math.max(0, config.push().timeToLive().toSeconds());
        this.readTimeoutMs = config.delivery().readTimeout().toMillis();
        WebClientOptions options = new WebClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true)
                .setHttp2ClearTextUpgrade(false).setConnectTimeout((int) config.delivery().connectTimeout().toMillis())
                .setFollowRedirects(false).setUserAgent("parley-notify/1");
        apns.trustCertificate().ifPresent(pem -> options.setTrustOptions(new PemTrustOptions()
                .addCertValue(Buffer.buffer(PushKeys.inlineOrFile(pem, "-----BEGIN")))));
        this.client = WebClient.create(vertx, options);
    }

    public boolean enabled() {
        return key.isPresent();
    }

    public Uni<Void> send(String deviceToken, PushMessage message) {
        if (key.isEmpty()) {
            return Uni.createFrom().failure(SendFailure.permanent("APNs is not configured (no key)"));
        }
        byte[] body = payload(message).encode().getBytes(StandardCharsets.UTF_8);
        String jwt = providerToken();
        return post(deviceToken, message, body, jwt).flatMap(response -> {
            if (response.statusCode() == 403 && "ExpiredProviderToken".equals(reason(response))) {
                // renew once (compare-and-set: concurrent sends make one new token) and send again
                return post(deviceToken, message, body, renew(jwt)).map(again -> check(again, false));
            }
            return Uni.createFrom().item(check(response, true));
        });
    }

    private Void check(HttpResponse<Buffer> response, boolean first) {
        int status = response.statusCode();
        if (status == 200) {
            return null;
        }
        String reason = reason(response);
        if (status == 410 || "BadDeviceToken".equals(reason) || "Unregistered".equals(reason)) {
            throw new PushTargetGone("APNs answered " + status + " " + reason + ": the device token is gone");
        }
        if (status == 429 || status >= 500 || (status == 403 && "ExpiredProviderToken".equals(reason) && !first)) {
            throw SendFailure.retryAfter("APNs answered " + status + " " + reason, response.getHeader("Retry-After"));
        }
        throw SendFailure.permanent("APNs refused the push: " + status + " " + reason);
    }

    private Uni<HttpResponse<Buffer>> post(String deviceToken, PushMessage message, byte[] body, String jwt) {
        return Uni.createFrom().completionStage(() -> {
            HttpRequest<Buffer> request = client.postAbs(baseUrl + "/3/device/" + deviceToken).timeout(readTimeoutMs)
                    .putHeader("authorization", "bearer " + jwt)
                    .putHeader("apns-topic", topic)
                    .putHeader("apns-push-type", message.silent() ? "background" : "alert")
                    .putHeader("apns-priority", message.silent() ? "5" : "10")
                    .putHeader("apns-expiration", Long.toString(System.currentTimeMillis() / 1000 + ttlSeconds))
                    .putHeader("content-type", "application/json");
            if (message.collapseId() != null) {
                request.putHeader("apns-collapse-id", collapseId(message.collapseId()));
            }
            return request.sendBuffer(Buffer.buffer(body)).toCompletionStage();
        });
    }

    /** The provider JWT, made again only when it is {@code tokenReuse} old. */
    String providerToken() {
        ProviderToken current = token.get();
        long now = System.currentTimeMillis();
        if (current != null && now < current.renewAtMs()) {
            return current.jwt();
        }
        ProviderToken fresh = sign(now);
        return token.compareAndSet(current, fresh) ? fresh.jwt() : token.get().jwt();
    }

    /** Replaces the refused JWT, once: if another send renewed it already, that one is used. */
    private String renew(String refused) {
        ProviderToken current = token.get();
        if (current != null && !current.jwt().equals(refused)) {
            return current.jwt();
        }
        ProviderToken fresh = sign(System.currentTimeMillis());
        return token.compareAndSet(current, fresh) ? fresh.jwt() : token.get().jwt();
    }

    private ProviderToken sign(long nowMs) {
        String jwt = Jwt.es256(new JsonObject().put("kid", keyId),
                new JsonObject().put("iss", teamId).put("iat", nowMs / 1000), key.orElseThrow());
        return new ProviderToken(jwt, nowMs + reuseMs);
    }

    private static JsonObject payload(PushMessage message) {
        JsonObject aps = new JsonObject();
        if (message.silent()) {
            aps.put("content-available", 1);
        } else {
            aps.put("alert", new JsonObject().put("title", message.title()).put("body", message.body()))
                    .put("sound", "default");
            if (message.collapseId() != null) {
                aps.put("thread-id", message.collapseId());
            }
        }
        if (message.badge() != null) {
            aps.put("badge", message.badge());
        }
        JsonObject out = new JsonObject().put("aps", aps);
        message.data().forEach(out::put);
        return out;
    }

    /** apns-collapse-id is at most 64 bytes: a longer id is replaced by its hash. */
    static String collapseId(String id) {
        return id.getBytes(StandardCharsets.UTF_8).length <= 64 ? id : WebPushSender.topic(id);
    }

    private static String reason(HttpResponse<Buffer> response) {
        try {
            return response.bodyAsJsonObject() == null ? "" : response.bodyAsJsonObject().getString("reason", "");
        } catch (RuntimeException notJson) {
            return "";
        }
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
