package io.parley.loadgen;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates the benchmark's users, sessions and groups over the public REST API: {@code POST /api/v1/users},
 * {@code POST /api/v1/sessions} (auth-service) and {@code POST /api/v1/groups} (chat-service). Runs before
 * anything is measured; requests in flight are bounded.
 */
final class Accounts {

    static final String PASSWORD = "loadgen-password";
    private static final int ATTEMPTS = 5;
    private static final long PROGRESS_EVERY_MS = 5_000;

    record Account(int ordinal, long userId, String token) {
    }

    private final Vertx vertx;
    private final WebClient http;
    private final int concurrency;
    final Map<String, Long> errors = new ConcurrentHashMap<>();

    Accounts(Vertx vertx, int concurrency) {
        this.vertx = vertx;
        this.concurrency = concurrency;
        this.http = WebClient.create(vertx, new WebClientOptions()
                .setMaxPoolSize(concurrency).setKeepAlive(true).setConnectTimeout(10_000).setIdleTimeout(30));
    }

    /**
     * Registers and logs in {@code count} users named {@code <runId>_<i>}; the ones that failed are left out. Reports
     * progress every few seconds, and gives up once more than {@link #tolerableFailures(int)} failed (a broken
     * auth-service otherwise turns an 18,000-user setup into half an hour of time-outs and retries).
     */
    List<Account> users(String authUrl, String runId, int count) throws InterruptedException {
        URI auth = URI.create(authUrl);
        Semaphore slots = new Semaphore(concurrency);
        Account[] made = new Account[count];
        AtomicInteger signedIn = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long started = System.nanoTime();
        long progress = vertx.setPeriodic(PROGRESS_EVERY_MS, t -> System.err.printf(
                "  setup: %d of %d users signed in, %d failed (%d s)%n", signedIn.get(), count, failed.get(),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)));
        try {
            for (int i = 0; i < count; i++) {
                if (!slots.tryAcquire(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("auth-service stopped answering during setup");
                }
                if (failed.get() > tolerableFailures(count)) {
                    throw new IllegalStateException("setup failed: " + failed.get() + " of " + (i + 1)
                            + " users could not sign in: " + errors());
                }
                signIn(auth, runId + "_" + i, i, made, slots, signedIn, failed);
            }
            if (!slots.tryAcquire(concurrency, 120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("setup requests did not finish");
            }
        } finally {
            vertx.cancelTimer(progress);
        }
        List<Account> accounts = new ArrayList<>(count);
        for (Account a : made) {
            if (a != null) {
                accounts.add(a);
            }
        }
        return accounts;
    }

    /** A few failures are reported with the results; more than 1 % (at least 50) stop the setup. */
    static int tolerableFailures(int count) {
        return Math.max(50, count / 100);
    }

    private void signIn(URI auth, String username, int ordinal, Account[] made, Semaphore slots,
                        AtomicInteger signedIn, AtomicInteger failed) {
        register(auth, username, 1)
                .compose(v -> login(auth, username, 1))
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        made[ordinal] = new Account(ordinal, ar.result().getLong("userId"),
                                ar.result().getString("accessToken"));
                        signedIn.incrementAndGet();
                    } else {
                        errors.merge(ar.cause().getMessage(), 1L, Long::sum);
                        failed.incrementAndGet();
                    }
                    slots.release();
                });
    }

    private Future<Void> register(URI auth, String username, int attempt) {
        JsonObject body = new JsonObject().put("username", username).put("password", PASSWORD);
        return post(auth, "/api/v1/users", null, body).compose(r -> {
            if (r.statusCode() == 201 || r.statusCode() == 409) {
                return Future.succeededFuture();
            }
            return retryOrFail(r, attempt, "register", () -> register(auth, username, attempt + 1));
        });
    }

    private Future<JsonObject> login(URI auth, String username, int attempt) {
        JsonObject body = new JsonObject().put("username", username).put("password", PASSWORD)
                .put("deviceId", "loadgen");
        return post(auth, "/api/v1/sessions", null, body).compose(r -> {
            if (r.statusCode() == 201 || r.statusCode() == 200) {
                return Future.succeededFuture(r.bodyAsJsonObject());
            }
            return retryOrFail(r, attempt, "login", () -> login(auth, username, attempt + 1));
        });
    }

    /** Creates a group of {@code members} (user ids) as {@code creator}; returns its id. */
    String group(String chatUrl, Account creator, String name, List<Long> members) {
        URI chat = URI.create(chatUrl);
        JsonObject body = new JsonObject().put("name", name).put("members", new JsonArray(new ArrayList<>(members)));
        CompletableFuture<String> id = new CompletableFuture<>();
        post(chat, "/api/v1/groups", creator.token(), body).onComplete(ar -> {
            if (ar.failed()) {
                id.completeExceptionally(ar.cause());
            } else if (ar.result().statusCode() != 201 && ar.result().statusCode() != 200) {
                id.completeExceptionally(new IllegalStateException("POST /api/v1/groups answered "
                        + ar.result().statusCode() + " " + ar.result().bodyAsString()));
            } else {
                id.complete(String.valueOf(ar.result().bodyAsJsonObject().getValue("id")));
            }
        });
        try {
            return id.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not create group " + name + ": " + e.getMessage(), e);
        }
    }

    /** An app of the topics scenario, with an app token. */
    record App(String appId, String token, long expiresIn) {
    }

    /**
     * Creates an app on auth-service ({@code POST /api/v1/apps} with {@code X-Admin-Key}), takes an app token
     * ({@code POST /api/v1/apps/{appId}/tokens} with {@code X-Api-Key}) and opens its topics to every signed-in
     * user ({@code PUT /api/v1/apps/{appId}/access {"public":true}} on chat-service).
     */
    App publicApp(String authUrl, String adminKey, String chatUrl, String name) {
        URI auth = URI.create(authUrl);
        JsonObject app = blocking("POST /api/v1/apps", 201, http.post(auth.getPort(), auth.getHost(), "/api/v1/apps")
                .putHeader("X-Admin-Key", adminKey).timeout(30_000)
                .sendJsonObject(new JsonObject().put("name", name)));
        String appId = String.valueOf(app.getValue("appId"));
        JsonObject token = blocking("POST /api/v1/apps/{appId}/tokens", 201,
                http.post(auth.getPort(), auth.getHost(), "/api/v1/apps/" + appId + "/tokens")
                        .putHeader("X-Api-Key", app.getString("apiKey")).timeout(30_000).send());
        String accessToken = token.getString("accessToken");
        URI chat = URI.create(chatUrl);
        blocking("PUT /api/v1/apps/{appId}/access", 200,
                http.put(chat.getPort(), chat.getHost(), "/api/v1/apps/" + appId + "/access")
                        .bearerTokenAuthentication(accessToken).timeout(30_000)
                        .sendJsonObject(new JsonObject().put("public", true)));
        Long expiresIn = token.getLong("expiresIn");
        return new App(appId, accessToken, expiresIn == null ? -1 : expiresIn);
    }

    private static JsonObject blocking(String what, int status, Future<HttpResponse<Buffer>> request) {
        try {
            HttpResponse<Buffer> r = request.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            if (r.statusCode() != status && r.statusCode() != 200) {
                throw new IllegalStateException(what + " answered " + r.statusCode() + " " + r.bodyAsString());
            }
            String text = r.bodyAsString();
            return text == null || text.isBlank() ? new JsonObject() : new JsonObject(text);
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(what + " failed: " + e, e);
        }
    }

    private Future<HttpResponse<Buffer>> post(URI base, String path, String bearer, JsonObject body) {
        var request = http.post(base.getPort(), base.getHost(), path).timeout(30_000);
        if (bearer != null) {
            request.bearerTokenAuthentication(bearer);
        }
        return request.sendJsonObject(body);
    }

    private <T> Future<T> retryOrFail(HttpResponse<Buffer> r, int attempt, String what,
                                      java.util.function.Supplier<Future<T>> again) {
        boolean retryable = r.statusCode() == 429 || r.statusCode() >= 500;
        if (!retryable || attempt >= ATTEMPTS) {
            return Future.failedFuture(what + " answered " + r.statusCode() + (r.statusCode() == 429
                    ? " (raise PARLEY_AUTH_LOGIN_PER_ADDRESS / PER_USER)" : ""));
        }
        long wait = 250L * attempt;
        String retryAfter = r.getHeader("Retry-After");
        if (retryAfter != null && retryAfter.matches("\\d{1,3}")) {
            wait = Math.min(5000, Long.parseLong(retryAfter) * 1000);
        }
        Promise<T> later = Promise.promise();
        vertx.setTimer(wait, t -> again.get().onComplete(later));
        return later.future();
    }

    Map<String, Long> errors() {
        return new TreeMap<>(errors);
    }

    void close() {
        http.close();
    }
}
