package io.parley.notify.support;

import io.parley.common.token.AccessTokenIssuer;
import io.parley.common.token.SessionKeys;
import io.parley.common.token.TokenClaims;
import io.parley.testsupport.RedisServer;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Users and tokens for tests that share one Redis and one database: every id is fresh. */
public final class TestTokens {

    public static final String TOKEN_KEY = "3QjGJ3j2eF7ojUUESyDbaYRiCXgTy3rAEEyS8V2oenY=";

    private TestTokens() {
    }

    /** A user id no other test uses (random, 10 digits). */
    public static long newUserId() {
        return ThreadLocalRandom.current().nextLong(3_000_000_000L, 9_999_999_999L);
    }

    public static String newAppId() {
        return "app-" + UUID.randomUUID().toString().substring(0, 12);
    }

    /** A valid user access token with a live session in Redis. */
    public static String user(AccessTokenIssuer issuer, long user) {
        String session = liveSession();
        long now = System.currentTimeMillis() / 1000;
        return issuer.issue(TokenClaims.forUser(user, "test-device", session, now, now + 900));
    }

    /** A valid user access token for one device ({@code did}) with a live session in Redis. */
    public static String user(AccessTokenIssuer issuer, long user, String device) {
        String session = liveSession();
        long now = System.currentTimeMillis() / 1000;
        return issuer.issue(TokenClaims.forUser(user, device, session, now, now + 900));
    }

    /** A valid user access token for one device of a given session (see {@link #liveSession}). */
    public static String user(AccessTokenIssuer issuer, long user, String device, String session) {
        long now = System.currentTimeMillis() / 1000;
        return issuer.issue(TokenClaims.forUser(user, device, session, now, now + 900));
    }

    /** A valid app token with a live session in Redis. */
    public static String app(AccessTokenIssuer issuer, String appId) {
        String session = liveSession();
        long now = System.currentTimeMillis() / 1000;
        return issuer.issue(TokenClaims.forApp(appId, session, now, now + 3600));
    }

    /** A new session, live in Redis as auth-service keeps it; returns its id. */
    public static String liveSession() {
        String session = UUID.randomUUID().toString();
        RedisServer.shared().command("HSET " + SessionKeys.session(session) + " user 1");
        return session;
    }
}
