package io.parley.chat.rest;

import io.parley.chat.service.ConversationService;
import io.parley.common.error.ApiException;
import io.parley.common.openapi.ApiDocs;
import io.parley.common.security.Caller;
import io.parley.common.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The caller's conversations and their history. Blocking (Redis + MySQL): runs on worker threads. */
@Tag(name = "conversations", description = "The caller's conversations and their history")
@SecurityRequirement(name = ApiDocs.USER_TOKEN)
@Path("/api/v1/conversations")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.USER)
public class ConversationResource {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    private final ConversationService conversations;
    private final SecurityIdentity identity;

    public ConversationResource(ConversationService conversations, SecurityIdentity identity) {
        this.conversations = conversations;
        this.identity = identity;
    }

    @Operation(summary = "List the caller's conversations",
            description = "Newest lastActivity first; unread = lastSeq minus the user's read cursor.")
    @APIResponse(responseCode = "200",
            description = "{\"conversations\":[…]}: direct {\"id\",\"type\":\"direct\",\"lastSeq\",\"unread\","
            + "\"lastActivity\",\"peer\",\"peerRead\"}, group {\"id\",\"type\":\"group\",\"lastSeq\",\"unread\",\"lastActivity\","
            + "\"group\",\"name\"}")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.USER_ONLY)
    @GET
    public ConversationService.ConversationList list() {
        return conversations.list(caller());
    }

    @Operation(summary = "Read a conversation's history",
            description = "Newest first; each message in its latest version (edited: new body and editedSeq; "
            + "deleted: a tombstone). cid is d:<lo>:<hi> or g:<gid>; limit 1-200 (default 50); beforeSeq absent: "
            + "from the newest.")
    @APIResponse(responseCode = "200",
            description = "{\"messages\":[{\"id\",\"conversation\",\"seq\",\"from\",\"to\",\"body\",\"kind\",\"ts\","
            + "\"target\"?}],\"hasMore\"}")
    @APIResponse(responseCode = "400",
            description = "`INVALID_ID`: not a conversation id; `INVALID_INPUT`: bad limit or beforeSeq")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = "`FORBIDDEN`: not a member of the conversation, or an app token")
    @GET
    @Path("/{cid}/messages")
    public ConversationService.HistoryPage messages(@PathParam("cid") String cid, @QueryParam("beforeSeq") String beforeSeq,
                                                    @QueryParam("limit") String limit) {
        Long before = beforeSeq == null || beforeSeq.isEmpty() ? null : number("beforeSeq", beforeSeq, 1, Long.MAX_VALUE);
        int size = limit == null || limit.isEmpty() ? DEFAULT_LIMIT : (int) number("limit", limit, 1, MAX_LIMIT);
        return conversations.history(caller(), cid, before, size);
    }

    private long caller() {
        return Caller.claims(identity).userId();
    }

    private static long number(String name, String text, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw ApiException.invalid(name + " must be a whole number" + (max == Long.MAX_VALUE ? "" : " from " + min + " to " + max));
        }
        if (value < min || value > max) {
            throw ApiException.invalid(max == Long.MAX_VALUE ? name + " must be a positive whole number; got " + value
                    : name + " must be from " + min + " to " + max + "; got " + value);
        }
        return value;
    }
}
