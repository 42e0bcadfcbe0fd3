package io.parley.chat.support;

import io.parley.common.id.Id34;
import io.parley.common.token.AccessTokenIssuer;
import io.parley.common.token.SessionKeys;
import io.parley.common.token.TokenClaims;
import io.parley.testsupport.RedisServer;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Users, tokens and message ids for tests that share one Redis and one database: every id is fresh. */
public final class TestUsers {

    private static final AtomicLong SEQUENCE = new AtomicLong(ThreadLocalRandom.current().nextLong(1, 9_000_000_000L));

    private TestUsers() {
    }

    /** A user id no other test uses (random, 10 digits, above 2^31 so JSON readers see a long). */
    public static long newUserId() {
        return ThreadLocalRandom.current().nextLong(3_000_000_000L, 9_999_999_999L);
    }

    /** A valid access token for the user, with a live session in Redis (the revocation check passes). */
    public static String token(AccessTokenIssuer issuer, long user) {
        String session = UUID.randomUUID().toString();
        RedisServer.shared().command("HSET " + SessionKeys.session(session) + " user " + user);
        long now = System.currentTimeMillis() / 1000;
        return issuer.issue(TokenClaims.forUser(user, "test-device", session, now, now + 900));
    }

    /** A valid access token for one device ({@code did}) of the user, with a live session in Redis. */
    public static String token(AccessTokenIssuer issuer, long user, String device) {
        String session = UUID.randomUUID().toString();
        RedisServer.shared().command("HSET " + SessionKeys.session(session) + " user " + user);
        long now = System.currentTimeMillis() / 1000;
        return issuer.issue(TokenClaims.forUser(user, device, session, now, now + 900));
    }

    /** A fresh 34-character message id of the user. */
    public static String messageId(long user) {
        return Id34.format(Id34.timePrefix(System.currentTimeMillis() / 1000), user, SEQUENCE.incrementAndGet());
    }
}
