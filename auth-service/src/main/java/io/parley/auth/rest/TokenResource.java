package io.parley.auth.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.parley.auth.service.SessionService;
import io.parley.common.error.ApiException;
import io.parley.common.openapi.ApiDocs;
import io.parley.common.token.TokenClaims;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Tag(name = "tokens", description = "Token introspection for other backends")
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

    @Operation(summary = "Introspect an access token")
    @APIResponse(responseCode = "200",
            description = "{\"active\":true,\"sub\",\"did\",\"sid\",\"exp\"} (+ \"app\" for app tokens) while the "
            + "token and its session are live; otherwise {\"active\":false}")
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_BODY)
    @POST
    @Path("/introspect")
    public Introspection introspect(IntrospectRequest request) {
        if (request == null) {
            throw ApiException.invalid("a JSON body {token} is required");
        }
        return sessions.introspect(request.token()).map(Introspection::of).orElse(Introspection.INACTIVE);
    }
}
