package io.parley.notify.sender;

import io.parley.common.security.Caller;
import io.parley.common.token.TokenClaims;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest app token each app called us with, in memory only (never stored): in-app notifications are forwarded
 * to chat-service with the calling app's own token, and a retry needs one. After a restart or once it expires, a
 * retry fails with 401 until the app calls again (a new notification or a replay brings a fresh token).
 */
@ApplicationScoped
public class AppTokens {

    private record Held(String token, long expiresAtSeconds) {
    }

    private final Map<String, Held> byApp = new ConcurrentHashMap<>();

    public void remember(String appId, String token, long expiresAtSeconds) {
        byApp.merge(appId, new Held(token, expiresAtSeconds),
                (old, fresh) -> fresh.expiresAtSeconds() >= old.expiresAtSeconds() ? fresh : old);
    }

    /** Keeps the calling app's token (in memory) for forwarding in-app notifications to chat-service. */
    public void rememberCaller(SecurityIdentity identity) {
        TokenClaims claims = Caller.claims(identity);
        TokenCredential credential = identity.getCredential(TokenCredential.class);
        if (claims.isApp() && credential != null) {
            remember(claims.appId(), credential.getToken(), claims.expiresAt());
        }
    }

    public Optional<String> of(String appId) {
        Held held = byApp.get(appId);
        if (held == null || held.expiresAtSeconds() <= System.currentTimeMillis() / 1000) {
            return Optional.empty();
        }
        return Optional.of(held.token());
    }
}
