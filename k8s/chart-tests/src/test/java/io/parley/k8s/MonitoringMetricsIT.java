package io.parley.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.testsupport.LocalPlatform;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every metric the chart's alerts and dashboard name exists in a running service's /q/metrics: the four services
 * from their jars ({@link LocalPlatform}), used a little (below), scraped. A renamed metric, or one that appears only once something goes wrong, fails here instead of
 * leaving an alert that can never fire.
 */
class MonitoringMetricsIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Set<String> exported;

    @BeforeAll
    static void startThePlatformUseItAndScrapeIt() throws Exception {
        LocalPlatform platform = LocalPlatform.get();
        // what a first user does: sign up and in, refresh (and present the old refresh token again), chat once,
        // send a bad frame; an app publishes to a topic; and a refused call — every metric that appears only once
        // its event happened now exists, as in any cluster after its first minutes
        String alice = signUpAndIn(platform, "a");
        JsonNode bob = JSON.readTree(signUpAndIn(platform, "b"));
        JsonNode login = JSON.readTree(alice);
        send(post(platform.authUrl() + "/api/v1/sessions/refresh", "{\"refreshToken\":\"" + login.path("refreshToken").asText() + "\"}"));
        send(post(platform.authUrl() + "/api/v1/sessions/refresh", "{\"refreshToken\":\"" + login.path("refreshToken").asText() + "\"}"));
        chatOnce(platform, JSON.readTree(signIn(platform, login.path("username").asText())).path("accessToken").asText(),
                bob.path("userId").asLong());
        publishOnce(platform);
        send(HttpRequest.newBuilder(URI.create(platform.idUrl() + "/api/v1/ids?count=1&user=1")).GET().build());
        send(HttpRequest.newBuilder(URI.create(platform.idUrl() + "/api/v1/snowflakes?count=1")).GET().build());
        for (String url : List.of(platform.chatUrl(), platform.notifyUrl())) {
            send(HttpRequest.newBuilder(URI.create(url + "/api/v1/conversations")).GET().build()); // 401
        }
        exported = new TreeSet<>();
        for (String url : List.of(platform.authUrl(), platform.idUrl(), platform.chatUrl(), platform.notifyUrl())) {
            exported.addAll(sampleNames(send(HttpRequest.newBuilder(URI.create(url + "/q/metrics")).GET().build())));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "correct horse battery";

    /** Signs a new user up and in; the login answer with the username added. */
    private static String signUpAndIn(LocalPlatform platform, String suffix) throws Exception {
        String user = "metrics_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36) + suffix;
        send(post(platform.authUrl() + "/api/v1/users", "{\"username\":\"" + user + "\",\"password\":\"" + PASSWORD + "\"}"));
        ObjectNode login = (ObjectNode) JSON.readTree(signIn(platform, user));
        login.put("username", user);
        return login.toString();
    }

    private static String signIn(LocalPlatform platform, String user) throws Exception {
        return send(post(platform.authUrl() + "/api/v1/sessions",
                "{\"username\":\"" + user + "\",\"password\":\"" + PASSWORD + "\",\"deviceId\":\"d" + System.nanoTime() + "\"}"));
    }

    /** One message to {@code to} answered with sent, then a frame of an unknown type answered with an error. */
    private static void chatOnce(LocalPlatform platform, String token, long to) throws Exception {
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        WebSocket socket = HTTP.newWebSocketBuilder().buildAsync(
                URI.create(platform.chatUrl().replaceFirst("^http", "ws") + "/ws/chat?access_token=" + token),
                new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            frames.add(text.toString());
                            text.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        socket.sendText("{\"type\":\"send\",\"clientMsgId\":\"m1\",\"to\":{\"user\":" + to + "},\"body\":\"hi\"}", true);
        awaitFrame(frames, "\"sent\"");
        socket.sendText("{\"type\":\"no-such-frame\"}", true);
        awaitFrame(frames, "\"error\"");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    }

    private static void awaitFrame(BlockingQueue<String> frames, String containing) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (String frame; (frame = frames.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) != null; ) {
            if (frame.contains(containing)) {
                return;
            }
        }
        throw new AssertionError("no frame with " + containing + " within 20 s");
    }

    /** An app is created, takes a token and publishes once to a topic. */
    private static void publishOnce(LocalPlatform platform) throws Exception {
        JsonNode app = JSON.readTree(send(HttpRequest.newBuilder(URI.create(platform.authUrl() + "/api/v1/apps"))
                .header("Content-Type", "application/json").header("X-Admin-Key", LocalPlatform.ADMIN_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"metrics\"}")).build()));
        String appId = app.path("appId").asText();
        JsonNode token = JSON.readTree(send(HttpRequest.newBuilder(URI.create(platform.authUrl() + "/api/v1/apps/" + appId + "/tokens"))
                .header("X-Api-Key", app.path("apiKey").asText()).POST(HttpRequest.BodyPublishers.noBody()).build()));
        String answer = send(HttpRequest.newBuilder(URI.create(platform.chatUrl() + "/api/v1/apps/" + appId + "/topics/metrics/publications"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token.path("accessToken").asText())
                .POST(HttpRequest.BodyPublishers.ofString("{\"data\":\"x\"}")).build());
        assertTrue(answer.contains("\"id\""), "publication accepted: " + answer);
    }

    private static HttpRequest post(String url, String json) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private static String send(HttpRequest request) throws IOException, InterruptedException {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The names of the samples of a Prometheus text exposition ({@code name{labels} value} or {@code name value}). */
    static Set<String> sampleNames(String exposition) {
        return exposition.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void shouldExportEveryMetricTheAlertsAndTheDashboardName() {
        Set<String> named = Monitoring.allMetricNames();
        assertTrue(named.size() >= 30, "metric names found in the alerts and the dashboard: " + named);
        Set<String> missing = new TreeSet<>(named);
        missing.removeAll(exported);
        missing.removeAll(Monitoring.PROMETHEUS_OWN);
        assertEquals(Set.of(), missing, "named by an alert or a dashboard panel, exported by no service");
    }

    @Test
    void shouldListEveryExportedParleyMetricInTheCatalogue() throws IOException {
        String catalogue = java.nio.file.Files.readString(Monitoring.operationsDoc());
        Set<String> uncatalogued = exported.stream().filter(n -> n.startsWith("parley_"))
                .map(n -> n.replaceAll("_(count|sum|max|bucket)$", ""))
                .filter(n -> !catalogue.contains("`" + n + "`") && !catalogue.contains("`" + n + "_total`"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of(), uncatalogued, "exported but not in docs/operations.md's metrics catalogue");
    }
}
