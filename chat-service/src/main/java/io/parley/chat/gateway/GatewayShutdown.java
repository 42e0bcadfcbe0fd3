package io.parley.chat.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.delivery.ClientSession;
import io.parley.chat.delivery.LocalConnections;
import io.parley.chat.delivery.Outbound;
import io.parley.chat.notify.NotifyConnections;
import io.parley.chat.protocol.CloseCodes;
import io.parley.chat.service.SendService;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Drain and load shedding. On SIGTERM (Quarkus' shutdown delay: readiness already answers DOWN, so no new
 * traffic is routed here) the node refuses new upgrades (503), waits until every {@code send} it accepted has its
 * answer from Redis (durable), then closes its clients with 4000 ("reconnect elsewhere") spread evenly over the
 * drain window so they do not stampede the other nodes; they resume there with {@code sync}. Shedding closes a
 * fraction of the connections the same way with 4006, so new nodes take load.
 */
@ApplicationScoped
@Startup // created at start, not at the first drain: its gauge and shed counter exist before anything happens (alerts)
public class GatewayShutdown {

    private static final Logger LOG = Logger.getLogger(GatewayShutdown.class);
    private static final long TICK_MS = 50;
    private static final Duration MAX_SEND_WAIT = Duration.ofSeconds(5);

    private final LocalConnections connections;
    private final NotifyConnections notify;
    private final Outbound outbound;
    private final SendService sends;
    private final Vertx vertx;
    private final Duration window;
    private volatile boolean draining;
    private final Counter shed;

    public GatewayShutdown(LocalConnections connections, NotifyConnections notify, Outbound outbound, SendService sends,
                           Vertx vertx, ChatConfig config, MeterRegistry metrics) {
        this.connections = connections;
        this.notify = notify;
        this.outbound = outbound;
        this.sends = sends;
        this.vertx = vertx;
        this.window = config.drain().window();
        metrics.gauge("parley.chat.draining", this, g -> g.draining ? 1 : 0);
        this.shed = Counter.builder("parley.chat.shed.connections")
                .description("connections this node closed with 4006 to shed load").register(metrics);
    }

    /** While draining, upgrades are refused: a client retries and the load balancer picks a ready node. */
    public boolean isDraining() {
        return draining;
    }

    void drain(@Observes ShutdownDelayInitiatedEvent event) {
        draining = true;
        long deadline = System.nanoTime() + MAX_SEND_WAIT.toNanos();
        while (sends.inFlight() > 0 && System.nanoTime() < deadline) {
            sleep(10); // the shutdown thread, not the event loop
        }
        if (sends.inFlight() > 0) {
            LOG.warnf("draining with %d sends still unanswered (their clients resend the same clientMsgId)", sends.inFlight());
        }
        List<ClientSession> all = new ArrayList<>(connections.all());
        all.addAll(notify.all());
        // most of the delay; the rest lets the last close frames go out before the server stops
        long spreadMs = Math.max(0, window.toMillis() * 8 / 10);
        LOG.infof("draining: %d clients are asked to reconnect elsewhere over %d ms", all.size(), spreadMs);
        closeSpread(all, CloseCodes.RECONNECT_ELSEWHERE, "node shutting down; reconnect and sync", spreadMs);
    }

    /**
     * Closes {@code fraction} of this node's {@code /ws/chat} connections (random ones) with 4006 over
     * {@code spread}; returns how many.
     */
    public int shed(double fraction, Duration spread) {
        List<ClientSession> all = new ArrayList<>(connections.all());
        Collections.shuffle(all);
        int count = (int) Math.ceil(all.size() * Math.max(0, Math.min(1, fraction)));
        List<ClientSession> chosen = all.subList(0, count);
        LOG.infof("shedding %d of %d connections over %d ms", count, all.size(), spread.toMillis());
        shed.increment(count);
        closeSpread(new ArrayList<>(chosen), CloseCodes.SHED, "node shedding load; reconnect and sync", spread.toMillis());
        return count;
    }

    /** Closes the sessions evenly over {@code spreadMs}: a few every tick instead of all at once. */
    private void closeSpread(List<ClientSession> sessions, int code, String reason, long spreadMs) {
        if (sessions.isEmpty()) {
            return;
        }
        long ticks = Math.max(1, spreadMs / TICK_MS);
        int perTick = (int) Math.max(1, (sessions.size() + ticks - 1) / ticks);
        AtomicInteger next = new AtomicInteger();
        Runnable tick = () -> {
            int from = next.getAndAdd(perTick);
            for (int i = from; i < Math.min(sessions.size(), from + perTick); i++) {
                outbound.close(sessions.get(i), code, reason);
            }
        };
        tick.run();
        if (sessions.size() > perTick) {
            vertx.setPeriodic(TICK_MS, id -> {
                tick.run();
                if (next.get() >= sessions.size()) {
                    vertx.cancelTimer(id);
                }
            });
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
