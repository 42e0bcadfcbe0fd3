package io.parley.chat.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.chat.notify.InAppNotifications;
import io.parley.chat.protocol.TopicNames;
import io.parley.chat.protocol.UserIds;
import io.parley.chat.quotas.AppQuotas;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.common.openapi.ApiDocs;
import io.parley.common.security.Caller;
import io.parley.common.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

/**
 * In-app notifications (app token of that app): kept in each user's inbox and pushed on {@code /ws/notify}. This
 * is what notify-service calls for the {@code inapp} channel.
 */
@Tag(name = "app notifications", description = "In-app notifications, pushed on /ws/notify")
@SecurityRequirement(name = ApiDocs.APP_TOKEN)
@Path("/api/v1/apps/{appId}/notifications")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.APP)
public class InAppNotificationResource {

    static final int MAX_USERS = 1000;
    static final int MAX_TITLE = 200;
    static final int MAX_BODY = 4000;

    /** {@code {"id"?, "users": [ids], "title", "body", "data"?}}. */
    public record NotificationRequest(String id, List<Long> users, String title, String body, JsonNode data) {
    }

    public record Accepted(String id, List<Long> accepted) {
    }

    private final InAppNotifications notifications;
    private final SecurityIdentity identity;
    private final AppQuotas quotas;

    public InAppNotificationResource(InAppNotifications notifications, SecurityIdentity identity, AppQuotas quotas) {
        this.notifications = notifications;
        this.identity = identity;
        this.quotas = quotas;
    }

    @Operation(summary = "Post an in-app notification",
            description = "Kept in each user's inbox (the newest 1,000) and pushed on /ws/notify. 1-1,000 users, "
            + "title 1-200, body at most 4,000 characters; id (at most 64 characters) makes a retry idempotent. "
            + "Counts each recipient against the app's notifications-per-second quota.")
    @APIResponse(responseCode = "202", description = "{\"id\",\"accepted\":[ids]}")
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_BODY)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.OWN_APP_ONLY)
    @APIResponse(responseCode = "413", description = ApiDocs.TOO_LARGE)
    @APIResponse(responseCode = "429",
            description = "`RATE_LIMITED`: the app is at its quota of notifications (recipients) per second; "
            + ApiDocs.RATE_LIMITED)
    @POST
    @ResponseStatus(202)
    public Uni<Accepted> post(@PathParam("appId") String appId, NotificationRequest request) {
        if (!TopicNames.validApp(appId) || !appId.equals(Caller.claims(identity).appId())) {
            throw new ApiException(ErrorCode.FORBIDDEN, "an app token may notify only for its own app");
        }
        if (request == null || request.users() == null || request.users().isEmpty() || request.users().size() > MAX_USERS) {
            throw ApiException.invalid("users must list 1 to " + MAX_USERS + " user ids");
        }
        UserIds.requireAll(request.users());
        LinkedHashSet<Long> users = new LinkedHashSet<>(request.users());
        if (request.title() == null || request.title().isBlank() || request.title().length() > MAX_TITLE) {
            throw ApiException.invalid("title is required: 1 to " + MAX_TITLE + " characters");
        }
        if (request.body() == null || request.body().length() > MAX_BODY) {
            throw ApiException.invalid("body is required: at most " + MAX_BODY + " characters");
        }
        boolean callerChoseId = request.id() != null && !request.id().isBlank();
        String id = callerChoseId ? request.id() : UUID.randomUUID().toString();
        if (id.length() > 64) {
            throw ApiException.invalid("id is at most 64 characters");
        }
        String data = request.data() == null || request.data().isNull() ? null : request.data().toString();
        List<Long> accepted = List.copyOf(users);
        return quotas.takeNotifications(appId, accepted.size())
                .flatMap(taken -> notifications.post(appId,
                        new InAppNotifications.Notification(id, request.title(), request.body(), data), accepted, callerChoseId))
                .map(v -> new Accepted(id, accepted));
    }
}
