package io.parley.auth.rest;

import io.parley.auth.service.SessionService;
import io.parley.common.error.ApiException;
import io.parley.common.openapi.ApiDocs;
import io.parley.common.security.Caller;
import io.parley.common.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

@Tag(name = "sessions", description = "Sign in, refresh, sign out (one session per device)")
@Path("/api/v1/sessions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SessionResource {

    public record LoginRequest(String username, String password, String deviceId) {
    }

    public record RefreshRequest(String refreshToken) {
    }

    /** The contract's login/refresh answer. */
    public record SessionResponse(String accessToken, String refreshToken, String tokenType, long expiresIn,
                                  long userId, String sessionId) {
        static SessionResponse of(SessionService.IssuedSession s) {
            return new SessionResponse(s.accessToken(), s.refreshToken(), "Bearer", s.expiresIn(), s.userId(),
                    s.sessionId());
        }
    }

    private final SessionService sessions;
    private final SecurityIdentity identity;

    public SessionResource(SessionService sessions, SecurityIdentity identity) {
        this.sessions = sessions;
        this.identity = identity;
    }

    @Operation(summary = "Sign in: open a session for a device", description = "deviceId 1-64 of [A-Za-z0-9_.:-].")
    @APIResponse(responseCode = "201",
            description = "{\"accessToken\",\"refreshToken\",\"tokenType\":\"Bearer\",\"expiresIn\",\"userId\","
            + "\"sessionId\"}")
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_BODY)
    @APIResponse(responseCode = "401",
            description = "`BAD_CREDENTIALS`: wrong username or password (the same answer for both)")
    @APIResponse(responseCode = "413", description = ApiDocs.TOO_LARGE)
    @APIResponse(responseCode = "429",
            description = "`RATE_LIMITED`: too many attempts for this username or client address; "
            + ApiDocs.RATE_LIMITED)
    @POST
    @ResponseStatus(201)
    public SessionResponse login(LoginRequest request, @Context HttpServerRequest http) {
        if (request == null) {
            throw ApiException.invalid("a JSON body {username, password, deviceId} is required");
        }
        String address = http.remoteAddress() == null ? "unknown" : http.remoteAddress().hostAddress();
        return SessionResponse.of(sessions.login(request.username(), request.password(), request.deviceId(), address));
    }

    @Operation(summary = "Refresh: a new access and refresh token for the session",
            description = "The old refresh token stops working; presenting it again revokes the whole session (it "
            + "was copied).")
    @APIResponse(responseCode = "200", description = "the same shape as sign-in")
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_BODY)
    @APIResponse(responseCode = "401", description = "`REFRESH_TOKEN_INVALID`: unknown, expired or already used")
    @POST
    @Path("/refresh")
    public SessionResponse refresh(RefreshRequest request) {
        if (request == null) {
            throw ApiException.invalid("a JSON body {refreshToken} is required");
        }
        return SessionResponse.of(sessions.refresh(request.refreshToken()));
    }

    @Operation(summary = "Sign out: end the current session",
            description = "Every service refuses its tokens within 1 s; its open WebSocket connections get 4501.")
    @SecurityRequirement(name = ApiDocs.USER_TOKEN)
    @APIResponse(responseCode = "204", description = ApiDocs.NO_CONTENT)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.USER_ONLY)
    @DELETE
    @Path("/current")
    @RolesAllowed(Roles.USER)
    public void logout() {
        sessions.logout(Caller.claims(identity).userId(), Caller.claims(identity).sessionId());
    }
}
