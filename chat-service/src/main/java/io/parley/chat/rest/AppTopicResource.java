package io.parley.chat.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.protocol.UserIds;
import io.parley.chat.topics.AppAccess;
import io.parley.chat.topics.PublicationBuffer;
import io.parley.common.error.ApiException;
import io.parley.common.openapi.ApiDocs;
import io.parley.common.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

/**
 * An app's side of topic push (app token of that app only): publish to a topic, and decide who may subscribe —
 * every signed-in user ({@code public}) or the users it grants. Another app's token gets 403.
 */
@Tag(name = "app topics", description = "An app's topics: publish, and who may subscribe")
@SecurityRequirement(name = ApiDocs.APP_TOKEN)
@Path("/api/v1/apps/{appId}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.APP)
public class AppTopicResource {

    /** {@code {"data"}} (text) or {@code {"data", "encoding":"base64"}} (binary). */
    public record PublicationRequest(String data, String encoding) {
    }

    public record Accepted(String id) {
    }

    /** {@code {"public": true|false}}. */
    public record AccessRequest(@JsonProperty("public") Boolean open) {
    }

    /** {@code {"public", "grantCount"}} (was {@code grants}, a count under a name that is a list elsewhere). */
    public record AccessView(@JsonProperty("public") boolean open, long grantCount) {
    }

    /** {@code {"users": [ids]}}. */
    public record GrantRequest(List<Long> users) {
    }

    private final PublicationBuffer publications;
    private final AppAccess access;
    private final SecurityIdentity identity;
    private final int maxGrantsPage;

    public AppTopicResource(PublicationBuffer publications, AppAccess access, SecurityIdentity identity,
                            ChatConfig config) {
        this.publications = publications;
        this.access = access;
        this.identity = identity;
        this.maxGrantsPage = config.topics().maxGrantsPage();
    }

    @Operation(summary = "Publish to a topic",
            description = "Every subscriber of the topic on any node gets a publication frame. A topic name with / "
            + "is percent-encoded in the path (%2F). Text data passes the tenant's content filter.")
    @APIResponse(responseCode = "202", description = "{\"id\"}: the position in the publication buffer")
    @APIResponse(responseCode = "400",
            description = ApiDocs.INVALID_BODY + "; `INVALID_INPUT`: bad topic name or base64; `INVALID_ID`: not an "
            + "app id; `CONTENT_REJECTED`: the filter is in reject mode and the text has a listed word")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.OWN_APP_ONLY)
    @APIResponse(responseCode = "413", description = "`PAYLOAD_TOO_LARGE`: data over 64 KiB (decoded)")
    @APIResponse(responseCode = "429",
            description = "`RATE_LIMITED`: the app is at its publications-per-second quota, or the topic's buffer "
            + "shard is full; " + ApiDocs.RATE_LIMITED)
    @POST
    @Path("/topics/{topic}/publications")
    @ResponseStatus(202)
    public Accepted publish(@PathParam("appId") String appId, @PathParam("topic") String topic, PublicationRequest request) {
        requireOwnApp(appId);
        if (request == null) {
            throw ApiException.invalid("a JSON body {data} or {data, encoding: \"base64\"} is required");
        }
        return new Accepted(publications.publish(appId, topic, request.data(), request.encoding()));
    }

    @Operation(summary = "Open or close the app's topics to every signed-in user")
    @APIResponse(responseCode = "200", description = "{\"public\":bool,\"grantCount\":n}")
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_BODY + "; `INVALID_ID`: not an app id")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.OWN_APP_ONLY)
    @PUT
    @Path("/access")
    public AccessView setAccess(@PathParam("appId") String appId, AccessRequest request) {
        requireOwnApp(appId);
        if (request == null || request.open() == null) {
            throw ApiException.invalid("a JSON body {public: true|false} is required");
        }
        access.setPublic(appId, request.open());
        return new AccessView(request.open(), access.grantCount(appId));
    }

    @Operation(summary = "Read the app's topic access")
    @APIResponse(responseCode = "200", description = "{\"public\":bool,\"grantCount\":n}")
    @APIResponse(responseCode = "400", description = "`INVALID_ID`: not an app id")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.OWN_APP_ONLY)
    @GET
    @Path("/access")
    public AccessView getAccess(@PathParam("appId") String appId) {
        requireOwnApp(appId);
        return new AccessView(access.isPublic(appId), access.grantCount(appId));
    }

    @Operation(summary = "Grant users access to the app's topics", description = "1-10,000 user ids.")
    @APIResponse(responseCode = "204", description = ApiDocs.NO_CONTENT)
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_BODY + "; `INVALID_ID`: not an app id")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.OWN_APP_ONLY)
    @POST
    @Path("/grants")
    @ResponseStatus(204)
    public void grant(@PathParam("appId") String appId, GrantRequest request) {
        requireOwnApp(appId);
        if (request == null || request.users() == null || request.users().isEmpty() || request.users().size() > 10_000) {
            throw ApiException.invalid("a JSON body {users: [1 to 10000 user ids]} is required");
        }
        UserIds.requireAll(request.users());
        access.grant(appId, request.users());
    }

    /**
     * {@code ?cursor=&limit=}: one page of the granted users, {@code {"users":[ids],"cursor":"<next>"}}; the cursor
     * is {@code "0"} when done. Redis {@code SSCAN} semantics: order unspecified, a user may repeat across pages.
     */
    @Operation(summary = "List the users granted access, a page at a time",
            description = "Redis SSCAN semantics: pass cursor back for the next page (\"0\" when done); order "
            + "unspecified, a user may repeat across pages; limit 1-1,000 (default 100) is a hint.")
    @APIResponse(responseCode = "200", description = "{\"users\":[ids],\"cursor\":\"<next>\"}")
    @APIResponse(responseCode = "400",
            description = "`INVALID_INPUT`: cursor not an unsigned 64-bit decimal, or limit outside 1-1,000; "
            + "`INVALID_ID`: not an app id")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.OWN_APP_ONLY)
    @GET
    @Path("/grants")
    public AppAccess.GrantsPage grants(@PathParam("appId") String appId, @QueryParam("cursor") String cursor,
                                       @QueryParam("limit") String limit) {
        requireOwnApp(appId);
        return access.grantsPage(appId, GrantsPaging.cursor(cursor), GrantsPaging.limit(limit, maxGrantsPage));
    }

    @Operation(summary = "Revoke a user's access",
            description = "The user's open subscriptions to the app's topics end within 1 s (unsubscribed with "
            + "reason FORBIDDEN).")
    @APIResponse(responseCode = "204", description = ApiDocs.NO_CONTENT)
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_USER_ID + "; `INVALID_ID`: not an app id")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.OWN_APP_ONLY)
    @DELETE
    @Path("/grants/{user}")
    @ResponseStatus(204)
    public void revoke(@PathParam("appId") String appId, @PathParam("user") String user) {
        requireOwnApp(appId);
        access.revoke(appId, GroupResource.userId(user));
    }

    private void requireOwnApp(String appId) {
        OwnApp.require(identity, appId);
    }
}
