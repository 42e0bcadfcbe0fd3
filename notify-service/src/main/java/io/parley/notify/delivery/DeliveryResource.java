package io.parley.notify.delivery;

import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.common.openapi.ApiDocs;
import io.parley.common.security.Caller;
import io.parley.common.security.Roles;
import io.parley.common.token.TokenClaims;
import io.parley.notify.sender.AppTokens;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

/**
 * The delivery log and its dead letters (an addition to the contract): a user sees the deliveries to them, an app
 * those of its notifications; a dead letter can be replayed. Blocking (MySQL): runs on worker threads.
 */
@Tag(name = "deliveries", description = "The delivery log and its dead letters")
@SecurityRequirement(name = ApiDocs.USER_TOKEN)
@SecurityRequirement(name = ApiDocs.APP_TOKEN)
@Path("/api/v1/deliveries")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.USER, Roles.APP})
public class DeliveryResource {

    private static final int LIMIT = 100;
    private static final Set<String> STATUSES = Set.of(Delivery.PENDING, Delivery.SENDING, Delivery.RETRYING,
            Delivery.DELIVERED, Delivery.DEAD, Delivery.NO_CHANNEL, Delivery.SKIPPED_ONLINE);

    private final DeliveryRepository deliveries;
    private final DeliveryDispatcher dispatcher;
    private final AppTokens appTokens;
    private final SecurityIdentity identity;

    public DeliveryResource(DeliveryRepository deliveries, DeliveryDispatcher dispatcher, AppTokens appTokens,
                            SecurityIdentity identity) {
        this.deliveries = deliveries;
        this.dispatcher = dispatcher;
        this.appTokens = appTokens;
        this.identity = identity;
    }

    /** The newest 100 of the caller's deliveries with this status (default {@code dead}). */
    @Operation(summary = "List the caller's deliveries with a status",
            description = "The newest 100 (a user: those to them; an app: its notifications'); status defaults to "
            + "dead.")
    @APIResponse(responseCode = "200",
            description = "[{\"id\",\"notification\",\"kind\",\"user\",\"channel\",\"status\",\"attempts\","
            + "\"lastError\"?,\"updatedAt\"}]")
    @APIResponse(responseCode = "400", description = "`INVALID_INPUT`: unknown status")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @GET
    public List<DeliveryView> list(@QueryParam("status") @DefaultValue(Delivery.DEAD) String status) {
        if (!STATUSES.contains(status)) {
            throw ApiException.invalid("status must be one of " + String.join(", ", STATUSES.stream().sorted().toList()));
        }
        TokenClaims claims = Caller.claims(identity);
        List<Delivery> found = claims.isApp() ? deliveries.ofApp(claims.appId(), status, LIMIT)
                : deliveries.ofUser(claims.userId(), status, LIMIT);
        return found.stream().map(DeliveryView::of).toList();
    }

    /** Sends a dead letter again with a fresh attempt budget: 202; 404 if not the caller's; 409 if not dead. */
    @Operation(summary = "Replay a dead letter", description = "Sent again with a fresh attempt budget.")
    @APIResponse(responseCode = "202", description = "{\"id\",\"status\":\"retrying\"}")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "404", description = "`NOT_FOUND`: not the caller's delivery")
    @APIResponse(responseCode = "409", description = "`CONFLICT`: the delivery is not dead")
    @POST
    @Path("/{id}/replay")
    @ResponseStatus(202)
    public Map<String, String> replay(@PathParam("id") String id) {
        long deliveryId;
        try {
            deliveryId = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw ApiException.notFound("no such delivery");
        }
        TokenClaims claims = Caller.claims(identity);
        Delivery d = deliveries.find(deliveryId).filter(x -> claims.isApp()
                        ? claims.appId().equals(x.appId()) : x.userId() == claims.userId())
                .orElseThrow(() -> ApiException.notFound("no such delivery"));
        appTokens.rememberCaller(identity);
        if (!deliveries.replay(d.id())) {
            throw new ApiException(ErrorCode.CONFLICT, "only a dead delivery can be replayed; this one is "
                    + deliveries.find(d.id()).map(Delivery::status).orElse("gone"));
        }
        dispatcher.kick();
        return Map.of("id", id, "status", Delivery.RETRYING);
    }
}
