package io.parley.common.security;

import io.parley.common.error.TokenFailures;
import io.parley.common.token.TokenRejectedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Turns a Bearer token into a {@link SecurityIdentity} through {@link TokenAuthenticator} (local decrypt, then
 * the cached revocation lookup).
 * Users get role {@value Roles#USER}, tenant app tokens {@value Roles#APP}; the claims travel as the
 * identity attribute {@value #CLAIMS_ATTRIBUTE}.
 */
@ApplicationScoped
public class AccessTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    public static final String CLAIMS_ATTRIBUTE = "parley.claims";

    private final TokenAuthenticator tokens;

    public AccessTokenIdentityProvider(TokenAuthenticator tokens) {
        this.tokens = tokens;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        return tokens.authenticate(request.getToken().getToken())
                .onFailure(TokenRejectedException.class).transform(e -> {
                    TokenRejectedException rejected = (TokenRejectedException) e;
                    return TokenFailures.failure(rejected.code(), rejected.getMessage());
                })
                .map(claims -> {
            return (SecurityIdentity) QuarkusSecurityIdentity.builder()
                    .setPrincipal(new QuarkusPrincipal(claims.subject()))
                    .addRole(claims.isApp() ? Roles.APP : Roles.USER)
                    .addAttribute(CLAIMS_ATTRIBUTE, claims)
                    .addCredential(request.getToken())
                    .build();
                });
    }
}
