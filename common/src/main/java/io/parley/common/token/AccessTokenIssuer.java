package io.parley.common.token;

import io.smallrye.jwt.algorithm.ContentEncryptionAlgorithm;
import io.smallrye.jwt.algorithm.KeyEncryptionAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import javax.crypto.SecretKey;

/**
 * Builds access tokens with smallrye-jwt: the claims are encrypted, not merely signed (JWE compact,
 * key wrap {@code A256KW}, content {@code A256GCM}), so a token is opaque to clients and any change to
 * it fails the GCM tag. Thread-safe.
 */
public final class AccessTokenIssuer {

    private final SecretKey key;

    public AccessTokenIssuer(SecretKey key) {
        this.key = key;
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
        return builder.jwe()
                .keyAlgorithm(KeyEncryptionAlgorithm.A256KW)
                .contentAlgorithm(ContentEncryptionAlgorithm.A256GCM)
                .encrypt(key);
    }
}
