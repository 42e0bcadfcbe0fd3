package io.parley.notify.notification;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.common.error.ApiException;
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
import org.jboss.resteasy.reactive.ResponseStatus;

/** Notifications from tenant apps (app token). Blocking (MySQL): runs on worker threads. */
@Path("/api/v1/notifications")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.APP)
public class NotificationResource {

    /** {@code {"users":[ids],"title","body","data"?,"channels":["inapp","email","webhook","wechat"]}}. */
    public record CreateRequest(List<Long> users, String title, String body, JsonNode data, List<String> channels) {
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

    @POST
    @ResponseStatus(202)
    public Map<String, String> create(CreateRequest request) {
        if (request == null) {
            throw ApiException.invalid("a JSON body {users, title, body, channels} is required");
        }
        TokenClaims claims = Caller.claims(identity);
        appTokens.rememberCaller(identity);
        String id = notifications.create(claims.appId(), request.users(), request.title(), request.body(),
                request.data(), request.channels());
        return Map.of("id", id);
    }

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
