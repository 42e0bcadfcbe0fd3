package io.parley.auth.service;

import io.parley.auth.config.AuthConfig;
import io.parley.auth.repository.AppEntity;
import io.parley.auth.repository.AppRepository;
import io.parley.common.config.TokenConfig;
import io.parley.common.crypto.Secrets;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.common.token.AccessTokenIssuer;
import io.parley.common.token.SessionKeys;
import io.parley.common.token.TokenClaims;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;

/**
 * Tenant apps: created with the admin key, each gets an API key (shown once, stored as SHA-256) that buys
 * short-lived app tokens for server-to-server calls. App tokens share one session per app, so removing
 * that session key revokes them all.
 */
@ApplicationScoped
public class AppService {

    private final AppRepository apps;
    private final AuthConfig config;
    private final TokenConfig tokens;
    private final AccessTokenIssuer issuer;
    private final RedisDataSource redis;
    private final Clock clock = Clock.systemUTC();

    public AppService(AppRepository apps, AuthConfig config, TokenConfig tokens, AccessTokenIssuer issuer,
                      RedisDataSource redis) {
        this.apps = apps;
        this.config = config;
        this.tokens = tokens;
        this.issuer = issuer;
        this.redis = redis;
    }

    public record CreatedApp(String appId, String apiKey, String name) {
    }

    public record AppToken(String accessToken, long expiresIn) {
    }

    @Transactional
    public CreatedApp create(String adminKey, String name) {
        if (!Secrets.constantTimeEquals(adminKey, config.adminKey())) {
            throw new ApiException(ErrorCode.BAD_ADMIN_KEY);
        }
        String appName = name == null ? "app" : name.strip();
        if (appName.isEmpty() || appName.length() > 64) {
            throw ApiException.invalid("name must be 1-64 characters");
        }
        AppEntity app = new AppEntity();
        app.id = "app_" + Secrets.random(12).toLowerCase(Locale.ROOT).replace('-', 'x').replace('_', 'y');
        app.name = appName;
        String apiKey = "pk_" + Secrets.random(32);
        app.apiKeyHash = Secrets.sha256Hex(apiKey);
        apps.persist(app);
        return new CreatedApp(app.id, apiKey, app.name);
    }

    public AppToken issueToken(String appId, String apiKey) {
        if (apiKey == null || apiKey.isBlank()) {
            throw new ApiException(ErrorCode.BAD_API_KEY, "X-Api-Key is required");
        }
        AppEntity app = find(appId);
        // Same answer for an unknown app and a wrong key: do not reveal which apps exist.
        if (app == null || !Secrets.constantTimeEquals(Secrets.sha256Hex(apiKey), app.apiKeyHash)) {
            throw new ApiException(ErrorCode.BAD_API_KEY);
        }
        String sessionId = appSessionId(appId);
        // (Re)creates the app's session, so app tokens survive a Redis that lost its data.
        redis.hash(String.class).hset(SessionKeys.session(sessionId), Map.of("app", appId));
        long now = clock.millis() / 1000;
        long ttl = tokens.appTokenTtl().toSeconds();
        return new AppToken(issuer.issue(TokenClaims.forApp(appId, sessionId, now, now + ttl)), ttl);
    }

    @Transactional
    AppEntity find(String appId) {
        return appId == null ? null : apps.findById(appId);
    }

    static String appSessionId(String appId) {
        return "app." + appId;
    }
}
