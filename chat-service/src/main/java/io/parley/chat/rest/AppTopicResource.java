package io.parley.chat.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.protocol.TopicNames;
import io.parley.chat.protocol.UserIds;
import io.parley.chat.topics.AppAccess;
import io.parley.chat.topics.PublicationBuffer;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.common.security.Caller;
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
import org.jboss.resteasy.reactive.ResponseStatus;

/**
 * An app's side of topic push (app token of that app only): publish to a topic, and decide who may subscribe —
 * every signed-in user ({@code public}) or the users it grants. Another app's token gets 403.
 */
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

    @GET
    @Path("/access")
    public AccessView getAccess(@PathParam("appId") String appId) {
        requireOwnApp(appId);
        return new AccessView(access.isPublic(appId), access.grantCount(appId));
    }

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
    @GET
    @Path("/grants")
    public AppAccess.GrantsPage grants(@PathParam("appId") String appId, @QueryParam("cursor") String cursor,
                                       @QueryParam("limit") String limit) {
        requireOwnApp(appId);
        return access.grantsPage(appId, GrantsPaging.cursor(cursor), GrantsPaging.limit(limit, maxGrantsPage));
    }

    @DELETE
    @Path("/grants/{user}")
    @ResponseStatus(204)
    public void revoke(@PathParam("appId") String appId, @PathParam("user") String user) {
        requireOwnApp(appId);
        access.revoke(appId, GroupResource.userId(user));
    }

    private void requireOwnApp(String appId) {
        if (!TopicNames.validApp(appId)) {
            throw new ApiException(ErrorCode.INVALID_ID, "not an app id");
        }
        if (!appId.equals(Caller.claims(identity).appId())) {
            throw new ApiException(ErrorCode.FORBIDDEN, "an app token may act only on its own app");
        }
    }
}
