package io.parley.auth.rest;

import io.parley.auth.service.AppService;
import io.parley.common.openapi.ApiDocs;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

@Tag(name = "apps", description = "Tenant apps: create (operator), app tokens (API key)")
@Path("/api/v1/apps")
@Produces(MediaType.APPLICATION_JSON)
public class AppResource {

    public record CreateAppRequest(String name) {
    }

    public record AppTokenResponse(String accessToken, String tokenType, long expiresIn) {
    }

    private final AppService apps;

    public AppResource(AppService apps) {
        this.apps = apps;
    }

    /** 201 {@code {"appId","apiKey","name"}}; the API key is shown this once. */
    @Operation(summary = "Create a tenant app",
            description = "The API key is in this answer only; it is stored as SHA-256.")
    @SecurityRequirement(name = ApiDocs.ADMIN_KEY)
    @APIResponse(responseCode = "201", description = "{\"appId\",\"apiKey\",\"name\"}")
    @APIResponse(responseCode = "400",
            description = ApiDocs.MALFORMED_JSON + "; `INVALID_INPUT`: name is 1-64 characters")
    @APIResponse(responseCode = "401", description = "`BAD_ADMIN_KEY`: missing or wrong X-Admin-Key")
    @POST
    @ResponseStatus(201)
    public AppService.CreatedApp create(@HeaderParam("X-Admin-Key") String adminKey, CreateAppRequest request) {
        return apps.create(adminKey, request == null ? null : request.name());
    }

    @Operation(summary = "Issue an app token",
            description = "Call again before expiresIn runs out; app tokens are not refreshed.")
    @SecurityRequirement(name = ApiDocs.API_KEY)
    @APIResponse(responseCode = "201", description = "{\"accessToken\",\"tokenType\":\"Bearer\",\"expiresIn\"}")
    @APIResponse(responseCode = "401", description = "`BAD_API_KEY`: missing or wrong X-Api-Key, or unknown app")
    @POST
    @Path("/{appId}/tokens")
    @ResponseStatus(201)
    public AppTokenResponse token(@PathParam("appId") String appId, @HeaderParam("X-Api-Key") String apiKey) {
        AppService.AppToken token = apps.issueToken(appId, apiKey);
        return new AppTokenResponse(token.accessToken(), "Bearer", token.expiresIn());
    }
}
