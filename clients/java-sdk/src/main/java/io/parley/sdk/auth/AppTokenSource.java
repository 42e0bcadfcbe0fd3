package io.parley.sdk.auth;

import io.parley.sdk.http.HttpCall;
import io.parley.sdk.http.Json;
import io.parley.sdk.http.Transport;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * App tokens from the app's API key: {@code POST {auth}/api/v1/apps/{appId}/tokens} with {@code X-Api-Key}, kept
 * and handed out until {@code renewAhead} before its {@code expiresIn} runs out (at the latest half-way through its
 * lifetime), then taken afresh — so calls never carry a token about to expire. One caller takes a new token while
 * the others wait for it. Thread-safe.
 */
public final class AppTokenSource implements TokenSource {

    private record Issued(String accessToken, String tokenType, long expiresIn) {
    }

    private final Transport transport;
    private final URI tokensUri;
    private final String apiKey;
    private final Duration renewAhead;
    private final Clock clock;

    private String current;
    private Instant renewAt = Instant.MIN;
    private long taken;

    /**
     * @param authUrl    auth-service's base URL (a path prefix is kept)
     * @param renewAhead how long before expiry a token is replaced (at most half its lifetime)
     * @param clock      what expiry is judged by
     */
    public AppTokenSource(Transport transport, String authUrl, String appId, String apiKey, Duration renewAhead,
                          Clock clock) {
        String base = authUrl.endsWith("/") ? authUrl.substring(0, authUrl.length() - 1) : authUrl;
        this.transport = transport;
        this.tokensUri = URI.create(base + "/api/v1/apps/" + URLEncoder.encode(appId, StandardCharsets.UTF_8)
                + "/tokens");
        this.apiKey = apiKey;
        this.renewAhead = renewAhead;
        this.clock = clock;
    }

    @Override
    public synchronized String token() {
        Instant now = clock.instant();
        if (current == null || !now.isBefore(renewAt)) {
            // Taking a token twice is harmless: the call may be repeated after a timeout or a 503.
            byte[] body = transport.send(new HttpCall("POST", tokensUri, Map.of("X-Api-Key", apiKey), null, true));
            Issued issued = Json.read(body, Issued.class);
            Duration lifetime = Duration.ofSeconds(issued.expiresIn());
            Duration margin = renewAhead.compareTo(lifetime.dividedBy(2)) < 0 ? renewAhead : lifetime.dividedBy(2);
            current = issued.accessToken();
            renewAt = now.plus(lifetime).minus(margin);
            taken++;
        }
        return current;
    }

    @Override
    public synchronized void rejected(String token) {
        if (token.equals(current)) {
            current = null;
        }
    }

    /** When the token in hand will be replaced (for monitoring; {@link Instant#MIN} before the first). */
    public synchronized Instant renewAt() {
        return renewAt;
    }

    /** How many tokens this source has taken from auth-service so far. */
    public synchronized long tokensTaken() {
        return taken;
    }
}
