package io.parley.auth.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.parley.auth.service.SessionService;
import io.parley.common.error.ApiException;
import io.parley.common.token.TokenClaims;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/api/v1/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TokenResource {

    public record IntrospectRequest(String token) {
    }

    /** {@code {"active":false}} or the live token's claims; {@code app} is set for app tokens. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Introspection(boolean active, String sub, String did, String sid, Long exp, String app) {
        static final Introspection INACTIVE = new Introspection(false, null, null, null, null, null);

        static Introspection of(TokenClaims c) {
            return new Introspection(true, c.subject(), c.deviceId(), c.sessionId(), c.expiresAt(), c.appId());
        }
    }

    private final SessionService sessions;

    public TokenResource(SessionService sessions) {
        this.sessions = sessions;
    }

    @POST
    @Path("/introspect")
    public Introspection introspect(IntrospectRequest request) {
        if (request == null) {
            throw ApiException.invalid("a JSON body {token} is required");
        }
        return sessions.introspect(request.token()).map(Introspection::of).orElse(Introspection.INACTIVE);
    }
}
