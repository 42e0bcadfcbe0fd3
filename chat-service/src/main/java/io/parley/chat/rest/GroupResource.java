package io.parley.chat.rest;

import io.parley.chat.protocol.UserIds;
import io.parley.chat.service.GroupService;
import io.parley.chat.store.GroupRepository.GroupDetails;
import io.parley.chat.store.GroupRepository.GroupSummary;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.common.openapi.ApiDocs;
import io.parley.common.security.Caller;
import io.parley.common.security.Roles;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

/**
 * Groups: create, list the caller's, read one with its members, add a member, remove a member. Blocking (MySQL
 * first): runs on worker threads.
 */
@Tag(name = "groups", description = "Group chats: create, list, read, members")
@SecurityRequirement(name = ApiDocs.USER_TOKEN)
@Path("/api/v1/groups")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.USER)
public class GroupResource {

    /** {@code {"name", "members": [user ids]}}; the creator is added (and owns the group). */
    public record CreateGroupRequest(String name, List<Long> members) {
    }

    /** {@code {"user": id}}. */
    public record AddMemberRequest(Long user) {
    }

    /** {@code {"groups":[{"id","name","owner","memberCount"}]}}: the caller's groups. */
    public record GroupList(List<GroupSummary> groups) {
    }

    /** {@code {"id","name","owner","members":[ids],"memberCount"}}; members longest-standing first. */
    public record GroupView(String id, String name, long owner, List<Long> members, int memberCount) {
        static GroupView of(GroupDetails group) {
            return new GroupView(group.id(), group.name(), group.owner(), group.members(), group.members().size());
        }
    }

    private final GroupService groups;
    private final SecurityIdentity identity;

    public GroupResource(GroupService groups, SecurityIdentity identity) {
        this.groups = groups;
        this.identity = identity;
    }

    @Operation(summary = "Create a group",
            description = "The caller is a member and the owner. name 1-100 characters; up to 10,000 members "
            + "(configurable), creator included.")
    @APIResponse(responseCode = "201", description = "{\"id\",\"name\",\"members\"}; id is a decimal string")
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_BODY)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.USER_ONLY)
    @APIResponse(responseCode = "404", description = "`NOT_FOUND`: a member id names no user (nothing is created)")
    @APIResponse(responseCode = "413", description = ApiDocs.TOO_LARGE)
    @APIResponse(responseCode = "503", description = ApiDocs.UNAVAILABLE)
    @POST
    @ResponseStatus(201)
    public GroupService.Group create(CreateGroupRequest request) {
        if (request == null) {
            throw ApiException.invalid("a JSON body {name, members: [user ids]} is required");
        }
        return groups.create(caller(), request.name(), request.members(), callerToken());
    }

    @Operation(summary = "List the caller's groups", description = "Newest first.")
    @APIResponse(responseCode = "200", description = "{\"groups\":[{\"id\",\"name\",\"owner\",\"memberCount\"}]}")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.USER_ONLY)
    @GET
    public GroupList mine() {
        return new GroupList(groups.summariesOf(caller()));
    }

    @Operation(summary = "Read a group with its members",
            description = "Members longest-standing first (the order in which ownership passes on).")
    @APIResponse(responseCode = "200", description = "{\"id\",\"name\",\"owner\",\"members\":[ids],\"memberCount\"}")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = "`FORBIDDEN`: the caller is not a member, or an app token")
    @APIResponse(responseCode = "404", description = "`NOT_FOUND`: unknown group (also a non-numeric gid)")
    @GET
    @Path("/{gid}")
    public GroupView get(@PathParam("gid") String gid) {
        return GroupView.of(groups.details(caller(), gid));
    }

    @Operation(summary = "Add a member to a group", description = "Idempotent; only members may add.")
    @APIResponse(responseCode = "204", description = ApiDocs.NO_CONTENT)
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_BODY)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = "`FORBIDDEN`: the caller is not a member, or an app token")
    @APIResponse(responseCode = "404",
            description = "`NOT_FOUND`: unknown group (also a non-numeric gid), or the user does not exist")
    @APIResponse(responseCode = "409", description = "`CONFLICT`: the group is full")
    @APIResponse(responseCode = "503", description = ApiDocs.UNAVAILABLE)
    @POST
    @Path("/{gid}/members")
    public void addMember(@PathParam("gid") String gid, AddMemberRequest request) {
        GroupService.requireGroupId(gid); // an unknown path answers 404 before its body is looked at
        if (request == null || request.user() == null) {
            throw ApiException.invalid("a JSON body {user: id} is required");
        }
        groups.addMember(caller(), gid, request.user(), callerToken());
    }

    @Operation(summary = "Remove a member (or leave)",
            description = "The owner removes anyone, a member removes themself; when the owner leaves, the "
            + "longest-standing member becomes owner.")
    @APIResponse(responseCode = "204", description = ApiDocs.NO_CONTENT)
    @APIResponse(responseCode = "400", description = ApiDocs.INVALID_USER_ID)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403",
            description = "`FORBIDDEN`: neither the owner nor the member themself, or an app token")
    @APIResponse(responseCode = "404", description = "`NOT_FOUND`: unknown group (also a non-numeric gid)")
    @DELETE
    @Path("/{gid}/members/{user}")
    public void removeMember(@PathParam("gid") String gid, @PathParam("user") String user) {
        GroupService.requireGroupId(gid);
        groups.removeMember(caller(), gid, userId(user));
    }

    private long caller() {
        return Caller.claims(identity).userId();
    }

    /** The caller's own access token: auth-service is asked about other users on the caller's behalf. */
    private String callerToken() {
        return identity.getCredential(TokenCredential.class).getToken();
    }

    static long userId(String text) {
        long id;
        try {
            id = Long.parseLong(text);
        } catch (NumberFormatException e) {
            id = -1;
        }
        if (!UserIds.valid(id)) {
            throw new ApiException(ErrorCode.INVALID_ID,
                    "not a user id (a positive integer of at most 10 digits): " + abbreviate(text));
        }
        return id;
    }

    static String abbreviate(String text) {
        return text == null ? "null" : text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
