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
import io.parley.common.security.SessionRevocationCache;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
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
    private final SessionRevocationCache revocations;
    private final Clock clock = Clock.systemUTC();

    public AppService(AppRepository apps, AuthConfig config, TokenConfig tokens, AccessTokenIssuer issuer,
                      RedisDataSource redis, SessionRevocationCache revocations) {
        this.revocations = revocations;
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

    /**
     * An app token. The app's row is locked while its session is (re)created, so a disable ({@link #setDisabled},
     * which locks the row too) either comes first and is seen here, or waits until this session exists and then
     * deletes it: a token issued in the same instant as a disable never outlives it. (An exclusive lock, not a shared
     * one: MySQL 8 spells that {@code FOR SHARE}, which MariaDB does not parse; apps buy tokens hourly.)
     */
    @Transactional
    public AppToken issueToken(String appId, String apiKey) {
        if (apiKey == null || apiKey.isBlank()) {
            throw new ApiException(ErrorCode.BAD_API_KEY, "X-Api-Key is required");
        }
        AppEntity app = appId == null ? null : apps.findLocked(appId);
        // Same answer for an unknown app and a wrong key: do not reveal which apps exist.
        if (app == null || !Secrets.constantTimeEquals(Secrets.sha256Hex(apiKey), app.apiKeyHash)) {
            throw new ApiException(ErrorCode.BAD_API_KEY);
        }
        if (app.isDisabled()) {
            throw new ApiException(ErrorCode.APP_DISABLED, "app " + appId + " is disabled by the operator");
        }
        String sessionId = appSessionId(app);
        // (Re)creates the app's session, so app tokens survive a Redis that lost its data.
        redis.hash(String.class).hset(SessionKeys.session(sessionId), Map.of("app", appId));
        long now = clock.millis() / 1000;
        long ttl = tokens.appTokenTtl().toSeconds();
        return new AppToken(issuer.issue(TokenClaims.forApp(appId, sessionId, now, now + ttl)), ttl);
    }

    /** One app as the admin API lists it. */
    public record AppSummary(String appId, String name, Instant createdAt, boolean disabled, Instant disabledAt) {
        static AppSummary of(AppEntity app) {
            return new AppSummary(app.id, app.name, app.createdAt, app.isDisabled(), app.disabledAt);
        }
    }

    /** Apps in id order, {@code limit} after {@code after} (exclusive; {@code null} from the start). */
    @Transactional
    public List<AppSummary> list(String after, int limit) {
        return (after == null ? apps.find("order by id") : apps.find("id > ?1 order by id", after))
                .page(0, limit).list().stream().map(AppSummary::of).toList();
    }

    /**
     * Disables or enables an app. Disabling refuses its API key at once and deletes its token session, so its app
     * tokens are refused by every service within the revocation cache time (under 1 s); enabling lets the API key
     * buy tokens again, of a new session — tokens from before the disable stay refused.
     */
    public AppSummary setDisabled(String appId, boolean disabled) {
        AppEntity before = QuarkusTransaction.requiringNew().call(() -> store(appId, disabled));
        if (disabled) {
            String ended = appSessionId(before.id, before.tokenGeneration - 1);
            redis.key().del(SessionKeys.session(ended)); // after the commit: see issueToken
            revocations.invalidate(ended);
        }
        return AppSummary.of(before);
    }

    private AppEntity store(String appId, boolean disabled) {
        AppEntity app = appId == null ? null : apps.findLocked(appId);
        if (app == null) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no app " + appId);
        }
        if (disabled && !app.isDisabled()) {
            app.disabledAt = clock.instant();
            app.tokenGeneration++;
        } else if (!disabled) {
            app.disabledAt = null;
        }
        return app;
    }

    /** The session every app token of the app's current generation carries. */
    static String appSessionId(AppEntity app) {
        return appSessionId(app.id, app.tokenGeneration);
    }

    /** Generation 0 keeps the id app tokens had before generations existed. */
    static String appSessionId(String appId, int generation) {
        return generation == 0 ? "app." + appId : "app." + appId + "." + generation;
    }
}
