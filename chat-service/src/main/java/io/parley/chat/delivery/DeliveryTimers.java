package io.parley.chat.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.protocol.CloseCodes;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Once a second: resend what stayed unacknowledged past {@code retransmit-after} without progress (closing the
 * connection, 4004, after {@code retransmit-attempts}), and close connections silent past {@code idle-timeout}
 * (4002) — a dead peer that never sent a close frame is noticed here.
 *
 * <p>The sweep runs on each event loop over its own connections (one task per loop), since delivery state is
 * confined to the loop. A resend re-reads the unacknowledged range from the store ({@link Replay}).
 */
@ApplicationScoped
public class DeliveryTimers {

    private static final Logger LOG = Logger.getLogger(DeliveryTimers.class);

    private final LocalConnections connections;
    private final Outbound outbound;
    private final Replay replay;
    private final long retransmitAfterNanos;
    private final int maxAttempts;
    private final long idleNanos;
    private final Counter retransmitted;
    private final Counter idleClosed;

    public DeliveryTimers(LocalConnections connections, Outbound outbound, Replay replay, ChatConfig config,
                          MeterRegistry metrics) {
        this.connections = connections;
        this.outbound = outbound;
        this.replay = replay;
        this.retransmitAfterNanos = config.delivery().retransmitAfter().toNanos();
        this.maxAttempts = config.delivery().retransmitAttempts();
        this.idleNanos = config.delivery().idleTimeout().toNanos();
        this.retransmitted = metrics.counter("parley.chat.retransmitted");
        this.idleClosed = metrics.counter("parley.chat.closed", "reason", "idle");
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        Map<EventLoop, List<ClientSession>> byLoop = new IdentityHashMap<>();
        for (ClientSession session : connections.all()) {
            byLoop.computeIfAbsent(session.loop(), l -> new ArrayList<>()).add(session);
        }
        byLoop.forEach((loop, sessions) -> {
            if (loop == null || loop.inEventLoop()) {
                sweep(sessions);
            } else {
                loop.execute(() -> sweep(sessions));
            }
        });
    }

    private void sweep(List<ClientSession> sessions) {
        long now = System.nanoTime();
        for (ClientSession session : sessions) {
            if (session.isClosing()) {
                continue;
            }
            if (now - session.lastHeardNanos() > idleNanos) {
                idleClosed.increment();
                outbound.close(session, CloseCodes.IDLE_TIMEOUT, "nothing heard within the idle timeout");
                continue;
            }
            retransmit(session, now);
        }
    }

    private void retransmit(ClientSession session, long now) {
        for (Map.Entry<String, DeliveryWindow> entry : session.windows().entrySet()) {
            DeliveryWindow window = entry.getValue();
            if (!window.pending() || now - window.waitingSinceNanos < retransmitAfterNanos) {
                continue;
            }
            if (window.attempts >= maxAttempts) {
                outbound.close(session, CloseCodes.RETRANSMIT_EXHAUSTED, "messages stayed unacknowledged; reconnect and sync");
                return;
            }
            window.attempts++;
            window.waitingSinceNanos = now;
            String conversation = entry.getKey();
            replay.range(conversation, window.base(), window.delivered).subscribe().with(
                    frames -> {
                        retransmitted.increment(frames.size());
                        for (Replay.Replayed frame : frames) {
                            outbound.resend(session, frame.frame());
                        }
                    },
                    failure -> LOG.debugf("resend of %s to %s failed (retried next round): %s", conversation,
                            session.id(), failure.getMessage()));
        }
    }
}
