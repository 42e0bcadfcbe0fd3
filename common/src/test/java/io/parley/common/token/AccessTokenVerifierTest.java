package io.parley.common.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.common.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;

class AccessTokenVerifierTest {

    private static final SecretKey KEY = TokenKey.fromBase64("3QjGJ3j2eF7ojUUESyDbaYRiCXgTy3rAEEyS8V2oenY=");
    private static final SecretKey OTHER_KEY = TokenKey.fromBase64("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    private static final long NOW = 1_800_000_000L;
    private final AccessTokenIssuer issuer = new AccessTokenIssuer(KEY);
    private final AccessTokenVerifier verifier = new AccessTokenVerifier(KEY,
            Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));

    @Test
    void shouldVerifyWhatSmallryeJwtBuilds() throws TokenRejectedException {
        TokenClaims claims = verifier.verify(issuer.issue(TokenClaims.forUser(42, "phone", "s1", NOW - 10, NOW + 60)));
        assertEquals(42, claims.userId());
        assertEquals("42", claims.subject());
        assertEquals("phone", claims.deviceId());
        assertEquals("s1", claims.sessionId());
        assertEquals(NOW - 10, claims.issuedAt());
        assertEquals(NOW + 60, claims.expiresAt());
        assertNull(claims.appId());
    }

    @Test
    void shouldVerifyAppTokens() throws TokenRejectedException {
        TokenClaims claims = verifier.verify(issuer.issue(TokenClaims.forApp("app_x", "app.app_x", NOW, NOW + 60)));
        assertTrue(claims.isApp());
        assertEquals("app_x", claims.appId());
        assertEquals("app:app_x", claims.subject());
    }

    @Test
    void shouldRefuseEveryAlteredByte() {
        String token = issuer.issue(TokenClaims.forUser(7, "d", "s", NOW, NOW + 60));
        // Flip each character in turn (skipping the dots): none may verify, and none may crash the verifier.
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                continue;
            }
            String altered = token.substring(0, i) + (c == 'A' ? 'B' : 'A') + token.substring(i + 1);
            int position = i;
            TokenRejectedException e = assertThrows(TokenRejectedException.class, () -> verifier.verify(altered),
                    "altered at " + position);
            assertEquals(ErrorCode.TOKEN_INVALID, e.code());
        }
    }

    @Test
    void shouldRefuseExpiredTokens() {
        String token = issuer.issue(TokenClaims.forUser(7, "d", "s", NOW - 120, NOW - 1));
        assertEquals(ErrorCode.TOKEN_EXPIRED, assertThrows(TokenRejectedException.class, () -> verifier.verify(token)).code());
    }

    @Test
    void shouldRefuseTokensOfAnotherKeyAndGarbage() {
        String foreign = new AccessTokenIssuer(OTHER_KEY).issue(TokenClaims.forUser(7, "d", "s", NOW, NOW + 60));
        for (String bad : new String[] {foreign, "", "a.b.c.d.e", "a.b.c.d.e.f", "....", "x".repeat(5000)}) {
            assertEquals(ErrorCode.TOKEN_INVALID, assertThrows(TokenRejectedException.class, () -> verifier.verify(bad)).code());
        }
        assertEquals(ErrorCode.TOKEN_INVALID, assertThrows(TokenRejectedException.class, () -> verifier.verify(null)).code());
    }

    @Test
    void shouldRefuseOtherAlgorithmsInTheHeader() {
        String token = issuer.issue(TokenClaims.forUser(7, "d", "s", NOW, NOW + 60));
        String header = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"alg\":\"dir\",\"enc\":\"A256GCM\"}".getBytes(StandardCharsets.UTF_8));
        String swapped = header + token.substring(token.indexOf('.'));
        assertThrows(TokenRejectedException.class, () -> verifier.verify(swapped));
    }

    @Test
    void keyMustBe256Bits() {
        assertThrows(IllegalArgumentException.class, () -> TokenKey.fromBase64("c2hvcnQ="));
        assertThrows(IllegalArgumentException.class, () -> TokenKey.fromBase64("not base64 !!"));
        assertThrows(IllegalArgumentException.class, () -> TokenKey.fromBase64(""));
    }
}
