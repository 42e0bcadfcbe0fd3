package io.parley.common.token;

import io.parley.common.error.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.function.Supplier;
import javax.crypto.SecretKey;

/**
 * Verifies access tokens locally — no network call — so every service and every WebSocket upgrade can
 * afford it (a reconnect storm of thousands of clients must not stall a node). Only {@code A256KW} /
 * {@code A256GCM} tokens are accepted, so a token cannot choose a weaker algorithm (see
 * {@link A256KwGcmDecryptor} for why this does not go through a JOSE library). Revocation is a separate, cached Redis lookup
 * ({@code SessionRevocationCache}). Thread-safe.
 */
public final class AccessTokenVerifier {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Compact JWE tokens we issue are ~300 characters; anything far larger is refused before any crypto. */
    private static final int MAX_TOKEN_LENGTH = 4096;

    private final Supplier<TokenKeySet> keys;
    private final Clock clock;

    public AccessTokenVerifier(SecretKey key) {
        this(key, Clock.systemUTC());
    }

    public AccessTokenVerifier(SecretKey key, Clock clock) {
        this(TokenKeySet.single(key), clock);
    }

    public AccessTokenVerifier(TokenKeySet keys, Clock clock) {
        this(() -> keys, clock);
    }

    /** Verifies with whatever key set {@code keys} holds at the time (it may be replaced while running). */
    public AccessTokenVerifier(Supplier<TokenKeySet> keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    public TokenClaims verify(String token) throws TokenRejectedException {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            throw new TokenRejectedException(ErrorCode.TOKEN_INVALID, "access token is missing or malformed");
        }
        JsonNode claims;
        try {
            claims = JSON.readTree(A256KwGcmDecryptor.decrypt(token, keys.get(), clock.instant()));
        } catch (A256KwGcmDecryptor.RetiredKeyException e) {
            // TOKEN_EXPIRED, not INVALID: clients answer it by refreshing, which seals a new token with a current key
            throw new TokenRejectedException(ErrorCode.TOKEN_EXPIRED, "access token was sealed with a retired key: refresh it");
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new TokenRejectedException(ErrorCode.TOKEN_INVALID, "access token is invalid");
        }
        TokenClaims parsed = toClaims(claims);
        if (clock.millis() / 1000 >= parsed.expiresAt()) {
            throw new TokenRejectedException(ErrorCode.TOKEN_EXPIRED, "access token has expired");
        }
        return parsed;
    }

    private static TokenClaims toClaims(JsonNode claims) throws TokenRejectedException {
        JsonNode sub = claims == null ? null : claims.get("sub");
        JsonNode sid = claims == null ? null : claims.get(TokenClaimNames.SESSION);
        JsonNode iat = claims == null ? null : claims.get("iat");
        JsonNode exp = claims == null ? null : claims.get("exp");
        if (sub == null || !sub.isTextual() || sid == null || !sid.isTextual()
                || iat == null || !iat.isNumber() || exp == null || !exp.isNumber()) {
            throw new TokenRejectedException(ErrorCode.TOKEN_INVALID, "access token lacks required claims");
        }
        JsonNode app = claims.get(TokenClaimNames.APP);
        if (app != null && app.isTextual()) {
            return TokenClaims.forApp(app.asText(), sid.asText(), iat.asLong(), exp.asLong());
        }
        long userId;
        try {
            userId = Long.parseLong(sub.asText());
        } catch (NumberFormatException e) {
            throw new TokenRejectedException(ErrorCode.TOKEN_INVALID, "access token subject is not a user");
        }
        JsonNode did = claims.get(TokenClaimNames.DEVICE);
        return TokenClaims.forUser(userId, did != null && did.isTextual() ? did.asText() : null, sid.asText(),
                iat.asLong(), exp.asLong());
    }
}
