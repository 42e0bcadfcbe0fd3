package io.parley.auth.rest;

import io.parley.auth.service.UserService;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.common.security.Caller;
import io.parley.common.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
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

    /** Any signed-in user or app may look a user up (chat-service checks that a recipient exists); 404 if unknown. */
    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.USER, Roles.APP})
    public UserService.User byId(@PathParam("id") String id) {
        long userId;
        try {
            userId = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new ApiException(ErrorCode.INVALID_ID, "not a user id: a positive integer of at most 10 digits");
        }
        if (userId <= 0 || userId > 9_999_999_999L) {
            throw new ApiException(ErrorCode.INVALID_ID, "not a user id: a positive integer of at most 10 digits");
        }
        return users.byId(userId);
    }
}
