package io.parley.notify.sender;

import io.parley.notify.config.NotifyConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Web Push (RFC 8030): POSTs the message, encrypted for the subscription ({@link WebPushEncryption}, aes128gcm), to
 * the subscription's endpoint with a VAPID token (RFC 8292: {@code Authorization: vapid t=<ES256 JWT>, k=<public
 * key>}; one JWT per push-service origin, reused for {@code tokenReuse}). {@code Topic} (from the collapse id)
 * makes a newer push replace an undelivered older one. The endpoint passes the {@link EgressPolicy} on every send.
 * 201/200/202: accepted; 404/410: the subscription is gone; 429 and 5xx: try later (honouring {@code Retry-After});
 * any other answer is permanent.
 */
@ApplicationScoped
public class WebPushSender {

    private record Token(String jwt, long renewAt) {
    }

    private final OutboundHttp http;
    private final Optional<byte[]> publicKey;
    private final Optional<PrivateKey> privateKey;
    private final String subject;
    private final long reuseMs;
    private final long ttlSeconds;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    public WebPushSender(OutboundHttp http, NotifyConfig config) {
        this.http = http;
        NotifyConfig.Push.WebPush web = config.push().webPush();
        boolean configured = web.vapidPublicKey().isPresent() && web.vapidPrivateKey().isPresent();
        this.publicKey = configured ? Optional.of(PushKeys.unb64url(web.vapidPublicKey().get())) : Optional.empty();
        this.privateKey = configured ? Optional.of(PushKeys.p256Private(PushKeys.unb64url(web.vapidPrivateKey().get())))
                : Optional.empty();
        publicKey.ifPresent(PushKeys::p256Public); // a wrong key fails at start, not at the first push
        this.subject = web.subject();
        this.reuseMs = Math.max(60_000, Math.min(web.tokenReuse().toMillis(), 23 * 3_600_000L));
        this.ttlSeconds = Math.max(0, config.push().timeToLive().toSeconds());
    }

    public boolean enabled() {
        return publicKey.isPresent();
    }

    /** The VAPID public key a browser subscribes with ({@code applicationServerKey}), base64url. */
    public Optional<String> publicKey() {
        return publicKey.map(PushKeys::b64url);
    }

    public Uni<Void> send(String endpoint, String p256dh, String auth, PushMessage message) {
        if (!enabled()) {
            return Uni.createFrom().failure(SendFailure.permanent("Web Push is not configured (no VAPID keys)"));
        }
        byte[] body;
        String origin;
        try {
            body = WebPushEncryption.encrypt(message.webPayload().encode().getBytes(StandardCharsets.UTF_8),
                    PushKeys.unb64url(p256dh), PushKeys.unb64url(auth));
            URI uri = URI.create(endpoint);
            origin = uri.getScheme() + "://" + uri.getRawAuthority();
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(SendFailure.permanent("cannot encrypt for this subscription: " + e.getMessage()));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/octet-stream");
        headers.put("Content-Encoding", "aes128gcm");
        headers.put("TTL", Long.toString(ttlSeconds));
        headers.put("Urgency", message.silent() ? "normal" : "high");
        if (message.collapseId() != null) {
            headers.put("Topic", topic(message.collapseId()));
        }
        headers.put("Authorization", "vapid t=" + token(origin) + ", k=" + publicKey().orElseThrow());
        return http.postOutside(endpoint, headers, body).map(response -> {
            int status = response.statusCode();
            if (status == 200 || status == 201 || status == 202) {
                return null;
            }
            if (status == 404 || status == 410) {
                throw new PushTargetGone("the push service answered " + status + ": the subscription is gone");
            }
            if (status == 429 || status >= 500) {
                throw SendFailure.retryAfter("the push service answered " + status, response.getHeader("Retry-After"));
            }
            throw SendFailure.permanent("the push service refused the push: HTTP " + status);
        });
    }

    /** The VAPID JWT for a push service's origin, reused until a quarter of its lifetime is left. */
    String token(String origin) {
        long now = System.currentTimeMillis();
        Token token = tokens.get(origin);
        if (token == null || now >= token.renewAt()) {
            long exp = now / 1000 + reuseMs / 1000;
            String jwt = Jwt.es256(new JsonObject().put("typ", "JWT"),
                    new JsonObject().put("aud", origin).put("exp", exp).put("sub", subject), privateKey.orElseThrow());
            token = new Token(jwt, now + reuseMs * 3 / 4);
            tokens.put(origin, token);
        }
        return token.jwt();
    }

    /** RFC 8030 section 5.4: a topic is at most 32 characters of the base64url alphabet; a hash keeps any collapse id in it. */
    static String topic(String collapseId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(collapseId.getBytes(StandardCharsets.UTF_8));
            return PushKeys.b64url(digest).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
