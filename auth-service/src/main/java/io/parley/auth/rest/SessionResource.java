package io.parley.auth.rest;

import io.parley.auth.service.SessionService;
import io.parley.common.error.ApiException;
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
import org.jboss.resteasy.reactive.ResponseStatus;

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

    @POST
    @ResponseStatus(201)
    public SessionResponse login(LoginRequest request, @Context HttpServerRequest http) {
        if (request == null) {
            throw ApiException.invalid("a JSON body {username, password, deviceId} is required");
        }
        String address = http.remoteAddress() == null ? "unknown" : http.remoteAddress().hostAddress();
        return SessionResponse.of(sessions.login(request.username(), request.password(), request.deviceId(), address));
    }

    @POST
    @Path("/refresh")
    public SessionResponse refresh(RefreshRequest request) {
        if (request == null) {
            throw ApiException.invalid("a JSON body {refreshToken} is required");
        }
        return SessionResponse.of(sessions.refresh(request.refreshToken()));
    }

    @DELETE
    @Path("/current")
    @RolesAllowed(Roles.USER)
    public void logout() {
        sessions.logout(Caller.claims(identity).userId(), Caller.claims(identity).sessionId());
    }
}
