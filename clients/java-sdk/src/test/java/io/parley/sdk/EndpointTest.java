package io.parley.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;

class EndpointTest {

    @Test
    void aTopicIsOnePathSegment() {
        assertEquals("prices%2Feur%3Ausd", Endpoint.segment("prices/eur:usd"), "the contract's %2F rule");
        assertEquals("a%20b%21", Endpoint.segment("a b!"), "a space is %20, not +");
        assertEquals("news.en_GB-1", Endpoint.segment("news.en_GB-1"));
    }

    @Test
    void aBaseKeepsItsPathPrefixAndLosesATrailingSlash() {
        assertEquals(URI.create("https://example.com/chat/api/v1/x"),
                Endpoint.of("chat-service", "https://example.com/chat/").resolve("/api/v1/x"));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.of("chat-service", "localhost:8080"));
    }

    @Test
    void aFacetWithoutItsServiceUrlSaysWhichOptionIsMissing() {
        ParleyClient parley = ParleyClient.builder().appId("app_x").apiKey("pk").authUrl("http://127.0.0.1:1").build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> parley.topics().publish("t", "x"));
        assertTrue(e.getMessage().contains("chatUrl"), e.getMessage());
        assertThrows(NullPointerException.class, () -> ParleyClient.builder().apiKey("pk").authUrl("http://a").build());
    }
}
