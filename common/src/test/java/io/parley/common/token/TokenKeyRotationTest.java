package io.parley.common.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.common.error.ErrorCode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Several keys by kid: the newest active key seals, older ones verify until they retire. */
class TokenKeyRotationTest {

    static final String OLD = "3QjGJ3j2eF7ojUUESyDbaYRiCXgTy3rAEEyS8V2oenY=";
    static final String NEW = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    private static final Instant T0 = Instant.parse("2027-01-01T00:00:00Z");
    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    private static String set(String... keys) {
        return "{\"keys\":[" + String.join(",", keys) + "]}";
    }

    private static String key(String kid, String k, String extra) {
        return "{\"kty\":\"oct\",\"kid\":\"" + kid + "\",\"k\":\"" + k + "\"" + extra + "}";
    }

    private static String kidOf(String token) throws Exception {
        JsonNode header = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))));
        return header.has("kid") ? header.get("kid").asText() : null;
    }

    private TokenClaims claims() {
        long t = now.get().getEpochSecond();
        return TokenClaims.forUser(7, "d", "s", t, t + 86_400);
    }

    @Test
    void shouldSealWithTheNewestActiveKeyAndAcceptOlderOnesUntilTheyRetire() throws Exception {
        AtomicReference<TokenKeySet> keys = new AtomicReference<>(TokenKeySet.parse(set(key("k1", OLD, ""))));
        AccessTokenIssuer issuer = new AccessTokenIssuer(keys::get, clock);
        AccessTokenVerifier verifier = new AccessTokenVerifier(keys::get, clock);
        String first = issuer.issue(claims());
        assertEquals("k1", kidOf(first));

        // k2 announced for an hour from now: every service knows it, nobody seals with it yet
        keys.set(TokenKeySet.parse(set(key("k1", OLD, ""),
                key("k2", NEW, ",\"activeFrom\":\"" + T0.plusSeconds(3600) + "\""))));
        assertEquals("k1", kidOf(issuer.issue(claims())));

        now.set(T0.plusSeconds(3600));
        String second = issuer.issue(claims());
        assertEquals("k2", kidOf(second));
        assertEquals(7, verifier.verify(second).userId());
        assertEquals(7, verifier.verify(first).userId(), "a token of the older key is accepted until it retires");

        // k1 retires on its schedule
        keys.set(TokenKeySet.parse(set(key("k1", OLD, ",\"retireAt\":\"" + T0.plusSeconds(7200) + "\""),
                key("k2", NEW, ",\"activeFrom\":\"" + T0.plusSeconds(3600) + "\""))));
        now.set(T0.plusSeconds(7199));
        TokenClaims fresh = TokenClaims.forUser(7, "d", "s", T0.getEpochSecond(), T0.getEpochSecond() + 86400);
        String longLived = new AccessTokenIssuer(TokenKeySet.parse(set(key("k1", OLD, "")))).issue(fresh);
        assertEquals(7, verifier.verify(longLived).userId());
        now.set(T0.plusSeconds(7200));
        TokenRejectedException refused = assertThrows(TokenRejectedException.class, () -> verifier.verify(longLived));
        assertEquals(ErrorCode.TOKEN_EXPIRED, refused.code(), "the client refreshes, and gets a token of k2");
        assertTrue(refused.getMessage().contains("retired"));
        assertEquals(7, verifier.verify(second).userId());
    }

    @Test
    void shouldRefuseTokensNamingAKeyTheSetDoesNotKnow() {
        String foreign = new AccessTokenIssuer(TokenKeySet.parse(set(key("other", NEW, "")))).issue(claims());
        AccessTokenVerifier verifier = new AccessTokenVerifier(TokenKeySet.parse(set(key("k1", OLD, ""))), clock);
        assertEquals(ErrorCode.TOKEN_INVALID, assertThrows(TokenRejectedException.class, () -> verifier.verify(foreign)).code());
        // the right kid with the wrong key fails the key unwrap
        String forged = new AccessTokenIssuer(TokenKeySet.parse(set(key("k1", NEW, "")))).issue(claims());
        assertEquals(ErrorCode.TOKEN_INVALID, assertThrows(TokenRejectedException.class, () -> verifier.verify(forged)).code());
    }

    @Test
    void shouldAcceptTokensSealedBeforeKeysHadIdsWithAnyKeyNotRetired() throws Exception {
        String legacy = new AccessTokenIssuer(TokenKey.fromBase64(OLD)).issue(claims());
        assertNull(kidOf(legacy));
        TokenKeySet keys = TokenKeySet.parse(set(key("k1", OLD, ""), key("k2", NEW, "")));
        assertEquals(7, new AccessTokenVerifier(keys, clock).verify(legacy).userId());
        TokenKeySet retired = TokenKeySet.parse(set(key("k1", OLD, ",\"retireAt\":\"" + T0 + "\""), key("k2", NEW, "")));
        assertThrows(TokenRejectedException.class, () -> new AccessTokenVerifier(retired, clock).verify(legacy));
    }

    @Test
    void shouldRefuseABadKeySetWithAClearReasonAndNoKeyMaterial() {
        String[][] cases = {
                {"not json", "not JSON"},
                {"{}", "non-empty \"keys\""},
                {set(key("", OLD, "")), "kid"},
                {set(key("a b", OLD, "")), "kid"},
                {set(key("k1", OLD, ""), key("k1", NEW, "")), "twice"},
                {set(key("k1", "c2hvcnQ=", "")), "32 bytes"},
                {set(key("k1", OLD, ",\"retireAt\":\"tomorrow\"")), "ISO-8601"},
                {set(key("k1", OLD, ",\"activeFrom\":\"2027-01-02T00:00:00Z\",\"retireAt\":\"2027-01-01T00:00:00Z\"")),
                        "after activeFrom"},
                {set("{\"kty\":\"RSA\",\"kid\":\"k1\",\"k\":\"" + OLD + "\"}"), "oct"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenKeySet.parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertTrue(!e.getMessage().contains(OLD) && !e.getMessage().contains(NEW), e.getMessage());
        }
        TokenKeySet allRetired = TokenKeySet.parse(set(key("k1", OLD, ",\"retireAt\":\"" + T0 + "\"")));
        assertTrue(allRetired.problemAt(T0).contains("no token key can seal"));
        assertNull(allRetired.problemAt(T0.minusSeconds(1)));
    }
}
