package io.parley.chat.rest;

import io.parley.chat.service.ConversationService;
import io.parley.common.error.ApiException;
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

/** The caller's conversations and their history. Blocking (Redis + MySQL): runs on worker threads. */
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

    @GET
    public ConversationService.ConversationList list() {
        return conversations.list(caller());
    }

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
