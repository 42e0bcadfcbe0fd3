package io.parley.common.security;

import io.parley.common.token.AccessTokenIssuer;
import io.parley.common.token.AccessTokenVerifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;

/**
 * Makes the token issuer and verifier injectable. Both read the keys from {@link TokenKeyRing} on every call, so a
 * reloaded key set takes effect at once; the keys are read and checked at start.
 */
@ApplicationScoped
public class TokenBeans {

    private final TokenKeyRing keys;

    public TokenBeans(TokenKeyRing keys) {
        this.keys = keys;
    }

    @Produces
    @ApplicationScoped
    AccessTokenVerifier verifier() {
        return new AccessTokenVerifier(keys, Clock.systemUTC());
    }

    @Produces
    @ApplicationScoped
    AccessTokenIssuer issuer() {
        return new AccessTokenIssuer(keys, Clock.systemUTC());
    }
}
