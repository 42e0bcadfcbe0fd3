package io.parley.notify.sender;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * OAuth2 access tokens for FCM from a service-account key: an RS256-signed JWT assertion exchanged at the key's
 * {@code token_uri} (the JWT bearer grant, RFC 7523). One token is cached and shared by every send; it is renewed
 * when less than {@code renewBefore} of its lifetime is left, and concurrent sends wait for the one fetch in flight.
 */
final class FcmAccessTokens {

    static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";

    private record Token(String value, long renewAtMs) {
    }

    private final OutboundHttp http;
    private final String clientEmail;
    private final String tokenUri;
    private final PrivateKey key;
    private final long renewBeforeMs;
    private final AtomicReference<Token> current = new AtomicReference<>();
    private final AtomicReference<Uni<Token>> fetching = new AtomicReference<>();

    FcmAccessTokens(OutboundHttp http, JsonObject serviceAccount, Duration renewBefore) {
        this.http = http;
        this.clientEmail = serviceAccount.getString("client_email");
        this.tokenUri = serviceAccount.getString("token_uri", "https://oauth2.googleapis.com/token");
        this.key = PushKeys.pkcs8(serviceAccount.getString("private_key", ""), "RSA");
        this.renewBeforeMs = renewBefore.toMillis();
        if (clientEmail == null) {
            throw new IllegalArgumentException("the FCM service account has no client_email");
        }
    }

    Uni<String> token() {
        Token token = current.get();
        if (token != null && System.currentTimeMillis() < token.renewAtMs()) {
            return Uni.createFrom().item(token.value());
        }
        Uni<Token> fetch = fetching.updateAndGet(f -> f != null ? f : fetch().memoize().indefinitely());
        return fetch.onItemOrFailure().invoke((t, e) -> fetching.compareAndSet(fetch, null)).map(Token::value);
    }

    /** Forgets the token the provider refused (401), so the next send fetches a new one. */
    void invalidate(String value) {
        current.updateAndGet(t -> t != null && t.value().equals(value) ? null : t);
    }

    private Uni<Token> fetch() {
        long now = System.currentTimeMillis() / 1000;
        String assertion = Jwt.rs256(new JsonObject().put("typ", "JWT"), new JsonObject().put("iss", clientEmail)
                .put("scope", SCOPE).put("aud", tokenUri).put("iat", now).put("exp", now + 3600), key);
        byte[] form = ("grant_type=" + URLEncoder.encode("urn:ietf:params:oauth:grant-type:jwt-bearer", StandardCharsets.UTF_8)
                + "&assertion=" + assertion).getBytes(StandardCharsets.UTF_8);
        return http.post(tokenUri, Map.of("Content-Type", "application/x-www-form-urlencoded"), form).map(response -> {
            if (response.statusCode() != 200) {
                throw new SendFailure("the FCM token endpoint answered " + response.statusCode());
            }
            JsonObject body = response.bodyAsJsonObject();
            String value = body.getString("access_token");
            if (value == null) {
                throw new SendFailure("the FCM token endpoint answered without access_token");
            }
            long lifetimeMs = body.getLong("expires_in", 3600L) * 1000;
            Token token = new Token(value, System.currentTimeMillis() + Math.max(0, lifetimeMs - renewBeforeMs));
            current.set(token);
            return token;
        });
    }
}
