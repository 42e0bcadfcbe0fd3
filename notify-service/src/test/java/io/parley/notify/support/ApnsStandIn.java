package io.parley.notify.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * APNs on loopback: HTTP/2 over TLS only (ALPN {@code h2}), with a certificate made at start by {@code keytool}.
 * Checks each request as Apple does: the provider JWT's ES256 signature with the key's public part, its {@code kid}
 * and {@code iss}; {@code apns-topic}; {@code apns-push-type}. Answers what a test scripted for a device token
 * (200 by default); a JWT the test {@link #expire expired} is answered 403 {@code ExpiredProviderToken}.
 */
public final class ApnsStandIn implements AutoCloseable {

    public static final String KEY_ID = "KEY1234567";
    public static final String TEAM_ID = "TEAM123456";
    public static final String TOPIC = "io.parley.app";

    /** A request as received; header names lower case. */
    public record Push(String version, String deviceToken, Map<String, String> headers, JsonObject body, String jwt,
                       int status) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final String certificatePem;
    private final PublicKey key;
    private final List<Push> pushes = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<int[]>> scriptedStatus = new ConcurrentHashMap<>();
    private final Map<String, Deque<String>> scriptedReason = new ConcurrentHashMap<>();
    private final java.util.Set<String> expired = ConcurrentHashMap.newKeySet();

    public ApnsStandIn(PublicKey key) throws Exception {
        this.key = key;
        Path dir = Files.createTempDirectory("apns-stand-in");
        Path store = dir.resolve("server.p12");
        run("keytool", "-genkeypair", "-alias", "apns", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", store.toString(),
                "-storepass", "changeit", "-keypass", "changeit", "-storetype", "PKCS12");
        Path pem = dir.resolve("server.pem");
        run("keytool", "-exportcert", "-rfc", "-alias", "apns", "-keystore", store.toString(), "-storepass", "changeit",
                "-file", pem.toString());
        this.certificatePem = Files.readString(pem);
        HttpServerOptions options = new HttpServerOptions().setSsl(true).setUseAlpn(true).setHost("127.0.0.1").setPort(0)
                .setAlpnVersions(List.of(HttpVersion.HTTP_2))
                .setKeyCertOptions(new PfxOptions().setPath(store.toString()).setPassword("changeit"));
        this.server = vertx.createHttpServer(options).requestHandler(request -> request.body().onSuccess(body -> {
            Map<String, String> headers = new ConcurrentHashMap<>();
            request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
            String deviceToken = request.path().replaceFirst("^/3/device/", "");
            String authorization = headers.getOrDefault("authorization", "");
            String jwt = authorization.replaceFirst("^bearer ", "");
            int status = 200;
            String reason = null;
            try {
                JwtCheck.Verified verified = JwtCheck.verify(jwt, key);
                if (!KEY_ID.equals(verified.header().getString("kid")) || !TEAM_ID.equals(verified.claims().getString("iss"))) {
                    status = 403;
                    reason = "InvalidProviderToken";
                }
            } catch (AssertionError e) {
                status = 403;
                reason = "InvalidProviderToken";
            }
            if (status == 200 && expired.contains(jwt)) {
                status = 403;
                reason = "ExpiredProviderToken";
            } else if (status == 200 && !TOPIC.equals(headers.get("apns-topic"))) {
                status = 400;
                reason = "BadTopic";
            } else if (status == 200 && !List.of("alert", "background").contains(headers.get("apns-push-type"))) {
                status = 400;
                reason = "InvalidPushType";
            } else if (status == 200) {
                Deque<int[]> statuses = scriptedStatus.get(deviceToken);
                int[] next = statuses == null ? null : statuses.poll();
                if (next != null) {
                    status = next[0];
                    reason = scriptedReason.get(deviceToken).poll();
                }
            }
            pushes.add(new Push(request.version().name(), deviceToken, headers,
                    body.length() == 0 ? new JsonObject() : body.toJsonObject(), jwt, status));
            var response = request.response().setStatusCode(status).putHeader("apns-id", java.util.UUID.randomUUID().toString());
            if (reason == null) {
                response.end();
            } else {
                response.putHeader("content-type", "application/json").end(new JsonObject().put("reason", reason).encode());
            }
        }));
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public String baseUrl() {
        return "https://127.0.0.1:" + server.actualPort();
    }

    public String certificatePem() {
        return certificatePem;
    }

    public List<Push> pushesTo(String deviceToken) {
        return pushes.stream().filter(p -> p.deviceToken().equals(deviceToken)).toList();
    }

    public List<Push> all() {
        return List.copyOf(pushes);
    }

    /** The next answer to {@code deviceToken}: a status and an APNs reason. */
    public void script(String deviceToken, int status, String reason) {
        scriptedStatus.computeIfAbsent(deviceToken, t -> new ConcurrentLinkedDeque<>()).add(new int[] {status});
        scriptedReason.computeIfAbsent(deviceToken, t -> new ConcurrentLinkedDeque<>()).add(reason);
    }

    /** From now on this JWT is answered 403 ExpiredProviderToken. */
    public void expire(String jwt) {
        expired.add(jwt);
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }

    @Override
    public void close() {
        vertx.close();
    }
}
