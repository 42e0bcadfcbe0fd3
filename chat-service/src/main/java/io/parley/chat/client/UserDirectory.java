package io.parley.chat.client;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.parley.chat.config.ChatConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers "does this user exist?" by asking auth-service ({@code GET /api/v1/users/{id}}) with the asking
 * client's own token, behind a cache: users are not deleted in v1, so a yes is kept long and a no briefly.
 */
@ApplicationScoped
public class UserDirectory {

    private static final long LOOKUP_TIMEOUT_MS = 3000;

    private final WebClient client;
    private final String host;
    private final int port;
    private final Cache<Long, Boolean> known = Caffeine.newBuilder()
            .maximumSize(200_000).expireAfterWrite(Duration.ofMinutes(30)).build();
    private final Cache<Long, Boolean> unknown = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(Duration.ofSeconds(5)).build();

    /** Lookups in flight, so a burst of sends to one new recipient asks auth-service once. */
    private final Map<Long, Uni<Boolean>> inFlight = new ConcurrentHashMap<>();

    public UserDirectory(Vertx vertx, ChatConfig config) {
        // the default pool (5 connections) queues a reconnect storm's first lookups past their timeout
        this.client = WebClient.create(vertx, new WebClientOptions().setMaxPoolSize(64).setKeepAlive(true));
        URI base = URI.create(config.authServiceUrl());
        this.host = base.getHost();
        this.port = base.getPort() > 0 ? base.getPort() : 80;
    }

    public Uni<Boolean> exists(long user, String bearerToken) {
        if (known.getIfPresent(user) != null) {
            return Uni.createFrom().item(true);
        }
        if (unknown.getIfPresent(user) != null) {
            return Uni.createFrom().item(false);
        }
        return inFlight.computeIfAbsent(user, u -> lookup(u, bearerToken)
                .eventually(() -> {
                    inFlight.remove(u); // a block: as an expression it would pick the Supplier<Uni> overload
                })
                .memoize().indefinitely());
    }

    private Uni<Boolean> lookup(long user, String bearerToken) {
        return Uni.createFrom().completionStage(() -> client.get(port, host, "/api/v1/users/" + user)
                        .bearerTokenAuthentication(bearerToken).timeout(LOOKUP_TIMEOUT_MS).send().toCompletionStage())
                .map(response -> {
                    if (response.statusCode() == 200) {
                        known.put(user, true);
                        return true;
                    }
                    if (response.statusCode() == 404) {
                        unknown.put(user, true);
                        return false;
                    }
                    throw new IllegalStateException("auth-service answered " + response.statusCode()
                            + " for user " + user);
                });
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
