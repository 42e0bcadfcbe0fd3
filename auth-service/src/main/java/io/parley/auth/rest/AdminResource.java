package io.parley.auth.rest;

import io.parley.auth.service.AdminKeys;
import io.parley.auth.service.AppService;
import io.parley.auth.service.SendBlockService;
import io.parley.auth.service.SessionService;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.common.openapi.ApiDocs;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

/**
 * The operator's admin API, off by default ({@code PARLEY_AUTH_ADMIN_API_ENABLED}); every call needs an admin key
 * in {@code X-Admin-Key}. Meant for the cluster's inside (kubectl port-forward, an internal Service), not the public
 * ingress.
 */
@Tag(name = "admin", description = "Operator: apps, sessions and send blocks (admin key; off unless enabled)")
@Path("/api/v1/admin")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = ApiDocs.ADMIN_KEY)
@APIResponse(responseCode = "401", description = "`BAD_ADMIN_KEY`: missing or wrong X-Admin-Key")
@APIResponse(responseCode = "404", description = "`NOT_FOUND`: the admin API is off, or no such app or user")
public class AdminResource {

    static final int MAX_PAGE = 500;

    public record AppPage(List<AppService.AppSummary> apps, String next) {
    }

    public record EndedSessions(long userId, int ended) {
    }

    public record SendBlock(long userId, boolean blocked) {
    }

    private final AdminKeys admin;
    private final AppService apps;
    private final SessionService sessions;
    private final SendBlockService blocks;

    public AdminResource(AdminKeys admin, AppService apps, SessionService sessions, SendBlockService blocks) {
        this.admin = admin;
        this.apps = apps;
        this.sessions = sessions;
        this.blocks = blocks;
    }

    @Operation(summary = "List tenant apps", description = "In id order; pass `next` as `after` for the next page.")
    @APIResponse(responseCode = "200", description = "{\"apps\":[{\"appId\",\"name\",\"createdAt\",\"disabled\",\"disabledAt\"}],\"next\"}")
    @APIResponse(responseCode = "400", description = "`INVALID_INPUT`: limit is 1-" + MAX_PAGE)
    @GET
    @Path("/apps")
    public AppPage apps(@HeaderParam("X-Admin-Key") String key, @QueryParam("after") String after,
                        @QueryParam("limit") Integer limit) {
        admin.check(key);
        int size = limit == null ? 100 : limit;
        if (size < 1 || size > MAX_PAGE) {
            throw ApiException.invalid("limit must be 1-" + MAX_PAGE);
        }
        List<AppService.AppSummary> page = apps.list(after == null || after.isBlank() ? null : after, size);
        return new AppPage(page, page.size() == size ? page.get(size - 1).appId() : null);
    }

    @Operation(summary = "Disable an app",
            description = "Its API key is refused at once (`403 APP_DISABLED`) and its app tokens by every service "
                    + "within 1 s. Idempotent.")
    @APIResponse(responseCode = "200", description = "the app: {\"appId\",\"name\",\"createdAt\",\"disabled\":true,\"disabledAt\"}")
    @POST
    @Path("/apps/{appId}/disable")
    public AppService.AppSummary disable(@HeaderParam("X-Admin-Key") String key, @PathParam("appId") String appId) {
        admin.check(key);
        return apps.setDisabled(appId, true);
    }

    @Operation(summary = "Enable an app again",
            description = "Its API key buys tokens again; tokens issued before the disable stay refused. Idempotent.")
    @APIResponse(responseCode = "200", description = "the app: {\"appId\",\"name\",\"createdAt\",\"disabled\":false}")
    @POST
    @Path("/apps/{appId}/enable")
    public AppService.AppSummary enable(@HeaderParam("X-Admin-Key") String key, @PathParam("appId") String appId) {
        admin.check(key);
        return apps.setDisabled(appId, false);
    }

    @Operation(summary = "End every session of a user",
            description = "Every device is signed out; its tokens are refused within 1 s and its open WebSocket "
                    + "connections, on every chat node, are closed with 4501 at once. The user may sign in again.")
    @APIResponse(responseCode = "200", description = "{\"userId\",\"ended\"}: how many sessions were live")
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_USER_ID)
    @DELETE
    @Path("/users/{userId}/sessions")
    public EndedSessions endSessions(@HeaderParam("X-Admin-Key") String key, @PathParam("userId") String userId) {
        admin.check(key);
        long user = userId(userId);
        return new EndedSessions(user, sessions.endAll(user));
    }

    @Operation(summary = "Block a user from sending",
            description = "Every chat node refuses the user's next send, edit and delete with `SEND_BLOCKED` (within "
                    + "1 s); the user still signs in, receives and reads. Kept until unblocked. Idempotent.")
    @APIResponse(responseCode = "200", description = "{\"userId\",\"blocked\":true}")
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_USER_ID)
    @PUT
    @Path("/users/{userId}/send-block")
    public SendBlock block(@HeaderParam("X-Admin-Key") String key, @PathParam("userId") String userId) {
        admin.check(key);
        long user = userId(userId);
        return new SendBlock(user, blocks.setBlocked(user, true));
    }

    @Operation(summary = "Let a user send again", description = "Idempotent.")
    @APIResponse(responseCode = "200", description = "{\"userId\",\"blocked\":false}")
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_USER_ID)
    @DELETE
    @Path("/users/{userId}/send-block")
    public SendBlock unblock(@HeaderParam("X-Admin-Key") String key, @PathParam("userId") String userId) {
        admin.check(key);
        long user = userId(userId);
        return new SendBlock(user, blocks.setBlocked(user, false));
    }

    @Operation(summary = "Whether a user is blocked from sending")
    @APIResponse(responseCode = "200", description = "{\"userId\",\"blocked\"}")
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_USER_ID)
    @GET
    @Path("/users/{userId}/send-block")
    public SendBlock blockOf(@HeaderParam("X-Admin-Key") String key, @PathParam("userId") String userId) {
        admin.check(key);
        long user = userId(userId);
        return new SendBlock(user, blocks.isBlocked(user));
    }

    private static long userId(String text) {
        long user;
        try {
            user = Long.parseLong(text);
        } catch (NumberFormatException e) {
            user = -1;
        }
        if (user <= 0 || user > 9_999_999_999L) {
            throw new ApiException(ErrorCode.INVALID_ID, "not a user id: a positive integer of at most 10 digits");
        }
        return user;
    }
}
