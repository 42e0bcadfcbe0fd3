package io.parley.sdk;

import io.parley.sdk.auth.AppTokenSource;
import io.parley.sdk.auth.TokenSource;
import io.parley.sdk.http.RetryPolicy;
import io.parley.sdk.http.Transport;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The Parley SDK for backends that push: one per app, thread-safe, meant to be kept for the application's lifetime.
 *
 * <pre>{@code
 * ParleyClient parley = ParleyClient.builder()
 *         .appId("app_x1").apiKey(System.getenv("PARLEY_API_KEY"))
 *         .authUrl("https://auth.example").chatUrl("https://chat.example").notifyUrl("https://notify.example")
 *         .build();
 * parley.topics().publish("prices/eur", "{\"bid\":1.08}");
 * }</pre>
 *
 * Each facet covers one part of the REST contract: {@link #topics()}, {@link #access()}, {@link #inApp()},
 * {@link #notifications()}, {@link #deliveries()}. Failures are {@link io.parley.sdk.error.ParleyException}s.
 */
public final class ParleyClient {

    private final String appId;
    private final TokenSource tokens;
    private final Topics topics;
    private final Access access;
    private final InAppNotifications inApp;
    private final Notifications notifications;
    private final Deliveries deliveries;

    private ParleyClient(Builder b) {
        this.appId = Objects.requireNonNull(b.appId, "appId is required");
        HttpClient http = b.httpClient != null ? b.httpClient
                : HttpClient.newBuilder().connectTimeout(b.connectTimeout).build();
        Transport transport = new Transport(http, b.requestTimeout,
                new RetryPolicy(b.maxAttempts, b.initialBackoff, b.maxBackoff, b.maxRetryAfter), b.clock);
        if (b.tokenSource != null) {
            this.tokens = b.tokenSource;
        } else {
            Objects.requireNonNull(b.apiKey, "apiKey (or a tokenSource) is required");
            Objects.requireNonNull(b.authUrl, "authUrl is required to take app tokens with the API key");
            Endpoint auth = Endpoint.of("auth-service", b.authUrl);
            this.tokens = new AppTokenSource(transport, auth.base(), appId, b.apiKey,
                    b.tokenRenewAhead, b.clock);
        }
        AppApi api = new AppApi(transport, tokens);
        Endpoint chat = Endpoint.of("chat-service", b.chatUrl);
        Endpoint notify = Endpoint.of("notify-service", b.notifyUrl);
        String appPath = "/api/v1/apps/" + Endpoint.segment(appId);
        this.topics = new Topics(api, chat, appPath);
        this.access = new Access(api, chat, appPath);
        this.inApp = new InAppNotifications(api, chat, appPath);
        this.notifications = new Notifications(api, notify);
        this.deliveries = new Deliveries(api, notify);
    }

    public static Builder builder() {
        return new Builder();
    }

    public String appId() {
        return appId;
    }

    /** The app tokens in use (an {@link AppTokenSource} unless the builder was given another). */
    public TokenSource tokens() {
        return tokens;
    }

    /** Publishing to topics (chat-service). */
    public Topics topics() {
        return topics;
    }

    /** Who may subscribe: public or granted users (chat-service). */
    public Access access() {
        return access;
    }

    /** In-app notifications straight into users' inboxes (chat-service). */
    public InAppNotifications inApp() {
        return inApp;
    }

    /** Notifications on every channel, with delivery status (notify-service). */
    public Notifications notifications() {
        return notifications;
    }

    /** Deliveries by status and dead-letter replay (notify-service). */
    public Deliveries deliveries() {
        return deliveries;
    }

    /** Configuration; only {@code appId} and {@code apiKey} + {@code authUrl} (or a token source) are required. */
    public static final class Builder {

        private String appId;
        private String apiKey;
        private String authUrl;
        private String chatUrl;
        private String notifyUrl;
        private TokenSource tokenSource;
        private HttpClient httpClient;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private int maxAttempts = RetryPolicy.defaults().maxAttempts();
        private Duration initialBackoff = RetryPolicy.defaults().initialBackoff();
        private Duration maxBackoff = RetryPolicy.defaults().maxBackoff();
        private Duration maxRetryAfter = RetryPolicy.defaults().maxRetryAfter();
        private Duration tokenRenewAhead = Duration.ofSeconds(60);
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** The app's id, as {@code POST /api/v1/apps} returned it. */
        public Builder appId(String appId) {
            this.appId = appId;
            return this;
        }

        /** The app's API key, from which app tokens are taken (and renewed) by themselves. */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /** auth-service's base URL, e.g. {@code http://localhost:8081}. */
        public Builder authUrl(String url) {
            this.authUrl = url;
            return this;
        }

        /** chat-service's base URL, for topics, access and in-app notifications. */
        public Builder chatUrl(String url) {
            this.chatUrl = url;
            return this;
        }

        /** notify-service's base URL, for notifications and deliveries. */
        public Builder notifyUrl(String url) {
            this.notifyUrl = url;
            return this;
        }

        /** App tokens from somewhere else instead of the API key. */
        public Builder tokenSource(TokenSource tokenSource) {
            this.tokenSource = tokenSource;
            return this;
        }

        /** Your own HttpClient (proxy, TLS, executor); then {@link #connectTimeout} is that client's business. */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = httpClient;
            return this;
        }

        /** How long a connection may take to open (default 5 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** How long one attempt may wait for its answer (default 10 s). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /** Attempts per call, the first included (default 4; 1 turns retries off). */
        public Builder maxAttempts(int attempts) {
            this.maxAttempts = attempts;
            return this;
        }

        /** The back-off step before the second attempt (default 200 ms), doubling per attempt up to {@code max}. */
        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** The longest {@code Retry-After} the SDK waits out by itself (default 30 s); longer ones are thrown. */
        public Builder maxRetryAfter(Duration max) {
            this.maxRetryAfter = max;
            return this;
        }

        /** How long before its expiry an app token is replaced (default 60 s; at most half its lifetime). */
        public Builder tokenRenewAhead(Duration ahead) {
            this.tokenRenewAhead = ahead;
            return this;
        }

        /** The clock token expiry is judged by (default the system clock). */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public ParleyClient build() {
            return new ParleyClient(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
