package io.parley.chat.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.testsupport.MariaDbServer;
import io.parley.testsupport.RedisServer;
import io.parley.testsupport.RedisCluster;
import io.parley.testsupport.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * The real platform around chat-service for its tests: Redis, MariaDB, and auth-service and id-service
 * started from their packaged jars (the reactor builds them first). One per test JVM, stopped by PID at exit.
 */
public final class Platform {

    public static final String TOKEN_KEY = "3QjGJ3j2eF7ojUUESyDbaYRiCXgTy3rAEEyS8V2oenY=";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Platform instance;
    private static Platform cluster;

    private final RedisServer redis;
    private final RedisCluster redisCluster;
    private final MariaDbServer db;
    private final String chatDatabase;
    private final ServiceProcess auth;
    private final ServiceProcess ids;

    /** The platform on one Redis server ({@code redisCluster} null) or on a Redis Cluster (own databases too). */
    private Platform(RedisCluster redisCluster) {
        this(redisCluster == null ? RedisServer.shared() : null, redisCluster, MariaDbServer.shared(),
                redisCluster == null ? "" : "_cluster", Map.of());
    }

    private Platform(RedisServer redis, RedisCluster redisCluster, MariaDbServer db, String suffix,
                     Map<String, String> extraEnv) {
        this.redisCluster = redisCluster;
        this.redis = redis;
        this.db = db;
        String authDb = db.createDatabase("parley_auth" + suffix);
        chatDatabase = "parley_chat" + suffix;
        db.createDatabase(chatDatabase);
        Map<String, String> common = new HashMap<>(redisEnv());
        common.putAll(extraEnv);
        common.put("PARLEY_TOKEN_KEY", TOKEN_KEY);
        Map<String, String> authEnv = new HashMap<>(common);
        authEnv.putAll(Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", authDb,
                "QUARKUS_DATASOURCE_USERNAME", MariaDbServer.USER,
                "QUARKUS_DATASOURCE_PASSWORD", MariaDbServer.PASSWORD,
                "PARLEY_AUTH_ADMIN_KEY", "test-admin-key",
                "PARLEY_AUTH_ADMIN_API_ENABLED", "true",
                "PARLEY_AUTH_BCRYPT_COST", "4",
                "PARLEY_AUTH_LOGIN_PER_ADDRESS", "100000",
                "PARLEY_AUTH_LOGIN_PER_USER", "1000"));
        auth = ServiceProcess.start("auth-service", Path.of("../auth-service/target/quarkus-app/quarkus-run.jar"), authEnv);
        ids = ServiceProcess.start("id-service", Path.of("../id-service/target/quarkus-app/quarkus-run.jar"), common);
    }

    /**
     * A platform of its own on the given servers — its own auth-service and id-service processes — for tests that
     * stop, kill or restart parts of it (the faults tests); the shared platform is never touched.
     */
    public static Platform dedicated(RedisServer redis, MariaDbServer db) {
        // restarted services meet a MariaDB that may be restarting too, on a busy machine: wait for a connection
        return new Platform(redis, null, db, "", Map.of("QUARKUS_DATASOURCE_JDBC_ACQUISITION_TIMEOUT", "30S"));
    }

    /**
     * A platform of its own with extra environment for auth-service and id-service (e.g. a token key set file), on
     * databases named with {@code suffix}; the caller closes its processes.
     */
    public static Platform withEnv(String suffix, Map<String, String> env) {
        return new Platform(RedisServer.shared(), null, MariaDbServer.shared(), suffix, env);
    }

    /** The auth-service process (to stop and start it again). */
    public ServiceProcess auth() {
        return auth;
    }

    /** The id-service process (to stop and start it again). */
    public ServiceProcess ids() {
        return ids;
    }

    /** The MariaDB server. */
    public MariaDbServer db() {
        return db;
    }

    /** chat-service's database name on {@link #db()}. */
    public String chatDatabase() {
        return chatDatabase;
    }

    public static synchronized Platform get() {
        if (instance == null) {
            instance = new Platform(null);
        }
        return instance;
    }

    /** The same platform on a three-primary Redis Cluster (services with QUARKUS_REDIS_CLIENT_TYPE=cluster). */
    public static synchronized Platform cluster() {
        if (cluster == null) {
            cluster = new Platform(RedisCluster.shared());
        }
        return cluster;
    }

    private Map<String, String> redisEnv() {
        return redisCluster == null
                ? Map.of("QUARKUS_REDIS_HOSTS", redis.uri())
                : Map.of("QUARKUS_REDIS_HOSTS", redisCluster.hosts(), "QUARKUS_REDIS_CLIENT_TYPE", "cluster");
    }

    /**
     * An inline command for one key, on the server that holds it (on a cluster: the primary that does not answer
     * MOVED). Returns the first line of the reply, or a bulk value.
     */
    public String redisCommand(String inline) {
        if (redisCluster == null) {
            return redis.command(inline);
        }
        for (int port : redisCluster.ports()) {
            String reply = redisCluster.command(port, inline);
            if (reply == null || !reply.startsWith("-MOVED")) {
                return reply;
            }
        }
        throw new IllegalStateException("no primary holds the key of " + inline);
    }

    /** Environment for a chat-service node started as a process. */
    public Map<String, String> chatEnv() {
        Map<String, String> env = new HashMap<>(redisEnv());
        env.put("PARLEY_TOKEN_KEY", TOKEN_KEY);
        env.put("QUARKUS_DATASOURCE_JDBC_URL", db.jdbcUrl(chatDatabase));
        env.put("QUARKUS_DATASOURCE_USERNAME", MariaDbServer.USER);
        env.put("QUARKUS_DATASOURCE_PASSWORD", MariaDbServer.PASSWORD);
        env.put("PARLEY_CHAT_ID_SERVICE_URL", ids.baseUrl());
        env.put("PARLEY_CHAT_AUTH_SERVICE_URL", auth.baseUrl());
        // tests that send thousands of messages from one user; limit tests set their own
        env.put("PARLEY_CHAT_LIMITS_SENDS_PER_SECOND", "100000");
        env.put("PARLEY_CHAT_LIMITS_SEND_BURST", "100000");
        // overload shedding far out: most tests' clients do not resend on UNAVAILABLE, and a busy machine must not
        // fail them (SendSheddingTest checks shedding at the production threshold)
        env.put("PARLEY_CHAT_LIMITS_SHED_AFTER", "5s");
        return env;
    }

    /** Configuration for the in-process (@QuarkusTest) chat node. */
    public Map<String, String> chatConfig() {
        return Map.of(
                "quarkus.redis.hosts", redis.uri(),
                "quarkus.datasource.jdbc.url", db.jdbcUrl("parley_chat"),
                "quarkus.datasource.username", MariaDbServer.USER,
                "quarkus.datasource.password", MariaDbServer.PASSWORD,
                "parley.chat.id-service-url", ids.baseUrl(),
                "parley.chat.auth-service-url", auth.baseUrl());
    }

    /** The standalone Redis server (the default platform only). */
    public RedisServer redis() {
        if (redis == null) {
            throw new IllegalStateException("the cluster platform has no single Redis server; use redisCommand");
        }
        return redis;
    }

    /** A signed-in user. */
    public record User(long id, String username, String token) {
    }

    /** Registers a new user and signs in on a device. */
    public User newUser(String device) {
        String username = "u" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        JsonNode created = post(auth.baseUrl() + "/api/v1/users",
                Map.of("username", username, "password", "password-" + username), null, 201);
        JsonNode session = post(auth.baseUrl() + "/api/v1/sessions",
                Map.of("username", username, "password", "password-" + username, "deviceId", device), null, 201);
        return new User(created.get("id").asLong(), username, session.get("accessToken").asText());
    }

    /**
     * Registers a user without signing in; its id. For tests that mint their own tokens ({@code TestUsers.token})
     * but need users auth-service knows (group members are checked there).
     */
    public long registerUser() {
        return registerUsers(1).get(0);
    }

    /** Registers {@code count} users, a few requests at a time; their ids, in no particular order. */
    public List<Long> registerUsers(int count) {
        Semaphore inFlight = new Semaphore(16);
        List<CompletableFuture<Long>> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String username = "u" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            HttpRequest request = HttpRequest.newBuilder(URI.create(auth.baseUrl() + "/api/v1/users"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + username
                            + "\",\"password\":\"password-" + username + "\"}")).build();
            inFlight.acquireUninterruptibly();
            ids.add(HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> inFlight.release())
                    .thenApply(response -> {
                        if (response.statusCode() != 201) {
                            throw new AssertionError("register answered " + response.statusCode() + ": " + response.body());
                        }
                        try {
                            return JSON.readTree(response.body()).get("id").asLong();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }));
        }
        return ids.stream().map(CompletableFuture::join).toList();
    }

    /** A tenant app and an app token for it. */
    public record App(String id, String token) {
    }

    /** Creates an app (admin key) and issues an app token (its API key). */
    public App newApp() {
        try {
            HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(auth.baseUrl() + "/api/v1/apps"))
                    .header("Content-Type", "application/json").header("X-Admin-Key", "test-admin-key")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"test-app\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode app = JSON.readTree(created.body());
            HttpResponse<String> issued = HTTP.send(HttpRequest.newBuilder(URI.create(auth.baseUrl()
                            + "/api/v1/apps/" + app.get("appId").asText() + "/tokens"))
                    .header("X-Api-Key", app.get("apiKey").asText())
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (issued.statusCode() != 201) {
                throw new AssertionError("app token: " + issued.statusCode() + " " + issued.body());
            }
            return new App(app.get("appId").asText(), JSON.readTree(issued.body()).get("accessToken").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Signs the user in on a device; the whole answer (accessToken, refreshToken, sessionId, …). */
    public JsonNode login(User user, String device) {
        return post(auth.baseUrl() + "/api/v1/sessions",
                Map.of("username", user.username(), "password", "password-" + user.username(), "deviceId", device), null, 201);
    }

    /** Presents a refresh token; expects {@code expectedStatus} (200 rotated, 401 unknown or reused). */
    public JsonNode refresh(String refreshToken, int expectedStatus) {
        return post(auth.baseUrl() + "/api/v1/sessions/refresh", Map.of("refreshToken", refreshToken), null, expectedStatus);
    }

    /** Logs the token's session out (204). */
    public void logout(String token) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(auth.baseUrl() + "/api/v1/sessions/current"))
                    .header("Authorization", "Bearer " + token).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 204) {
                throw new AssertionError("logout answered " + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Signs the same user in on another device. */
    public User signIn(User user, String device) {
        JsonNode session = post(auth.baseUrl() + "/api/v1/sessions",
                Map.of("username", user.username(), "password", "password-" + user.username(), "deviceId", device), null, 201);
        return new User(user.id(), user.username(), session.get("accessToken").asText());
    }

    public static JsonNode post(String url, Object body, String token, int expectedStatus) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expectedStatus) {
                throw new AssertionError(url + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body().isEmpty() ? null : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A DELETE with the token; the status. */
    public static int delete(String url, String token) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).DELETE().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until MySQL holds {@code conversation} up to {@code seq}: its persisted mark in {@code redis} (raised only
     * after the write-behind's commit) reached it.
     */
    public static void awaitPersisted(RedisServer redis, String conversation, long seq, java.time.Duration wait) {
        org.awaitility.Awaitility.await().atMost(wait).until(() -> {
            String mark = redis.command("GET " + io.parley.chat.store.RedisKeys.persisted(conversation));
            return mark != null && Long.parseLong(mark) >= seq;
        });
    }

    /**
     * Stops what a test class started for a dedicated platform — its chat nodes, then (if {@code platform} was made)
     * auth-service and id-service, then {@code db} and {@code redis} — each even if one before failed. Nulls skipped.
     */
    public static void stopDedicated(Platform platform, MariaDbServer db, RedisServer redis, AutoCloseable... nodes) {
        List<AutoCloseable> all = new ArrayList<>(List.of(nodes));
        if (platform != null) {
            all.add(platform.auth());
            all.add(platform.ids());
        }
        all.add(db);
        all.add(redis);
        for (AutoCloseable c : all) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // stopping anyway
            }
        }
    }

    public static HttpResponse<String> get(String url, String token) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
