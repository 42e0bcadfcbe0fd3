package io.parley.auth.rest;

import io.parley.auth.config.AuthConfig;
import io.parley.auth.service.SessionService;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.jboss.resteasy.reactive.ResponseStatus;

@Path("/api/v1/users")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class UserResource {

    public record RegisterRequest(String username, String password, String displayName) {
    }

    /** {@code {"password"}}: deleting an account asks for its password again. */
    public record DeleteRequest(String password) {
    }

    /** {@code {"users":[{"id","username","displayName"}]}}: the answer of a look-up by ids or by username. */
    public record UserList(List<UserService.User> users) {
    }

    private final UserService users;
    private final SessionService sessions;
    private final SecurityIdentity identity;
    private final AuthConfig config;

    public UserResource(UserService users, SessionService sessions, SecurityIdentity identity, AuthConfig config) {
        this.users = users;
        this.sessions = sessions;
        this.identity = identity;
        this.config = config;
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

    /**
     * Deletes the caller's account: it can no longer sign in, is no longer found, and every session of it ends —
     * its open WebSocket connections on every node are closed with 4501 within a second.
     */
    @DELETE
    @Path("/me")
    @RolesAllowed(Roles.USER)
    @ResponseStatus(204)
    public void deleteMe(DeleteRequest request) {
        if (request == null) {
            throw ApiException.invalid("a JSON body {password} is required");
        }
        long userId = Caller.claims(identity).userId();
        users.delete(userId, request.password());
        sessions.endAll(userId);
    }

    /**
     * Any signed-in user or app looks up several users at once ({@code ?ids=1,2,3}: those that exist, in the order
     * asked, each once) or one by username ({@code ?username=alice}: 0 or 1 entries). Exactly one of the two.
     */
    @GET
    @RolesAllowed({Roles.USER, Roles.APP})
    public UserList find(@QueryParam("ids") String ids, @QueryParam("username") String username) {
        if ((ids == null) == (username == null)) {
            throw ApiException.invalid("give exactly one of the query parameters ids and username");
        }
        if (ids != null) {
            return new UserList(users.byIds(UserIdsParameter.parse(ids, config.users().batchMax())));
        }
        return new UserList(users.byUsername(username).stream().toList());
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
