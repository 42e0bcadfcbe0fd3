package io.parley.notify.notification;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.common.error.ApiException;
import io.parley.common.openapi.ApiDocs;
import io.parley.common.security.Caller;
import io.parley.common.security.Roles;
import io.parley.common.token.TokenClaims;
import io.parley.notify.delivery.DeliveryRepository;
import io.parley.notify.delivery.DeliveryView;
import io.parley.notify.sender.AppTokens;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

/** Notifications from tenant apps (app token). Blocking (MySQL): runs on worker threads. */
@Tag(name = "notifications", description = "Notifications from tenant apps")
@SecurityRequirement(name = ApiDocs.APP_TOKEN)
@Path("/api/v1/notifications")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.APP)
public class NotificationResource {

    /**
     * {@code {"users":[ids],"title","body","data"?,"channels":["inapp","push","email","webhook","wechat"],
     * "silent"?}}; {@code silent} (addition) makes the push a data-only one.
     */
    public record CreateRequest(List<Long> users, String title, String body, JsonNode data, List<String> channels,
                                Boolean silent) {
    }

    /** {@code {"id","title","createdAt","deliveries":[…]}}. */
    public record NotificationStatus(String id, String title, long createdAt, List<DeliveryView> deliveries) {
    }

    private final NotificationService notifications;
    private final DeliveryRepository deliveries;
    private final AppTokens appTokens;
    private final SecurityIdentity identity;

    public NotificationResource(NotificationService notifications, DeliveryRepository deliveries, AppTokens appTokens,
                                SecurityIdentity identity) {
        this.notifications = notifications;
        this.deliveries = deliveries;
        this.appTokens = appTokens;
        this.identity = identity;
    }

    @Operation(summary = "Send a notification",
            description = "To 1-1,000 users over the channels named (inapp, push, email, webhook, wechat); title 1-200 "
            + "characters, body at most 4,000. With \"silent\":true (needs \"push\" in channels) the push is data-only: "
            + "nothing shown, the app woken with the notification id and the fields of data, a JSON object of at most "
            + "3,072 bytes (APNs apns-push-type background + content-available, FCM data only, Web Push without text).")
    @APIResponse(responseCode = "202", description = "{\"id\"}")
    @APIResponse(responseCode = "400",
            description = ApiDocs.INVALID_BODY + "; no or over 1,000 users, a bad user id, no or over-200-character "
            + "title, no body, an unknown channel; silent without push, silent data that is not an object")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.APP_ONLY)
    @APIResponse(responseCode = "413",
            description = "`PAYLOAD_TOO_LARGE`: body over 4,000 characters, a silent push's data over 3,072 bytes "
            + "(or the request over 64 KiB)")
    @POST
    @ResponseStatus(202)
    public Map<String, String> create(CreateRequest request) {
        if (request == null) {
            throw ApiException.invalid("a JSON body {users, title, body, channels} is required");
        }
        TokenClaims claims = Caller.claims(identity);
        appTokens.rememberCaller(identity);
        String id = notifications.create(claims.appId(), request.users(), request.title(), request.body(),
                request.data(), request.channels(), Boolean.TRUE.equals(request.silent()));
        return Map.of("id", id);
    }

    @Operation(summary = "Read a notification's delivery status")
    @APIResponse(responseCode = "200",
            description = "{\"id\",\"title\",\"createdAt\",\"deliveries\":[{\"id\",\"notification\",\"kind\","
            + "\"user\",\"channel\",\"status\",\"attempts\",\"lastError\"?,\"updatedAt\"}]} (times epoch ms)")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.APP_ONLY)
    @APIResponse(responseCode = "404", description = "`NOT_FOUND`: unknown, or another app's notification")
    @GET
    @Path("/{id}")
    public NotificationStatus get(@PathParam("id") String id) {
        String appId = Caller.claims(identity).appId();
        NotificationService.Notification n = notifications.find(id).filter(x -> x.appId().equals(appId))
                .orElseThrow(() -> ApiException.notFound("no such notification"));
        return new NotificationStatus(n.id(), n.title(), n.createdAt().toEpochMilli(),
                deliveries.ofNotification(id).stream().map(DeliveryView::of).toList());
    }
}
