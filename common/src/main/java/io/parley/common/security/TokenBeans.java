package io.parley.common.security;

import io.parley.common.config.TokenConfig;
import io.parley.common.token.AccessTokenIssuer;
import io.parley.common.token.AccessTokenVerifier;
import io.parley.common.token.TokenKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import javax.crypto.SecretKey;

/** Makes the token key, issuer and verifier injectable; the key is read and checked once at start. */
@ApplicationScoped
public class TokenBeans {

    private final SecretKey key;

    public TokenBeans(TokenConfig config) {
        this.key = TokenKey.fromBase64(config.key());
    }

    @Produces
    @ApplicationScoped
    AccessTokenVerifier verifier() {
        return new AccessTokenVerifier(key);
    }

    @Produces
    @ApplicationScoped
    AccessTokenIssuer issuer() {
        return new AccessTokenIssuer(key);
    }
}
