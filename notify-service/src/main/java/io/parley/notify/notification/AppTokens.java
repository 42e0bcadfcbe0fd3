package io.parley.notify.notification;

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

    public Optional<String> of(String appId) {
        Held held = byApp.get(appId);
        if (held == null || held.expiresAtSeconds() <= System.currentTimeMillis() / 1000) {
            return Optional.empty();
        }
        return Optional.of(held.token());
    }
}
