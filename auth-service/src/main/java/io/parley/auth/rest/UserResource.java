package io.parley.auth.rest;

import io.parley.auth.config.AuthConfig;
import io.parley.auth.service.SessionService;
import io.parley.auth.service.UserService;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.common.openapi.ApiDocs;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

@Tag(name = "users", description = "Accounts: sign up, look up, delete")
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

    @Operation(summary = "Sign up: create a user",
            description = "username 3-32 of [A-Za-z0-9_.-], password 8-128 characters, displayName 1-64 printable "
            + "characters (defaults to the username).")
    @APIResponse(responseCode = "201", description = "the user: {\"id\",\"username\",\"displayName\"}")
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_BODY)
    @APIResponse(responseCode = "409", description = "`USERNAME_TAKEN`")
    @APIResponse(responseCode = "413", description = ApiDocs.TOO_LARGE)
    @POST
    @ResponseStatus(201)
    public UserService.User register(RegisterRequest request) {
        if (request == null) {
            throw ApiException.invalid("a JSON body {username, password, displayName?} is required");
        }
        return users.register(request.username(), request.password(), request.displayName());
    }

    @Operation(summary = "The signed-in user")
    @SecurityRequirement(name = ApiDocs.USER_TOKEN)
    @APIResponse(responseCode = "200", description = "{\"id\",\"username\",\"displayName\"}")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.USER_ONLY)
    @APIResponse(responseCode = "404", description = "`NOT_FOUND`: the account was deleted")
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
    @Operation(summary = "Delete the caller's account",
            description = "Asks for the password again. The account can no longer sign in, its username stays taken, "
            + "and every session of it ends (open WebSocket connections get 4501).")
    @SecurityRequirement(name = ApiDocs.USER_TOKEN)
    @APIResponse(responseCode = "204", description = ApiDocs.NO_CONTENT)
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_BODY)
    @APIResponse(responseCode = "401",
            description = "`BAD_CREDENTIALS`: wrong password (nothing changes); " + ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.USER_ONLY)
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
    @Operation(summary = "Find users by ids (batch) or by username",
            description = "Exactly one of ids (1-200 comma-separated user ids, PARLEY_AUTH_USERS_BATCH_MAX) and "
            + "username (the sign-in match).")
    @SecurityRequirement(name = ApiDocs.USER_TOKEN)
    @SecurityRequirement(name = ApiDocs.APP_TOKEN)
    @APIResponse(responseCode = "200",
            description = "{\"users\":[{\"id\",\"username\",\"displayName\"}]}: for ids, those that exist in the "
            + "order asked, each once; for username, 0 or 1 entries")
    @APIResponse(responseCode = "400",
            description = "`INVALID_INPUT`: neither or both of ids and username, no ids, too many, one that is not a "
            + "user id, or a name that breaks the username rule")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
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
    @Operation(summary = "Look a user up by id")
    @SecurityRequirement(name = ApiDocs.USER_TOKEN)
    @SecurityRequirement(name = ApiDocs.APP_TOKEN)
    @APIResponse(responseCode = "200", description = "{\"id\",\"username\",\"displayName\"}")
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_USER_ID)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "404", description = "`NOT_FOUND`: unknown or deleted user")
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
