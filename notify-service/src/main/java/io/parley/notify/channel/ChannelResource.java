package io.parley.notify.channel;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.parley.common.error.ApiException;
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
import org.jboss.resteasy.reactive.ResponseStatus;

/** A user's channels: bind, verify, list, delete. Blocking (MySQL): runs on worker threads. */
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

    @POST
    @ResponseStatus(201)
    public Bound bind(BindRequest request) {
        if (request == null) {
            throw ApiException.invalid("a JSON body {type, address} is required");
        }
        ChannelService.ChannelView view = channels.bind(caller(), request.type(), request.address());
        return new Bound(view.id(), view.type(), view.address(), view.verified(), view.secret());
    }

    @POST
    @Path("/{id}/verify")
    public Map<String, Boolean> verify(@PathParam("id") String id, VerifyRequest request) {
        channels.verify(caller(), id, request == null ? null : request.code());
        return Map.of("verified", true);
    }

    @GET
    public List<Bound> list() {
        return channels.list(caller()).stream()
                .map(v -> new Bound(v.id(), v.type(), v.address(), v.verified(), null)).toList();
    }

    @DELETE
    @Path("/{id}")
    public void delete(@PathParam("id") String id) {
        channels.delete(caller(), id);
    }

    private long caller() {
        return Caller.claims(identity).userId();
    }
}
