package io.parley.benchmark;

import com.sun.net.httpserver.HttpServer;
import io.parley.common.redis.OutboxEvent;
import io.parley.common.redis.RespConnection;
import io.parley.common.redis.SharedKeys;
import io.parley.common.token.AccessTokenIssuer;
import io.parley.common.token.SessionKeys;
import io.parley.common.token.TokenClaims;
import io.parley.common.token.TokenKey;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Relay throughput of the running notify-service: outbox events appended to the Redis stream (pipelined, as chat-service
 * would) until a local webhook receiver has been told of all of them. Users bind a webhook here that echoes the
 * challenge and set a digest window of 0 s, so what is measured is the pipeline (stream read, MySQL, flush, signed
 * HTTP call, delivery log) rather than the wait of a window. Events are counted once per {@code X-Parley-Delivery}.
 *
 * <p>Settings (system properties, else environment): {@code parley.bench.notify-url} / {@code PARLEY_NOTIFY_URL}
 * (http://127.0.0.1:8083), {@code parley.bench.redis} / {@code PARLEY_BENCH_REDIS} (127.0.0.1:16379, the Redis of
 * {@code ./parley up}), {@code parley.bench.token-key} / {@code PARLEY_TOKEN_KEY} (the platform's token key).
 */
final class RelayBenchmark implements Benchmark {

    private static final int USERS = 50;
    private static final String STREAM = SharedKeys.OUTBOX_STREAM;

    @Override
    public String name() {
        return "relay";
    }

    @Override
    public void run(int seconds) throws Exception {
        String notifyUrl = setting("parley.bench.notify-url", "PARLEY_NOTIFY_URL", "http://127.0.0.1:8083");
        String[] redis = setting("parley.bench.redis", "PARLEY_BENCH_REDIS", "127.0.0.1:16379").split(":");
        String key = setting("parley.bench.token-key", "PARLEY_TOKEN_KEY", null);
        if (key == null) {
            System.out.println("relay: skipped (set PARLEY_TOKEN_KEY or -Dparley.bench.token-key to the platform's key)");
            return;
        }
        AccessTokenIssuer issuer = new AccessTokenIssuer(TokenKey.fromBase64(key));
        Receiver receiver = new Receiver();
        try (RespConnection connection = RespConnection.open(redis[0], Integer.parseInt(redis[1]), Duration.ZERO)) {
            Redis r = new Redis(connection);
            HttpClient http = HttpClient.newHttpClient();
            long base = 9_000_000_000L + (System.currentTimeMillis() % 900_000_000L);
            List<Long> users = new ArrayList<>();
            for (int i = 0; i < USERS; i++) {
                long user = base + i;
                users.add(user);
                bind(http, r, issuer, notifyUrl, receiver, user);
            }
            relay(r, receiver, users, 200); // warm-up
            int events = Math.max(2000, seconds * 1000);
            long started = System.nanoTime();
            relay(r, receiver, users, events);
            double secs = (System.nanoTime() - started) / 1e9;
            Benchmark.report("outbox -> signed webhook, " + USERS + " users, " + events + " events", events / secs,
                    "events/s", null);
            Benchmark.report("  webhook calls (digests) in that run", receiver.calls.get() / 1.0, "calls", null);
            Benchmark.report("  time until the last event was relayed", secs * 1000, "ms", null);
        } finally {
            receiver.close();
        }
    }

    private void relay(Redis r, Receiver receiver, List<Long> users, int events) throws Exception {
        long target = receiver.events.get() + events;
        receiver.calls.set(0);
        List<String[]> commands = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
            long user = users.get(i % users.size());
            String id = String.format("20260101000000%010d%010d", 7, Math.abs(UUID.randomUUID().getMostSignificantBits()) % 10_000_000_000L);
            String event = OutboxEvent.message(user, id, "d:7:" + user, i, 7, "benchmark " + i, "text",
                    System.currentTimeMillis()).json();
            commands.add(new String[] {"XADD", STREAM, "*", OutboxEvent.FIELD, event});
        }
        r.pipeline(commands);
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (receiver.events.get() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("relay did not finish: " + receiver.events.get() + " of " + target);
            }
            Thread.sleep(5);
        }
    }

    private static void bind(HttpClient http, Redis r, AccessTokenIssuer issuer, String notifyUrl, Receiver receiver,
                             long user) throws Exception {
        String session = UUID.randomUUID().toString();
        r.pipeline(List.<String[]>of(new String[] {"HSET", SessionKeys.session(session), "user", Long.toString(user)},
                new String[] {"EXPIRE", SessionKeys.session(session), "3600"}));
        long now = System.currentTimeMillis() / 1000;
        String token = issuer.issue(TokenClaims.forUser(user, "bench", session, now, now + 3600));
        send(http, notifyUrl + "/api/v1/preferences", token, "PUT", "{\"digestSeconds\":0,\"channels\":[\"webhook\"]}");
        String channels = send(http, notifyUrl + "/api/v1/channels", token, "GET", null);
        if (!channels.contains(receiver.url())) {
            send(http, notifyUrl + "/api/v1/channels", token, "POST",
                    new JsonObject().put("type", "webhook").put("address", receiver.url() + "?u=" + user).encode());
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (!send(http, notifyUrl + "/api/v1/channels", token, "GET", null).contains("\"verified\":true")) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("webhook of user " + user + " was not verified");
            }
            Thread.sleep(20);
        }
    }

    private static String send(HttpClient http, String url, String token, String method, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private static String setting(String property, String env, String fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? fallback : value;
    }

    /** The webhook receiver: echoes challenges, counts relayed events once per delivery key. */
    private static final class Receiver implements AutoCloseable {
        final AtomicLong events = new AtomicLong();
        final AtomicLong calls = new AtomicLong();
        final Map<String, Boolean> seen = new ConcurrentHashMap<>();
        final HttpServer server;

        Receiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
            server.setExecutor(Executors.newFixedThreadPool(8));
            server.createContext("/hook", exchange -> {
                try (exchange) {
                    JsonObject body = new JsonObject(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                    byte[] answer = "ok".getBytes(StandardCharsets.UTF_8);
                    if ("challenge".equals(body.getString("type"))) {
                        answer = new JsonObject().put("challenge", body.getString("challenge")).encode()
                                .getBytes(StandardCharsets.UTF_8);
                    } else {
                        calls.incrementAndGet();
                        String key = exchange.getRequestHeaders().getFirst("X-Parley-Delivery");
                        if (key != null && seen.putIfAbsent(key, true) == null) {
                            events.addAndGet(body.getInteger("count", 0));
                        }
                    }
                    exchange.sendResponseHeaders(200, answer.length);
                    exchange.getResponseBody().write(answer);
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** Pipelines commands and reads (and checks) one reply line per command. */
    private record Redis(RespConnection connection) {

        void pipeline(List<String[]> commands) throws IOException {
            for (String[] args : commands) {
                connection.send(args);
            }
            connection.flush();
            for (int i = 0; i < commands.size(); i++) {
                String line = connection.readLine();
                if (line.startsWith("-")) {
                    throw new IllegalStateException("Redis: " + line);
                }
                if (line.startsWith("$") && !line.equals("$-1")) {
                    connection.readLine();
                }
            }
        }
    }
}
