package io.parley.common.token;

import io.parley.common.error.ErrorCode;
import java.time.Clock;
import java.util.Map;
import javax.crypto.SecretKey;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwe.ContentEncryptionAlgorithmIdentifiers;
import org.jose4j.jwe.JsonWebEncryption;
import org.jose4j.jwe.KeyManagementAlgorithmIdentifiers;
import org.jose4j.json.JsonUtil;
import org.jose4j.lang.JoseException;

/**
 * Verifies access tokens locally — no network call — so every service and every WebSocket upgrade can
 * afford it (a reconnect storm of thousands of clients must not stall a node). Decrypts with jose4j,
 * the JOSE library smallrye-jwt itself is built on, pinned to {@code A256KW}/{@code A256GCM} so a token
 * cannot choose a weaker algorithm. Revocation is a separate, cached Redis lookup
 * ({@code SessionRevocationCache}). Thread-safe.
 */
public final class AccessTokenVerifier {

    private static final AlgorithmConstraints KEY_ALGORITHMS = new AlgorithmConstraints(
            AlgorithmConstraints.ConstraintType.PERMIT, KeyManagementAlgorithmIdentifiers.A256KW);
    private static final AlgorithmConstraints CONTENT_ALGORITHMS = new AlgorithmConstraints(
            AlgorithmConstraints.ConstraintType.PERMIT, ContentEncryptionAlgorithmIdentifiers.AES_256_GCM);
    /** Compact JWE tokens we issue are ~300 characters; anything far larger is refused before any crypto. */
    private static final int MAX_TOKEN_LENGTH = 4096;

    private final SecretKey key;
    private final Clock clock;

    public AccessTokenVerifier(SecretKey key) {
        this(key, Clock.systemUTC());
    }

    public AccessTokenVerifier(SecretKey key, Clock clock) {
        this.key = key;
        this.clock = clock;
    }

    public TokenClaims verify(String token) throws TokenRejectedException {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            throw new TokenRejectedException(ErrorCode.TOKEN_INVALID, "access token is missing or malformed");
        }
        Map<String, Object> claims;
        try {
            JsonWebEncryption jwe = new JsonWebEncryption();
            jwe.setAlgorithmConstraints(KEY_ALGORITHMS);
            jwe.setContentEncryptionAlgorithmConstraints(CONTENT_ALGORITHMS);
            jwe.setCompactSerialization(token);
            jwe.setKey(key);
            claims = JsonUtil.parseJson(jwe.getPayload());
        } catch (JoseException | RuntimeException e) {
            throw new TokenRejectedException(ErrorCode.TOKEN_INVALID, "access token is invalid");
        }
        TokenClaims parsed = toClaims(claims);
        if (clock.millis() / 1000 >= parsed.expiresAt()) {
            throw new TokenRejectedException(ErrorCode.TOKEN_EXPIRED, "access token has expired");
        }
        return parsed;
    }

    private static TokenClaims toClaims(Map<String, Object> claims) throws TokenRejectedException {
        Object sub = claims.get("sub");
        Object sid = claims.get(TokenClaimNames.SESSION);
        Object iat = claims.get("iat");
        Object exp = claims.get("exp");
        if (!(sub instanceof String subject) || !(sid instanceof String session)
                || !(iat instanceof Number issued) || !(exp instanceof Number expires)) {
            throw new TokenRejectedException(ErrorCode.TOKEN_INVALID, "access token lacks required claims");
        }
        Object app = claims.get(TokenClaimNames.APP);
        if (app instanceof String appId) {
            return TokenClaims.forApp(appId, session, issued.longValue(), expires.longValue());
        }
        long userId;
        try {
            userId = Long.parseLong(subject);
        } catch (NumberFormatException e) {
            throw new TokenRejectedException(ErrorCode.TOKEN_INVALID, "access token subject is not a user");
        }
        Object did = claims.get(TokenClaimNames.DEVICE);
        return TokenClaims.forUser(userId, did instanceof String d ? d : null, session,
                issued.longValue(), expires.longValue());
    }
}
