package io.parley.chat.rest;

import io.parley.chat.quotas.AppQuotas;
import io.parley.chat.quotas.AppUsage;
import io.parley.common.openapi.ApiDocs;
import io.parley.common.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** An app's usage across every node against its quotas (app token of that app only). */
@Tag(name = "app usage", description = "An app's connections, subscribers and rates against its quotas")
@SecurityRequirement(name = ApiDocs.APP_TOKEN)
@Path("/api/v1/apps/{appId}/usage")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.APP)
public class AppUsageResource {

    private final AppQuotas quotas;
    private final SecurityIdentity identity;

    public AppUsageResource(AppQuotas quotas, SecurityIdentity identity) {
        this.quotas = quotas;
        this.identity = identity;
    }

    @Operation(summary = "Read the app's usage and quotas",
            description = "Across every node: connections holding a subscription to the app's topics, topic "
            + "subscribers, publications and notifications (recipients) in the last whole second, the quotas in "
            + "force (0: unlimited) and the requests refused by each quota so far.")
    @APIResponse(responseCode = "200", description = "{\"appId\",\"connections\",\"subscribers\","
            + "\"publicationsPerSecond\",\"notificationsPerSecond\",\"limits\":{…},\"refusals\":{…}}")
    @APIResponse(responseCode = "400", description = "`INVALID_ID`: not an app id")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.OWN_APP_ONLY)
    @GET
    public Uni<AppUsage> usage(@PathParam("appId") String appId) {
        OwnApp.require(identity, appId);
        return quotas.usage(appId);
    }
}
