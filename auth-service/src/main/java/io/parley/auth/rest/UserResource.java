package io.parley.auth.rest;

import io.parley.auth.service.UserService;
import io.parley.common.error.ApiException;
import io.parley.common.security.Caller;
import io.parley.common.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.ResponseStatus;

@Path("/api/v1/users")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class UserResource {

    public record RegisterRequest(String username, String password, String displayName) {
    }

    private final UserService users;
    private final SecurityIdentity identity;

    public UserResource(UserService users, SecurityIdentity identity) {
        this.users = users;
        this.identity = identity;
    }

    @POST
    @ResponseStatus(201)
    public UserService.User register(RegisterRequest request) {
        if (request == null) {
            throw ApiException.invalid("a JSON body {username, password, displayName?} is required");
        }
        return users.register(request.username(), request.password(), request.displayName());
    }

    @GET
    @Path("/me")
    @RolesAllowed(Roles.USER)
    public UserService.User me() {
        return users.byId(Caller.claims(identity).userId());
    }
}
