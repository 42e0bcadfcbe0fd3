package io.parley.chat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** An app's REST side of topics on one node: its access answer, the grants list, topic names with '/'. */
@QuarkusTest
@QuarkusTestResource(PlatformTestResource.class)
class AppTopicResourceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TestHTTPResource("/")
    URL base;

    private String url() {
        return ChatClient.baseUrl(base);
    }

    @Test
    void accessShouldAnswerPublicAndGrantCount() throws Exception {
        Platform.App app = Platform.get().newApp();
        String access = url() + "/api/v1/apps/" + app.id() + "/access";
        assertEquals(Map.of("public", false, "grantCount", 0), map(call("GET", access, null, app.token(), 200)));

        Platform.post(url() + "/api/v1/apps/" + app.id() + "/grants", Map.of("users", List.of(11, 12, 12)), app.token(), 204);
        assertEquals(Map.of("public", false, "grantCount", 2), map(call("GET", access, null, app.token(), 200)));
        assertEquals(Map.of("public", true, "grantCount", 2),
                map(call("PUT", access, "{\"public\":true}", app.token(), 200)), "PUT answers the same shape");
        assertEquals(Map.of("public", true, "grantCount", 2), map(call("GET", access, null, app.token(), 200)));
    }

    @Test
    void grantsShouldBeListedPageByPageUntilTheCursorIsZero() throws Exception {
        Platform.App app = Platform.get().newApp();
        String grants = url() + "/api/v1/apps/" + app.id() + "/grants";
        Set<Long> granted = new HashSet<>();
        // more than Redis keeps as a compact intset (512), which SSCAN returns whole whatever the COUNT
        LongStream.rangeClosed(1, 1200).forEach(i -> granted.add(1_000_000 + i));
        Platform.post(grants, Map.of("users", List.copyOf(granted)), app.token(), 204);

        Set<Long> listed = new HashSet<>();
        String cursor = "0";
        int pages = 0;
        do {
            JsonNode page = call("GET", grants + "?limit=100&cursor=" + cursor, null, app.token(), 200);
            page.get("users").forEach(user -> listed.add(user.asLong()));
            cursor = page.get("cursor").asText();
            assertTrue(page.get("cursor").isTextual(), "the cursor is a string: " + page);
            pages++;
        } while (!"0".equals(cursor) && pages < 100);
        assertEquals("0", cursor);
        assertTrue(pages > 1, "1200 grants in pages of about 100 take more than one page");
        assertEquals(granted, listed);

        // defaults: from the start, a page of about 100
        JsonNode first = call("GET", grants, null, app.token(), 200);
        assertFalse(first.get("users").isEmpty());
        // an app without grants: one empty page
        Platform.App other = Platform.get().newApp();
        JsonNode none = call("GET", url() + "/api/v1/apps/" + other.id() + "/grants", null, other.token(), 200);
        assertEquals(0, none.get("users").size());
        assertEquals("0", none.get("cursor").asText());
        // another app's token may not read them
        assertEquals("FORBIDDEN", call("GET", grants, null, other.token(), 403).get("code").asText());
    }

    @Test
    void grantsShouldRefuseBadCursorsAndLimits() throws Exception {
        Platform.App app = Platform.get().newApp();
        String grants = url() + "/api/v1/apps/" + app.id() + "/grants";
        for (String query : new String[] {"cursor=abc", "cursor=-1", "cursor=1.5", "cursor=18446744073709551616",
                "limit=0", "limit=1001", "limit=-5", "limit=abc", "limit=99999999999"}) {
            JsonNode error = call("GET", grants + "?" + query, null, app.token(), 400);
            assertEquals("INVALID_INPUT", error.get("code").asText(), query);
        }
        call("GET", grants + "?limit=1000&cursor=18446744073709551615", null, app.token(), 200);
    }

    /** A topic name may hold '/': in the REST path it is percent-encoded; a literal '/' is another path (404). */
    @Test
    void aTopicWithASlashShouldBePublishedToWithAnEncodedSlash() throws Exception {
        Platform.App app = Platform.get().newApp();
        Platform.User user = Platform.get().newUser("phone");
        String topics = url() + "/api/v1/apps/" + app.id() + "/topics/";
        Platform.post(url() + "/api/v1/apps/" + app.id() + "/grants", Map.of("users", List.of(user.id())), app.token(), 204);
        try (ChatClient client = ChatClient.connectAndSync(url(), user.token())) {
            ObjectNode subscribe = ChatClient.frame("subscribe").put("appId", app.id());
            subscribe.putArray("topics").add("scores/league-1");
            client.send(subscribe);
            client.await(f -> "subscribed".equals(f.path("type").asText()), WAIT);

            Platform.post(topics + "scores%2Fleague-1/publications", Map.of("data", "2:1"), app.token(), 202);
            JsonNode publication = client.await(f -> "publication".equals(f.path("type").asText()), WAIT);
            assertEquals("scores/league-1", publication.get("topic").asText());
            assertEquals("2:1", publication.get("data").asText());

            JsonNode literal = call("POST", topics + "scores/league-1/publications", "{\"data\":\"lost\"}", app.token(), 404);
            assertEquals("NOT_FOUND", literal.get("code").asText());
            client.ping(); // waits for the pong
            assertTrue(client.pending().stream().noneMatch(f -> "publication".equals(f.path("type").asText())),
                    "nothing was published through the literal '/'");
        }
    }

    private static Map<String, Object> map(JsonNode node) {
        return JSON.convertValue(node, JSON.getTypeFactory().constructMapType(Map.class, String.class, Object.class));
    }

    private static JsonNode call(String method, String url, String json, String token, int expectedStatus) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(expectedStatus, response.statusCode(), method + " " + url + ": " + response.body());
        return JSON.readTree(response.body());
    }
}
