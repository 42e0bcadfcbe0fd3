package io.parley.sdk.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.sdk.ParleyClient;
import io.parley.testsupport.LocalPlatform;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the SDK's tests need around it on the real platform ({@link LocalPlatform}): apps made with the admin key,
 * users signed up and in, and clients of the SDK pointed at the services. Plain HTTP, not the SDK, so the SDK is
 * checked against the services and not against itself.
 */
final class TestPlatform {

    /** An app as {@code POST /api/v1/apps} created it. */
    record App(String appId, String apiKey) {
    }

    /** A signed-in user. */
    record User(long id, String accessToken) {
    }

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final AtomicLong NAMES = new AtomicLong();
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

    private TestPlatform() {
    }

    static LocalPlatform platform() {
        return LocalPlatform.get();
    }

    static App createApp() {
        JsonNode app = post(platform().authUrl() + "/api/v1/apps", Map.of("name", "sdk-test"),
                Map.of("X-Admin-Key", LocalPlatform.ADMIN_KEY), 201);
        return new App(app.get("appId").asText(), app.get("apiKey").asText());
    }

    static User signUp() {
        String username = "sdk_" + RUN + "_" + NAMES.incrementAndGet();
        String password = "correct horse battery";
        long id = post(platform().authUrl() + "/api/v1/users", Map.of("username", username, "password", password),
                Map.of(), 201).get("id").asLong();
        String token = post(platform().authUrl() + "/api/v1/sessions",
                Map.of("username", username, "password", password, "deviceId", "it"), Map.of(), 201)
                .get("accessToken").asText();
        return new User(id, token);
    }

    /** An SDK client of the app on the whole platform, with short back-off so failing tests fail fast. */
    static ParleyClient.Builder clientOf(App app) {
        return ParleyClient.builder().appId(app.appId()).apiKey(app.apiKey())
                .authUrl(platform().authUrl()).chatUrl(platform().chatUrl()).notifyUrl(platform().notifyUrl())
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200));
    }

    static JsonNode post(String url, Object body, Map<String, String> headers, int expectedStatus) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            headers.forEach(request::header);
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expectedStatus) {
                throw new AssertionError("POST " + url + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body().isEmpty() ? null : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("POST " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static JsonNode get(String url, String bearer) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + bearer).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("GET " + url + " answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("GET " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code ws://…} of chat-service's {@code path}, signed in as {@code user}. */
    static URI webSocket(String path, User user) {
        return URI.create(platform().chatUrl().replaceFirst("^http", "ws") + path + "?access_token=" + user.accessToken());
    }
}
