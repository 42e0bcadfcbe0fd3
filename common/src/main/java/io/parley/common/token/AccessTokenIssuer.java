package io.parley.common.token;

import io.smallrye.jwt.algorithm.ContentEncryptionAlgorithm;
import io.smallrye.jwt.algorithm.KeyEncryptionAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.smallrye.jwt.build.JwtEncryptionBuilder;
import java.time.Clock;
import java.util.function.Supplier;
import javax.crypto.SecretKey;

/**
 * Builds access tokens with smallrye-jwt: the claims are encrypted, not merely signed (JWE compact,
 * key wrap {@code A256KW}, content {@code A256GCM}), so a token is opaque to clients and any change to
 * it fails the GCM tag. Thread-safe.
 */
public final class AccessTokenIssuer {

    private final Supplier<TokenKeySet> keys;
    private final Clock clock;

    public AccessTokenIssuer(SecretKey key) {
        this(TokenKeySet.single(key));
    }

    public AccessTokenIssuer(TokenKeySet keys) {
        this(() -> keys, Clock.systemUTC());
    }

    /** Seals with the newest active key of whatever set {@code keys} holds at the time (see {@link TokenKeySet}). */
    public AccessTokenIssuer(Supplier<TokenKeySet> keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    public String issue(TokenClaims claims) {
        JwtClaimsBuilder builder = Jwt.claims()
                .subject(claims.subject())
                .issuedAt(claims.issuedAt())
                .expiresAt(claims.expiresAt())
                .claim(TokenClaimNames.SESSION, claims.sessionId());
        if (claims.deviceId() != null) {
            builder.claim(TokenClaimNames.DEVICE, claims.deviceId());
        }
        if (claims.appId() != null) {
            builder.claim(TokenClaimNames.APP, claims.appId());
        }
        TokenKeySet.Entry key = keys.get().sealingKey(clock.instant());
        JwtEncryptionBuilder jwe = builder.jwe()
                .keyAlgorithm(KeyEncryptionAlgorithm.A256KW)
                .contentAlgorithm(ContentEncryptionAlgorithm.A256GCM);
        if (key.kid() != null) {
            jwe.keyId(key.kid()); // verifiers pick the key by it
        }
        return jwe.encrypt(key.key());
    }
}
