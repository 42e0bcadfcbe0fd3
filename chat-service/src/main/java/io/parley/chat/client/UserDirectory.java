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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.concurrent.CompletableFuture;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Answers "does this user exist?" by asking auth-service ({@code GET /api/v1/users?ids=…}: the users asked about
 * within a couple of milliseconds go in one call) with an asking client's own token, behind a cache: a yes is kept
 * long and a no briefly.
 */
@ApplicationScoped
public class UserDirectory {

    private static final long LOOKUP_TIMEOUT_MS = 3000;
    /** How long a lookup waits for others to join its batch. */
    private static final long GATHER_MS = 2;

    private final WebClient client;
    private final String host;
    private final int port;
    private final int batchSize;
    private final Cache<Long, Boolean> known = Caffeine.newBuilder()
            .maximumSize(200_000).expireAfterWrite(Duration.ofMinutes(30)).build();
    private final Cache<Long, Boolean> unknown = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(Duration.ofSeconds(5)).build();

    /** Lookups in flight, so a burst of sends to one new recipient asks auth-service once. */
    private final Map<Long, Uni<Boolean>> inFlight = new ConcurrentHashMap<>();

    /**
     * Recipients not in the cache, gathered for one batch call: a burst of sends to new recipients (a node starting,
     * a reconnect storm) asks auth-service once per {@code batchSize} users instead of once per user — one request
     * per user queued past its timeout behind the connection pool.
     */
    private final Object gathering = new Object();
    private Map<Long, CompletableFuture<Boolean>> gathered = new HashMap<>();
    private String gatheredToken;
    private boolean gatherFlushScheduled;
    private final Vertx vertx;

    public UserDirectory(Vertx vertx, ChatConfig config) {
        this.vertx = vertx;
        // the default pool (5 connections) queues a reconnect storm's first lookups past their timeout
        this.client = WebClient.create(vertx, new WebClientOptions().setMaxPoolSize(64).setKeepAlive(true));
        URI base = URI.create(config.authServiceUrl());
        this.host = base.getHost();
        this.port = base.getPort() > 0 ? base.getPort() : 80;
        this.batchSize = config.userLookupBatch();
    }

    /** What the cache knows about the user right now: true, false, or {@code null} (ask with {@link #exists}). */
    public Boolean knownNow(long user) {
        if (known.getIfPresent(user) != null) {
            return Boolean.TRUE;
        }
        return unknown.getIfPresent(user) != null ? Boolean.FALSE : null;
    }

    public Uni<Boolean> exists(long user, String bearerToken) {
        if (known.getIfPresent(user) != null) {
            return Uni.createFrom().item(true);
        }
        if (unknown.getIfPresent(user) != null) {
            return Uni.createFrom().item(false);
        }
        return inFlight.computeIfAbsent(user, u -> Uni.createFrom().completionStage(gather(u, bearerToken))
                .eventually(() -> {
                    inFlight.remove(u); // a block: as an expression it would pick the Supplier<Uni> overload
                })
                .memoize().indefinitely());
    }

    /**
     * The users among {@code users} that do not exist (unknown or deleted), in the order given. Asks auth-service
     * only about users not in the cache: one call per {@code parley.chat.user-lookup-batch} of them (one call for
     * any group up to that size), the calls in parallel. Does not block; fails if auth-service does not answer.
     */
    public Uni<Set<Long>> missing(Collection<Long> users, String bearerToken) {
        List<Long> ask = new ArrayList<>();
        for (long user : new LinkedHashSet<>(users)) {
            if (known.getIfPresent(user) == null) {
                ask.add(user);
            }
        }
        if (ask.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        List<Uni<Set<Long>>> calls = new ArrayList<>();
        for (int from = 0; from < ask.size(); from += batchSize) {
            calls.add(lookupBatch(ask.subList(from, Math.min(ask.size(), from + batchSize)), bearerToken));
        }
        return Uni.join().all(calls).andFailFast().map(found -> {
            Set<Long> existing = new HashSet<>();
            found.forEach(existing::addAll);
            return ask.stream().filter(user -> !existing.contains(user))
                    .collect(Collectors.toCollection(LinkedHashSet::new));
        });
    }

    /** Adds the user to the next batch lookup (sent within {@value #GATHER_MS} ms, or at once when full). */
    private CompletableFuture<Boolean> gather(long user, String bearerToken) {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        Map<Long, CompletableFuture<Boolean>> full = null;
        boolean schedule = false;
        synchronized (gathering) {
            gathered.put(user, answer);
            gatheredToken = bearerToken; // any asker's token may read which users exist
            if (gathered.size() >= batchSize) {
                full = gathered;
                gathered = new HashMap<>();
            } else if (!gatherFlushScheduled) {
                gatherFlushScheduled = true;
                schedule = true;
            }
        }
        if (full != null) {
            ask(full, bearerToken);
        } else if (schedule) {
            vertx.setTimer(GATHER_MS, t -> {
                Map<Long, CompletableFuture<Boolean>> batch;
                String token;
                synchronized (gathering) {
                    batch = gathered;
                    token = gatheredToken;
                    gathered = new HashMap<>();
                    gatherFlushScheduled = false;
                }
                if (!batch.isEmpty()) {
                    ask(batch, token);
                }
            });
        }
        return answer;
    }

    private void ask(Map<Long, CompletableFuture<Boolean>> batch, String bearerToken) {
        lookupBatch(new ArrayList<>(batch.keySet()), bearerToken).subscribe().with(
                existing -> batch.forEach((user, answer) -> answer.complete(existing.contains(user))),
                failure -> batch.values().forEach(answer -> answer.completeExceptionally(failure)));
    }

    /** One {@code GET /api/v1/users?ids=…}: the ids of {@code users} that exist; the cache learns both answers. */
    private Uni<Set<Long>> lookupBatch(List<Long> users, String bearerToken) {
        String ids = users.stream().map(String::valueOf).collect(Collectors.joining(","));
        return Uni.createFrom().completionStage(() -> client.get(port, host, "/api/v1/users").addQueryParam("ids", ids)
                        .bearerTokenAuthentication(bearerToken).timeout(LOOKUP_TIMEOUT_MS).send().toCompletionStage())
                .map(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("auth-service answered " + response.statusCode()
                                + " for " + users.size() + " user ids");
                    }
                    JsonArray found = response.bodyAsJsonObject().getJsonArray("users");
                    Set<Long> existing = new HashSet<>();
                    for (int i = 0; i < found.size(); i++) {
                        existing.add(((JsonObject) found.getValue(i)).getLong("id"));
                    }
                    for (long user : users) {
                        (existing.contains(user) ? known : unknown).put(user, true);
                    }
                    return existing;
                });
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
