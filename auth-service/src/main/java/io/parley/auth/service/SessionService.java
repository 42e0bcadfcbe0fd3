package io.parley.auth.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.auth.redis.RedisKeys;
import io.parley.auth.redis.RedisScripts;
import io.parley.auth.repository.DeviceRepository;
import io.parley.auth.repository.UserEntity;
import io.parley.auth.repository.UserRepository;
import io.parley.common.config.TokenConfig;
import io.parley.common.crypto.Secrets;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.common.security.SessionRevocationCache;
import io.parley.common.token.AccessTokenIssuer;
import io.parley.common.token.AccessTokenVerifier;
import io.parley.common.token.SessionKeys;
import io.parley.common.token.TokenClaims;
import io.parley.common.token.TokenRejectedException;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.hash.HashCommands;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sessions: one per sign-in on a device, held in Redis (see {@link SessionKeys}) so every service can check
 * them. A session lives while its key exists; logout, refresh-token reuse and expiry delete it, and with
 * it every access token issued for it.
 */
@ApplicationScoped
public class SessionService {

    private static final int SESSION_ID_BYTES = 16;
    private static final int REFRESH_SECRET_BYTES = 32;

    private final UserRepository users;
    private final DeviceRepository devices;
    private final PasswordHasher hasher;
    private final LoginRateLimiter rateLimiter;
    private final AccessTokenIssuer issuer;
    private final AccessTokenVerifier verifier;
    private final SessionRevocationCache revocations;
    private final TokenConfig tokens;
    private final RedisDataSource redis;
    private final HashCommands<String, String, String> hashes;
    private final MeterRegistry metrics;
    private final Clock clock = Clock.systemUTC();

    public SessionService(UserRepository users, DeviceRepository devices, PasswordHasher hasher,
                          LoginRateLimiter rateLimiter, AccessTokenIssuer issuer, AccessTokenVerifier verifier,
                          SessionRevocationCache revocations, TokenConfig tokens, RedisDataSource redis,
                          MeterRegistry metrics) {
        this.users = users;
        this.devices = devices;
        this.hasher = hasher;
        this.rateLimiter = rateLimiter;
        this.issuer = issuer;
        this.verifier = verifier;
        this.revocations = revocations;
        this.tokens = tokens;
        this.redis = redis;
        this.hashes = redis.hash(String.class);
        this.metrics = metrics;
    }

    /** What login and refresh answer. */
    public record IssuedSession(String accessToken, String refreshToken, long expiresIn, long userId, String sessionId) {
    }

    public IssuedSession login(String username, String password, String deviceId, String clientAddress) {
        Validation.required(username, "username");
        Validation.required(password, "password");
        Validation.deviceId(deviceId);
        rateLimiter.hit(username, clientAddress);
        Optional<UserEntity> user = findUser(username); // deleted accounts are not found
        if (user.isEmpty()) {
            hasher.burnCheck(password);
            return failLogin();
        }
        if (!hasher.matches(password, user.get().passwordHash)) {
            return failLogin();
        }
        long userId = user.get().id;
        recordDevice(userId, deviceId);
        String sessionId = Secrets.random(SESSION_ID_BYTES);
        String refreshToken = refreshToken(sessionId);
        String key = SessionKeys.session(sessionId);
        hashes.hset(key, Map.of(
                "user", Long.toString(userId),
                "device", deviceId,
                "refresh", Secrets.sha256Hex(refreshToken),
                "created", Long.toString(clock.millis())));
        redis.key().pexpire(key, tokens.refreshTtl().toMillis());
        String index = RedisKeys.userSessions(userId);
        redis.set(String.class).sadd(index, sessionId);
        redis.key().pexpire(index, tokens.refreshTtl().toMillis()); // outlives every session in it
        metrics.counter("parley.auth.logins", "outcome", "ok").increment();
        return issue(userId, deviceId, sessionId, refreshToken);
    }

    /** Rotates the refresh token. A stale one revokes the session: it was copied. */
    public IssuedSession refresh(String refreshToken) {
        Validation.required(refreshToken, "refreshToken");
        int dot = refreshToken.indexOf('.');
        if (dot <= 0 || dot == refreshToken.length() - 1 || refreshToken.length() > 200) {
            throw new ApiException(ErrorCode.REFRESH_TOKEN_INVALID);
        }
        String sessionId = refreshToken.substring(0, dot);
        String next = refreshToken(sessionId);
        Response reply = RedisScripts.SESSION_REFRESH.run(redis, List.of(SessionKeys.session(sessionId)),
                Secrets.sha256Hex(refreshToken), Secrets.sha256Hex(next), Long.toString(tokens.refreshTtl().toMillis()),
                SessionKeys.ENDED_CHANNEL, sessionId);
        long outcome = reply.get(0).toLong();
        if (outcome == -1) {
            revocations.invalidate(sessionId);
            metrics.counter("parley.auth.refresh.reuse").increment();
            throw new ApiException(ErrorCode.REFRESH_TOKEN_INVALID,
                    "the refresh token was already used; the session is revoked");
        }
        if (outcome != 1) {
            throw new ApiException(ErrorCode.REFRESH_TOKEN_INVALID);
        }
        return issue(Long.parseLong(reply.get(1).toString()), reply.get(2).toString(), sessionId, next);
    }

    /**
     * Ends a session: its tokens are refused by every service within the revocation cache time, and its open
     * WebSocket connections are closed at once (announced on {@link SessionKeys#ENDED_CHANNEL} with the delete).
     */
    public void logout(long userId, String sessionId) {
        RedisScripts.SESSION_END.run(redis, List.of(SessionKeys.session(sessionId)), SessionKeys.ENDED_CHANNEL,
                SessionKeys.endedMessage(userId, sessionId));
        revocations.invalidate(sessionId);
    }

    /**
     * Ends every session of the user (the account was deleted, or the operator asked): each is announced like a
     * logout. Returns how many were still live.
     */
    public int endAll(long userId) {
        String index = RedisKeys.userSessions(userId);
        int ended = 0;
        for (String sessionId : redis.set(String.class).smembers(index)) {
            ended += RedisScripts.SESSION_END.run(redis, List.of(SessionKeys.session(sessionId)), SessionKeys.ENDED_CHANNEL,
                    SessionKeys.endedMessage(userId, sessionId)).toInteger();
            revocations.invalidate(sessionId);
        }
        redis.key().del(index);
        return ended;
    }

    /** RFC 7662-style introspection: the claims of a live token, or empty. */
    public Optional<TokenClaims> introspect(String token) {
        if (token == null || token.isBlank()) {
            throw ApiException.invalid("token is required");
        }
        try {
            TokenClaims claims = verifier.verify(token);
            boolean live = redis.key().exists(SessionKeys.session(claims.sessionId()));
            return live ? Optional.of(claims) : Optional.empty();
        } catch (TokenRejectedException e) {
            return Optional.empty();
        }
    }

    private IssuedSession issue(long userId, String deviceId, String sessionId, String refreshToken) {
        long now = clock.millis() / 1000;
        long ttl = tokens.accessTtl().toSeconds();
        String access = issuer.issue(TokenClaims.forUser(userId, deviceId, sessionId, now, now + ttl));
        return new IssuedSession(access, refreshToken, ttl, userId, sessionId);
    }

    private IssuedSession failLogin() {
        metrics.counter("parley.auth.logins", "outcome", "bad_credentials").increment();
        throw new ApiException(ErrorCode.BAD_CREDENTIALS);
    }

    @Transactional
    Optional<UserEntity> findUser(String username) {
        return users.findActiveByUsername(username);
    }

    @Transactional
    void recordDevice(long userId, String deviceId) {
        devices.touch(userId, deviceId, Instant.now(clock));
    }

    private static String refreshToken(String sessionId) {
        return sessionId + "." + Secrets.random(REFRESH_SECRET_BYTES);
    }
}
