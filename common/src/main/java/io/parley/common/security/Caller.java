package io.parley.common.security;

import io.parley.common.token.TokenClaims;
import io.quarkus.security.identity.SecurityIdentity;

/** Reads the verified token claims of the current caller. */
public final class Caller {

    private Caller() {
    }

    public static TokenClaims claims(SecurityIdentity identity) {
        return identity.getAttribute(AccessTokenIdentityProvider.CLAIMS_ATTRIBUTE);
    }
}
