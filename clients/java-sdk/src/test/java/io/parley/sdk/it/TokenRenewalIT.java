package io.parley.sdk.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.parley.common.token.AccessTokenIssuer;
import io.parley.common.token.TokenClaims;
import io.parley.common.token.SessionKeys;
import io.parley.common.token.TokenKey;
import io.parley.sdk.ParleyClient;
import io.parley.sdk.auth.AppTokenSource;
import io.parley.sdk.auth.TokenSource;
import io.parley.sdk.error.AuthenticationException;
import io.parley.sdk.error.ErrorCodes;
import io.parley.sdk.it.TestPlatform.App;
import io.parley.testsupport.LocalPlatform;
import io.parley.testsupport.RedisServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * App tokens renew by themselves: ahead of {@code expiresIn} (judged by the SDK's clock, moved forward here instead of
 * waiting an hour), and once when the server answers 401 {@code TOKEN_EXPIRED} (a token really expired, made with the
 * platform's test token key, instead of waiting for one to run out) or {@code TOKEN_REVOKED} (the app's session
 * deleted from Redis).
 */
class TokenRenewalIT {

    @Test
    void aTokenIsReplacedRenewAheadBeforeItsExpiry() {
        MovableClock clock = new MovableClock();
        ParleyClient parley = TestPlatform.clientOf(TestPlatform.createApp()).clock(clock)
                .tokenRenewAhead(Duration.ofSeconds(60)).build();
        AppTokenSource tokens = (AppTokenSource) parley.tokens();

        parley.access().get();
        String first = tokens.token();
        assertEquals(1, tokens.tokensTaken());
        Duration lifetime = Duration.between(clock.instant(), tokens.renewAt()).plusSeconds(60);
        assertEquals(Duration.ofHours(1), lifetime, "auth-service's default app token lifetime (PARLEY_TOKEN_APP_TOKEN_TTL, 1H)");

        clock.advance(lifetime.minusSeconds(61));
        parley.access().get();
        assertEquals(1, tokens.tokensTaken(), "61 s before expiry the token is still used");
        assertEquals(first, tokens.token());

        clock.advance(Duration.ofSeconds(2));
        parley.access().get();
        assertEquals(2, tokens.tokensTaken(), "59 s before expiry a fresh token is taken");
        String second = tokens.token();
        assertNotEquals(first, second);

        tokens.rejected(first);
        assertEquals(second, tokens.token(), "a report about an older token changes nothing");
        tokens.rejected(second);
        assertNotEquals(second, tokens.token());
        assertEquals(3, tokens.tokensTaken());
    }

    @Test
    void aTokenExpiredOnTheServerIsRenewedOnceAndTheCallSucceeds() {
        App app = TestPlatform.createApp();
        ParleyClient real = TestPlatform.clientOf(app).build();
        ExpiredFirst tokens = new ExpiredFirst(real.tokens(), expiredTokenOf(app), 1);
        ParleyClient parley = TestPlatform.clientOf(app).tokenSource(tokens).build();

        // a publication is not repeatable, yet a 401 TOKEN_EXPIRED proves it was not taken: sent again
        String id = parley.topics().publish("news", "after a renewal");

        assertNotEquals("", id);
        assertEquals(List.of(tokens.expired), tokens.reported);
        assertEquals(2, tokens.handedOut.get());
    }

    @Test
    void aTokenSourceThatKeepsHandingOutExpiredTokensFailsAfterOneRenewal() {
        App app = TestPlatform.createApp();
        ExpiredFirst tokens = new ExpiredFirst(null, expiredTokenOf(app), Integer.MAX_VALUE);
        ParleyClient parley = TestPlatform.clientOf(app).tokenSource(tokens).build();

        AuthenticationException e = assertThrows(AuthenticationException.class, () -> parley.access().get());
        assertEquals(ErrorCodes.TOKEN_EXPIRED, e.code());
        assertEquals(401, e.status());
        assertEquals(2, tokens.handedOut.get(), "one renewal, no loop");
    }

    @Test
    void aTokenWhoseSessionIsGoneIsRenewedOnce() {
        App app = TestPlatform.createApp();
        ParleyClient parley = TestPlatform.clientOf(app).build();
        AppTokenSource tokens = (AppTokenSource) parley.tokens();
        parley.access().get();
        assertEquals(1, tokens.tokensTaken());

        // as after a Redis that lost its data: the app's session is gone, its tokens are refused as revoked
        RedisServer.shared().commandArgs("DEL", SessionKeys.session("app." + app.appId()));

        // Each service caches a session's state for up to 500 ms: calls still pass with the old token for a moment,
        // then one is refused as revoked and takes a fresh token, which may itself be refused until the cached
        // 'revoked' runs out — so: until a call succeeds after a renewal.
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            parley.access().get();
            return tokens.tokensTaken() >= 2;
        });
        long taken = tokens.tokensTaken();
        parley.access().get();
        assertEquals(taken, tokens.tokensTaken(), "the fresh token re-created the session and stays accepted");
    }

    /** An app token of {@code app} that expired an hour ago, as auth-service would have issued it then. */
    private static String expiredTokenOf(App app) {
        long now = System.currentTimeMillis() / 1000;
        return new AccessTokenIssuer(TokenKey.fromBase64(LocalPlatform.TOKEN_KEY))
                .issue(TokenClaims.forApp(app.appId(), "app." + app.appId(), now - 7200, now - 3600));
    }

    /** Hands out an expired token the first {@code expiredTimes} times, then the real source's. */
    private static final class ExpiredFirst implements TokenSource {
        final TokenSource real;
        final String expired;
        final int expiredTimes;
        final AtomicInteger handedOut = new AtomicInteger();
        final List<String> reported = new CopyOnWriteArrayList<>();

        ExpiredFirst(TokenSource real, String expired, int expiredTimes) {
            this.real = real;
            this.expired = expired;
            this.expiredTimes = expiredTimes;
        }

        @Override
        public String token() {
            return handedOut.incrementAndGet() <= expiredTimes ? expired : real.token();
        }

        @Override
        public void rejected(String token) {
            reported.add(token);
            if (real != null) {
                real.rejected(token);
            }
        }
    }

    /** A clock the test moves forward. */
    private static final class MovableClock extends Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
