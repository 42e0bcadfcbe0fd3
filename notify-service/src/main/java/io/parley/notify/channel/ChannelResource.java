package io.parley.notify.channel;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.parley.common.error.ApiException;
import io.parley.common.openapi.ApiDocs;
import io.parley.common.security.Caller;
import io.parley.common.security.Roles;
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
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

/** A user's channels: bind, verify, list, delete. Blocking (MySQL): runs on worker threads. */
@Tag(name = "channels", description = "A user's delivery channels: email, webhook, wechat")
@SecurityRequirement(name = ApiDocs.USER_TOKEN)
@Path("/api/v1/channels")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.USER)
public class ChannelResource {

    /** {@code {"type": "email"|"webhook"|"wechat", "address"}}. */
    public record BindRequest(String type, String address) {
    }

    /** {@code {"code"}}. */
    public record VerifyRequest(String code) {
    }

    /** The answer to a bind: the channel, and for a webhook its secret (shown once). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Bound(String id, String type, String address, boolean verified, String secret) {
    }

    private final ChannelService channels;
    private final SecurityIdentity identity;

    public ChannelResource(ChannelService channels, SecurityIdentity identity) {
        this.channels = channels;
        this.identity = identity;
    }

    @Operation(summary = "Bind a channel",
            description = "It receives nothing until verified: email gets a six-digit code, wechat a template "
            + "message, a webhook a signed challenge. Webhook addresses may not reach internal networks.")
    @APIResponse(responseCode = "201",
            description = "{\"id\",\"type\",\"address\",\"verified\":false} (+ \"secret\", the webhook's HMAC key, "
            + "shown only here)")
    @APIResponse(responseCode = "400",
            description = ApiDocs.INVALID_BODY + "; `INVALID_INPUT`: unknown type, invalid address, or a webhook "
            + "address refused (internal network)")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.USER_ONLY)
    @APIResponse(responseCode = "409",
            description = "`CONFLICT`: the channel is bound already, or more than 10 channels")
    @POST
    @ResponseStatus(201)
    public Bound bind(BindRequest request) {
        if (request == null) {
            throw ApiException.invalid("a JSON body {type, address} is required");
        }
        ChannelService.ChannelView view = channels.bind(caller(), request.type(), request.address());
        return new Bound(view.id(), view.type(), view.address(), view.verified(), view.secret());
    }

    @Operation(summary = "Verify a channel with its code")
    @APIResponse(responseCode = "200", description = "{\"verified\":true}")
    @APIResponse(responseCode = "400",
            description = "`INVALID_INPUT`: wrong, expired (15 min) or used-up (5 wrong tries) code; `MALFORMED_JSON`")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.USER_ONLY)
    @APIResponse(responseCode = "404", description = "`NOT_FOUND`: not the caller's channel")
    @POST
    @Path("/{id}/verify")
    public Map<String, Boolean> verify(@PathParam("id") String id, VerifyRequest request) {
        channels.verify(caller(), id, request == null ? null : request.code());
        return Map.of("verified", true);
    }

    @Operation(summary = "List the caller's channels")
    @APIResponse(responseCode = "200", description = "[{\"id\",\"type\",\"address\",\"verified\"}]")
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.USER_ONLY)
    @GET
    public List<Bound> list() {
        return channels.list(caller()).stream()
                .map(v -> new Bound(v.id(), v.type(), v.address(), v.verified(), null)).toList();
    }

    @Operation(summary = "Delete a channel")
    @APIResponse(responseCode = "204", description = ApiDocs.NO_CONTENT)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
    @APIResponse(responseCode = "403", description = ApiDocs.USER_ONLY)
    @APIResponse(responseCode = "404", description = "`NOT_FOUND`: not the caller's channel")
    @DELETE
    @Path("/{id}")
    public void delete(@PathParam("id") String id) {
        channels.delete(caller(), id);
    }

    private long caller() {
        return Caller.claims(identity).userId();
    }
}
