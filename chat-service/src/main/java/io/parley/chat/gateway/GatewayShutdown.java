package io.parley.chat.gateway;

import io.parley.chat.delivery.ClientSession;
import io.parley.chat.delivery.LocalConnections;
import io.parley.chat.delivery.Outbound;
import io.parley.chat.protocol.CloseCodes;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * On SIGTERM (the shutdown delay, while readiness already answers DOWN) every client is told to reconnect
 * elsewhere (4000) and resume with {@code sync}. Every {@code sent} already answered is durable in Redis, so
 * nothing acknowledged is lost. A spread-out drain window and load shedding come with the Kubernetes work.
 */
@ApplicationScoped
public class GatewayShutdown {

    private static final Logger LOG = Logger.getLogger(GatewayShutdown.class);

    private final LocalConnections connections;
    private final Outbound outbound;

    public GatewayShutdown(LocalConnections connections, Outbound outbound) {
        this.connections = connections;
        this.outbound = outbound;
    }

    void drain(@Observes ShutdownDelayInitiatedEvent event) {
        LOG.infof("shutting down: asking %d clients to reconnect elsewhere", connections.size());
        for (ClientSession session : connections.all()) {
            outbound.close(session, CloseCodes.RECONNECT_ELSEWHERE, "node shutting down; reconnect and sync");
        }
    }
}
