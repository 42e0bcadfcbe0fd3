package io.parley.auth.rest;

import io.parley.auth.service.AppService;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.ResponseStatus;

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
    @POST
    @ResponseStatus(201)
    public AppService.CreatedApp create(@HeaderParam("X-Admin-Key") String adminKey, CreateAppRequest request) {
        return apps.create(adminKey, request == null ? null : request.name());
    }

    @POST
    @Path("/{appId}/tokens")
    @ResponseStatus(201)
    public AppTokenResponse token(@PathParam("appId") String appId, @HeaderParam("X-Api-Key") String apiKey) {
        AppService.AppToken token = apps.issueToken(appId, apiKey);
        return new AppTokenResponse(token.accessToken(), "Bearer", token.expiresIn());
    }
}
