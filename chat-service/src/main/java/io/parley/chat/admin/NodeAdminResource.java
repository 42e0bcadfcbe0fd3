package io.parley.chat.admin;

import io.parley.chat.config.ChatConfig;
import io.parley.chat.delivery.LocalConnections;
import io.parley.chat.delivery.NodeIdentity;
import io.parley.chat.fanout.FanoutBroker;
import io.parley.chat.notify.NotifyConnections;
import io.parley.chat.topics.PublicationPusher;
import io.parley.chat.topics.TopicSubscriptions;
import io.parley.common.crypto.Secrets;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.common.openapi.ApiDocs;
import jakarta.annotation.security.PermitAll;
import io.parley.chat.gateway.GatewayShutdown;
import java.time.Duration;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.lang.management.ManagementFactory;
import java.util.List;

/** An operator's view of one node's load ({@code X-Admin-Key}); the same figures are Prometheus metrics. */
@Tag(name = "operators", description = "One node's load and load shedding")
@SecurityRequirement(name = ApiDocs.ADMIN_KEY)
@Path("/api/v1/admin/node")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class NodeAdminResource {

    /** One node's load. */
    public record NodeLoad(String node, long uptimeSeconds, int connections, int users, int notifyConnections,
                           long topicSubscriptions, int channels, long outboundQueued, long unacked,
                           List<Integer> publicationShards, long heapUsedBytes, long heapMaxBytes) {
    }

    /** {@code {"fraction": 0 < f <= 1, "windowSeconds"?}}. */
    public record ShedRequest(Double fraction, Integer windowSeconds) {
    }

    public record Shedding(int shedding, long overMillis) {
    }

    private final GatewayShutdown gateway;
    private final ChatConfig config;
    private final NodeIdentity node;
    private final LocalConnections connections;
    private final NotifyConnections notify;
    private final TopicSubscriptions topics;
    private final FanoutBroker broker;
    private final PublicationPusher pusher;

    public NodeAdminResource(ChatConfig config, NodeIdentity node, LocalConnections connections, NotifyConnections notify,
                             TopicSubscriptions topics, FanoutBroker broker, PublicationPusher pusher,
                             GatewayShutdown gateway) {
        this.gateway = gateway;
        this.config = config;
        this.node = node;
        this.connections = connections;
        this.notify = notify;
        this.topics = topics;
        this.broker = broker;
        this.pusher = pusher;
    }

    @Operation(summary = "This node's load", description = "The same figures are Prometheus gauges.")
    @APIResponse(responseCode = "200",
            description = "{\"node\",\"uptimeSeconds\",\"connections\",\"users\",\"notifyConnections\","
            + "\"topicSubscriptions\",\"channels\",\"outboundQueued\",\"unacked\",\"publicationShards\","
            + "\"heapUsedBytes\",\"heapMaxBytes\"}")
    @APIResponse(responseCode = "401", description = "`BAD_ADMIN_KEY`: missing or wrong X-Admin-Key")
    @APIResponse(responseCode = "404", description = "`NOT_FOUND`: no admin key is configured (the endpoint is off)")
    @GET
    public NodeLoad load(@HeaderParam("X-Admin-Key") String adminKey) {
        requireAdmin(config, adminKey);
        Runtime runtime = Runtime.getRuntime();
        return new NodeLoad(node.id(), ManagementFactory.getRuntimeMXBean().getUptime() / 1000, connections.size(),
                connections.userCount(), notify.size(), topics.subscriptionCount(), broker.subscriptionCount(),
                connections.queuedFrames(), connections.unackedMessages(), pusher.ownedShards(),
                runtime.totalMemory() - runtime.freeMemory(), runtime.maxMemory());
    }

    /**
     * Sheds load: closes the given fraction of this node's connections with 4006 ("reconnect elsewhere"),
     * spread over the window so the other nodes take them gradually.
     */
    @Operation(summary = "Shed load: close a fraction of this node's connections with 4006",
            description = "Spread over the window (default PARLEY_CHAT_DRAIN_SHED_WINDOW) so the other nodes take "
            + "them gradually.")
    @APIResponse(responseCode = "202", description = "{\"shedding\",\"overMillis\"}")
    @APIResponse(responseCode = "400",
            description = ApiDocs.MALFORMED_JSON + "; `INVALID_INPUT`: fraction not in (0, 1], or windowSeconds not "
            + "0-3600")
    @APIResponse(responseCode = "401", description = "`BAD_ADMIN_KEY`: missing or wrong X-Admin-Key")
    @APIResponse(responseCode = "404", description = "`NOT_FOUND`: no admin key is configured (the endpoint is off)")
    @POST
    @Path("/shed")
    @Consumes(MediaType.APPLICATION_JSON)
    @ResponseStatus(202)
    public Shedding shed(@HeaderParam("X-Admin-Key") String adminKey, ShedRequest request) {
        requireAdmin(config, adminKey);
        if (request == null || request.fraction() == null || !(request.fraction() > 0 && request.fraction() <= 1)) {
            throw ApiException.invalid("fraction is required: a number above 0 and at most 1");
        }
        if (request.windowSeconds() != null && (request.windowSeconds() < 0 || request.windowSeconds() > 3600)) {
            throw ApiException.invalid("windowSeconds is 0 to 3600");
        }
        Duration window = request.windowSeconds() == null ? config.drain().shedWindow()
                : Duration.ofSeconds(request.windowSeconds());
        return new Shedding(gateway.shed(request.fraction(), window), window.toMillis());
    }

    /** 404 when no admin key is configured (the endpoint does not exist), 401 on a wrong key. */
    public static void requireAdmin(ChatConfig config, String given) {
        String expected = config.adminKey().orElse(null);
        if (expected == null || expected.isEmpty()) {
            throw new ApiException(ErrorCode.NOT_FOUND, "the admin endpoint is off (set PARLEY_CHAT_ADMIN_KEY)");
        }
        if (given == null || !Secrets.constantTimeEquals(given, expected)) {
            throw new ApiException(ErrorCode.BAD_ADMIN_KEY);
        }
    }
}
