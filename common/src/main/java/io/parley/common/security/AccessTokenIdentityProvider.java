package io.parley.common.security;

import io.parley.common.error.ErrorCode;
import io.parley.common.token.AccessTokenVerifier;
import io.parley.common.token.TokenClaims;
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
 * Turns a Bearer token into a {@link SecurityIdentity}: decrypts and checks it locally (microseconds, fine
 * on the event loop), then asks the cached revocation lookup whether its session is still live.
 * Users get role {@value Roles#USER}, tenant app tokens {@value Roles#APP}; the claims travel as the
 * identity attribute {@value #CLAIMS_ATTRIBUTE}.
 */
@ApplicationScoped
public class AccessTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    public static final String CLAIMS_ATTRIBUTE = "parley.claims";

    private final AccessTokenVerifier verifier;
    private final SessionRevocationCache revocations;

    public AccessTokenIdentityProvider(AccessTokenVerifier verifier, SessionRevocationCache revocations) {
        this.verifier = verifier;
        this.revocations = revocations;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        TokenClaims claims;
        try {
            claims = verifier.verify(request.getToken().getToken());
        } catch (TokenRejectedException e) {
            return Uni.createFrom().failure(TokenFailures.failure(e.code(), e.getMessage()));
        }
        return revocations.isLive(claims.sessionId()).map(live -> {
            if (!live) {
                throw TokenFailures.failure(ErrorCode.TOKEN_REVOKED, "the token's session was revoked");
            }
            return (SecurityIdentity) QuarkusSecurityIdentity.builder()
                    .setPrincipal(new QuarkusPrincipal(claims.subject()))
                    .addRole(claims.isApp() ? Roles.APP : Roles.USER)
                    .addAttribute(CLAIMS_ATTRIBUTE, claims)
                    .addCredential(request.getToken())
                    .build();
        });
    }
}
