package io.parley.common.security;

import io.parley.common.error.ErrorCode;
import io.parley.common.token.AccessTokenVerifier;
import io.parley.common.token.TokenClaims;
import io.parley.common.token.TokenRejectedException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one check every entry point makes of a token: decrypted and unexpired (locally, microseconds), and its
 * session still live (the cached Redis lookup). Fails with a {@link TokenRejectedException} naming why.
 */
@ApplicationScoped
public class TokenAuthenticator {

    private final AccessTokenVerifier verifier;
    private final SessionRevocationCache revocations;

    public TokenAuthenticator(AccessTokenVerifier verifier, SessionRevocationCache revocations) {
        this.verifier = verifier;
        this.revocations = revocations;
    }

    public Uni<TokenClaims> authenticate(String token) {
        TokenClaims claims;
        try {
            claims = verifier.verify(token);
        } catch (TokenRejectedException e) {
            return Uni.createFrom().failure(e);
        }
        return revocations.isLive(claims.sessionId()).flatMap(live -> live
                ? Uni.createFrom().item(claims)
                : Uni.createFrom().failure(new TokenRejectedException(ErrorCode.TOKEN_REVOKED,
                        "the token's session was revoked")));
    }
}
