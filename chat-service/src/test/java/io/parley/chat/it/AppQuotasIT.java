package io.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.testsupport.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Per-app quotas on two chat nodes (packaged jars) sharing one Redis: every quota refused at its limit with the
 * contract's shape, counted across both nodes, an app's override beating the default, the usage endpoint for the
 * app's own token, the app label on the metrics, and a crashed node's share freed within its lease.
 */
class AppQuotasIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** The defaults every app gets on these nodes. */
    private static final int CONNECTIONS = 2;
    private static final int SUBSCRIBERS = 3;
    private static final int PUBLICATIONS_PER_SECOND = 5;
    private static final int NOTIFICATIONS_PER_SECOND = 10;

    private static Platform.App big;
    private static ServiceProcess node1;
    private static ServiceProcess node2;

    @BeforeAll
    static void start() {
        big = Platform.get().newApp(); // created first: the nodes start with its override
        node1 = ServiceProcess.start("chat-quotas-1", env());
        node2 = ServiceProcess.start("chat-quotas-2", env());
    }

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>(Platform.get().chatEnv());
        env.put("PARLEY_CHAT_QUOTAS_CONNECTIONS", Integer.toString(CONNECTIONS));
        env.put("PARLEY_CHAT_QUOTAS_SUBSCRIBERS", Integer.toString(SUBSCRIBERS));
        env.put("PARLEY_CHAT_QUOTAS_PUBLICATIONS_PER_SECOND", Integer.toString(PUBLICATIONS_PER_SECOND));
        env.put("PARLEY_CHAT_QUOTAS_NOTIFICATIONS_PER_SECOND", Integer.toString(NOTIFICATIONS_PER_SECOND));
        env.put("PARLEY_CHAT_QUOTAS_OVERRIDES", big.id() + ":connections=3,subscribers=100");
        env.put("PARLEY_CHAT_QUOTAS_LEASE", "3S");
        env.put("PARLEY_CHAT_LIMITS_FRAMES_PER_SECOND", "5000");
        env.put("PARLEY_CHAT_LIMITS_FRAME_BURST", "5000");
        return env;
    }

    @AfterAll
    static void stop() {
        if (node1 != null) {
            node1.close();
        }
        if (node2 != null) {
            node2.close();
        }
    }

    @Test
    void aConnectionPastTheAppsQuotaShouldBeRefusedOnEitherNodeAndGetInOnceOneLeaves() throws Exception {
        Platform.App app = publicApp();
        try (ChatClient first = connect(node1); ChatClient second = connect(node2);
             ChatClient third = connect(node1); ChatClient fourth = connect(node2)) {
            assertSubscribed(subscribe(first, app, "scores"));
            assertSubscribed(subscribe(second, app, "scores"));
            // the app holds 2 connections, one on each node: a third is refused on both
            assertRateLimited(subscribe(third, app, "scores"));
            assertRateLimited(subscribe(fourth, app, "news"));
            third.ping(); // still open: the refusal is an error frame, not a close
            assertEquals(null, third.closeCode());
            // a connection already counted may take another topic
            assertSubscribed(subscribe(first, app, "news"));

            JsonNode usage = usage(node2, app);
            assertEquals(2, usage.get("connections").asLong(), usage.toString());
            assertEquals(3, usage.get("subscribers").asLong(), usage.toString());
            assertEquals(CONNECTIONS, usage.at("/limits/connections").asLong(), usage.toString());
            assertEquals(2, usage.at("/refusals/connections").asLong(), usage.toString());

            ObjectNode leave = ChatClient.frame("unsubscribe").put("appId", app.id());
            leave.putArray("topics").add("scores").add("news");
            first.send(leave);
            first.awaitType("unsubscribed");
            // the slot is free on every node once the leaving node has written its share
            JsonNode answer = retry(() -> subscribe(fourth, app, "news"),
                    f -> "subscribed".equals(f.path("type").asText()));
            assertSubscribed(answer);

            String metrics = Platform.get(node1.baseUrl() + "/q/metrics", null).body();
            assertTrue(hasSeries(metrics, "parley_chat_quota_refusals_total", app.id(), "quota=\"connections\""),
                    "refusals by app and quota");
            assertTrue(hasSeries(metrics, "parley_chat_app_connections", app.id(), ""), "connections by app");
            assertTrue(hasSeries(metrics, "parley_chat_app_subscribers", app.id(), ""), "subscribers by app");
        }
    }

    @Test
    void aSubscribePastTheSubscriberQuotaShouldBeRefusedWhole() {
        Platform.App app = publicApp();
        try (ChatClient first = connect(node1); ChatClient second = connect(node2)) {
            assertSubscribed(subscribe(first, app, "a", "b"));
            assertRateLimited(subscribe(second, app, "c", "d")); // 4 > 3, counted over both nodes
            assertSubscribed(subscribe(second, app, "c"));
            JsonNode usage = usage(node1, app);
            assertEquals(3, usage.get("subscribers").asLong(), usage.toString());
            assertEquals(1, usage.at("/refusals/subscribers").asLong(), usage.toString());

            // what was refused was not subscribed: a publication to "d" does not reach the second connection
            Platform.post(node1.baseUrl() + topicPath(app, "d"), Map.of("data", "lost"), app.token(), 202);
            Platform.post(node1.baseUrl() + topicPath(app, "c"), Map.of("data", "kept"), app.token(), 202);
            JsonNode publication = second.await(f -> "publication".equals(f.path("type").asText()), WAIT);
            assertEquals("c", publication.get("topic").asText());
        }
    }

    /** Every way a subscription ends gives its share back: a quota never fills with what is gone. */
    @Test
    void withdrawnAccessAndClosedConnectionsShouldGiveTheirShareBack() {
        Platform.App app = publicApp();
        try (ChatClient first = connect(node1); ChatClient second = connect(node2)) {
            assertSubscribed(subscribe(first, app, "a", "b"));
            assertSubscribed(subscribe(second, app, "a"));
            awaitUsage(app, 2, 3);
            HttpResponse<String> closed = send("PUT", node1.baseUrl() + "/api/v1/apps/" + app.id() + "/access",
                    "{\"public\":false}", app.token());
            assertEquals(200, closed.statusCode(), closed.body());
            first.await(f -> "unsubscribed".equals(f.path("type").asText()), WAIT);
            second.await(f -> "unsubscribed".equals(f.path("type").asText()), WAIT);
            awaitUsage(app, 0, 0);

            setPublic(app);
            assertSubscribed(subscribe(first, app, "a", "b"));
            assertSubscribed(subscribe(second, app, "c"));
            awaitUsage(app, 2, 3);
        }
        awaitUsage(app, 0, 0); // both connections closed
    }

    @Test
    void publicationsPastTheQuotaShouldBeAnswered429OnBothNodes() {
        Platform.App app = Platform.get().newApp();
        List<Timed> answers = postUntilRefused(i -> send("POST", (i % 2 == 0 ? node1 : node2).baseUrl()
                + topicPath(app, "ticks"), "{\"data\":\"" + i + "\"}", app.token()));
        HttpResponse<String> refused = lastOf(answers);
        assertEquals(429, refused.statusCode());
        assertEquals("RATE_LIMITED", body(refused).get("code").asText(), refused.body());
        assertTrue(body(refused).get("message").asText().contains("per second"), refused.body());
        assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
        assertAtMostPerSecond(answers, PUBLICATIONS_PER_SECOND);
        assertTrue(usage(node2, app).at("/refusals/publications").asLong() >= 1);
        String metrics = bothNodesMetrics();
        assertTrue(hasSeries(metrics, "parley_chat_publications_total", app.id(), "outcome=\"accepted\""), "by app");
        assertTrue(hasSeries(metrics, "parley_chat_publications_total", app.id(), "outcome=\"quota\""), "by app");
        assertTrue(hasSeries(metrics, "parley_chat_quota_refusals_total", app.id(), "quota=\"publications\""));
        // the accepted ones are pushed by whichever node holds their buffer shard, counted by app there
        org.awaitility.Awaitility.await().atMost(WAIT).until(() ->
                hasSeries(bothNodesMetrics(), "parley_chat_publications_pushed_total", app.id(), ""));
    }

    @Test
    void notificationsPastTheQuotaShouldBeAnswered429() {
        Platform.App app = Platform.get().newApp();
        String body = "{\"users\":[1,2,3,4],\"title\":\"t\",\"body\":\"b\"}"; // 4 recipients a post
        List<Timed> answers = postUntilRefused(i -> send("POST", (i % 2 == 0 ? node1 : node2).baseUrl()
                + "/api/v1/apps/" + app.id() + "/notifications", body, app.token()));
        HttpResponse<String> refused = lastOf(answers);
        assertEquals(429, refused.statusCode());
        assertEquals("RATE_LIMITED", body(refused).get("code").asText(), refused.body());
        assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
        // taken while the second's count is under 10: posts at 0, 4 and 8 — a fourth is refused
        assertAtMostPerSecond(answers, 3);
        JsonNode usage = usage(node1, app);
        assertTrue(usage.at("/refusals/notifications").asLong() >= 1, usage.toString());
        assertEquals(NOTIFICATIONS_PER_SECOND, usage.at("/limits/notificationsPerSecond").asLong());
        String metrics = bothNodesMetrics();
        assertTrue(hasSeries(metrics, "parley_chat_notifications_posted_total", app.id(), ""), "by app");
        assertTrue(hasSeries(metrics, "parley_chat_quota_refusals_total", app.id(), "quota=\"notifications\""));
    }

    @Test
    void anAppsOverrideShouldBeatTheDefault() {
        setPublic(big);
        try (ChatClient a = connect(node1); ChatClient b = connect(node2); ChatClient c = connect(node1);
             ChatClient d = connect(node2)) {
            assertSubscribed(subscribe(a, big, "x"));
            assertSubscribed(subscribe(b, big, "x"));
            assertSubscribed(subscribe(c, big, "x")); // the default (2) would refuse this one
            assertRateLimited(subscribe(d, big, "x"));
            JsonNode limits = usage(node1, big).get("limits");
            assertEquals(3, limits.get("connections").asLong(), limits.toString());
            assertEquals(100, limits.get("subscribers").asLong(), limits.toString());
            assertEquals(PUBLICATIONS_PER_SECOND, limits.get("publicationsPerSecond").asLong(), "not overridden");
        }
    }

    @Test
    void usageShouldAnswerOnlyTheAppsOwnToken() {
        Platform.App app = Platform.get().newApp();
        Platform.App other = Platform.get().newApp();
        Platform.User user = Platform.get().newUser("phone");
        String url = node1.baseUrl() + "/api/v1/apps/" + app.id() + "/usage";
        HttpResponse<String> own = send("GET", url, null, app.token());
        assertEquals(200, own.statusCode(), own.body());
        assertEquals(Map.of("connections", 0, "subscribers", 0, "publications", 0, "notifications", 0),
                JSON.convertValue(body(own).get("refusals"), Map.class));
        assertEquals(app.id(), body(own).get("appId").asText());
        for (String token : new String[] {other.token(), user.token()}) {
            HttpResponse<String> refused = send("GET", url, null, token);
            assertEquals(403, refused.statusCode(), refused.body());
            assertEquals("FORBIDDEN", body(refused).get("code").asText());
        }
        HttpResponse<String> badId = send("GET", node1.baseUrl() + "/api/v1/apps/not%20an%20app/usage", null,
                app.token());
        assertEquals(400, badId.statusCode(), badId.body());
        assertEquals("INVALID_ID", body(badId).get("code").asText());
        assertEquals(401, send("GET", url, null, null).statusCode());
    }

    @Test
    void aCrashedNodesShareShouldBeFreedWithinItsLease() {
        Platform.App app = publicApp();
        ServiceProcess doomed = ServiceProcess.start("chat-quotas-3", env());
        try (ChatClient gone = connect(doomed); ChatClient stays = connect(node1); ChatClient waits = connect(node2)) {
            assertSubscribed(subscribe(gone, app, "t"));
            assertSubscribed(subscribe(stays, app, "t"));
            assertRateLimited(subscribe(waits, app, "t"));
            doomed.crash(); // SIGKILL: its share stays in Redis until its lease (3 s here) runs out
            JsonNode answer = retry(() -> subscribe(waits, app, "t"), f -> "subscribed".equals(f.path("type").asText()));
            assertSubscribed(answer);
            assertEquals(2, usage(node1, app).get("connections").asLong());
        } finally {
            doomed.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    private record Timed(long startSecond, long endSecond, HttpResponse<String> response) {
    }

    private interface Call {
        HttpResponse<String> run(int i);
    }

    /** Calls until one is refused (at most 10 s); every answer with the epoch seconds it started and ended in. */
    private static List<Timed> postUntilRefused(Call call) {
        List<Timed> answers = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (int i = 0; System.nanoTime() < deadline; i++) {
            long start = System.currentTimeMillis() / 1000;
            HttpResponse<String> response = call.run(i);
            answers.add(new Timed(start, System.currentTimeMillis() / 1000, response));
            if (response.statusCode() != 202) {
                return answers;
            }
        }
        throw new AssertionError("nothing refused within 10 s: " + answers.size() + " calls accepted");
    }

    private static HttpResponse<String> lastOf(List<Timed> answers) {
        return answers.get(answers.size() - 1).response();
    }

    /**
     * The node and this test share a clock: a call that started and ended in the same second was counted in that
     * second, whichever node took it. No second may hold more accepted calls than the quota allows.
     */
    private static void assertAtMostPerSecond(List<Timed> answers, int max) {
        Map<Long, Integer> accepted = new HashMap<>();
        for (Timed t : answers) {
            if (t.startSecond() == t.endSecond() && t.response().statusCode() == 202) {
                accepted.merge(t.startSecond(), 1, Integer::sum);
            }
        }
        accepted.forEach((second, n) -> assertTrue(n <= max, n + " accepted in one second, over both nodes"));
        assertTrue(answers.size() > max, "more calls than the quota were made: " + answers.size());
    }

    private static Platform.App publicApp() {
        Platform.App app = Platform.get().newApp();
        setPublic(app);
        return app;
    }

    private static void setPublic(Platform.App app) {
        HttpResponse<String> response = send("PUT", node1.baseUrl() + "/api/v1/apps/" + app.id() + "/access",
                "{\"public\":true}", app.token());
        assertEquals(200, response.statusCode(), response.body());
    }

    private static ChatClient connect(ServiceProcess node) {
        return ChatClient.connectAndSync(node.baseUrl(), Platform.get().newUser("phone").token());
    }

    /** Sends a subscribe; the answer: {@code subscribed} or an {@code error}. */
    private static JsonNode subscribe(ChatClient client, Platform.App app, String... topics) {
        ObjectNode frame = ChatClient.frame("subscribe").put("appId", app.id());
        ArrayNode names = frame.putArray("topics");
        for (String topic : topics) {
            names.add(topic);
        }
        client.send(frame);
        return client.await(f -> "subscribed".equals(f.path("type").asText()) || "error".equals(f.path("type").asText()),
                WAIT);
    }

    /** Repeats the call until its answer matches, pausing briefly between tries; fails after {@link #WAIT}. */
    private static JsonNode retry(Supplier<JsonNode> call, java.util.function.Predicate<JsonNode> done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode last;
        do {
            last = call.get();
            if (done.test(last)) {
                return last;
            }
            try {
                Thread.sleep(100); // a pause between tries of the condition, not a wait for it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError("still " + last + " after " + WAIT);
    }

    private static void assertSubscribed(JsonNode answer) {
        assertEquals("subscribed", answer.path("type").asText(), answer.toString());
    }

    private static void assertRateLimited(JsonNode answer) {
        assertEquals("error", answer.path("type").asText(), answer.toString());
        assertEquals("RATE_LIMITED", answer.path("code").asText(), answer.toString());
        assertTrue(answer.path("message").asText().contains("quota"), answer.toString());
    }

    private static JsonNode usage(ServiceProcess node, Platform.App app) {
        HttpResponse<String> response = send("GET", node.baseUrl() + "/api/v1/apps/" + app.id() + "/usage", null,
                app.token());
        assertEquals(200, response.statusCode(), response.body());
        return body(response);
    }

    /** Polls the app's usage (on either node) until it shows these figures; fails after {@link #WAIT}. */
    private static void awaitUsage(Platform.App app, long connections, long subscribers) {
        JsonNode answer = retry(() -> usage(node2, app), u -> u.get("connections").asLong() == connections
                && u.get("subscribers").asLong() == subscribers);
        assertEquals(connections, answer.get("connections").asLong());
    }

    private static String topicPath(Platform.App app, String topic) {
        return "/api/v1/apps/" + app.id() + "/topics/" + topic + "/publications";
    }

    private static String bothNodesMetrics() {
        return Platform.get(node1.baseUrl() + "/q/metrics", null).body() + "\n"
                + Platform.get(node2.baseUrl() + "/q/metrics", null).body();
    }

    private static boolean hasSeries(String metrics, String name, String appId, String otherLabel) {
        return metrics.lines().anyMatch(line -> line.startsWith(name + "{") && line.contains("app=\"" + appId + "\"")
                && line.contains(otherLabel));
    }

    private static JsonNode body(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpResponse<String> send(String method, String url, String json, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
