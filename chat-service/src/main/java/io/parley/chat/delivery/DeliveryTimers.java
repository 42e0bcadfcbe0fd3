package io.parley.chat.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.protocol.CloseCodes;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Once a second: resend what stayed unacknowledged past {@code retransmit-after} (closing the connection,
 * 4004, after {@code retransmit-attempts}), and close connections silent past {@code idle-timeout} (4002) —
 * a dead peer that never sent a close frame is noticed here.
 */
@ApplicationScoped
public class DeliveryTimers {

    private final LocalConnections connections;
    private final Outbound outbound;
    private final long retransmitAfterNanos;
    private final int maxAttempts;
    private final long idleNanos;
    private final Counter retransmitted;
    private final Counter idleClosed;

    public DeliveryTimers(LocalConnections connections, Outbound outbound, ChatConfig config, MeterRegistry metrics) {
        this.connections = connections;
        this.outbound = outbound;
        this.retransmitAfterNanos = config.delivery().retransmitAfter().toNanos();
        this.maxAttempts = config.delivery().retransmitAttempts();
        this.idleNanos = config.delivery().idleTimeout().toNanos();
        this.retransmitted = metrics.counter("parley.chat.retransmitted");
        this.idleClosed = metrics.counter("parley.chat.closed", "reason", "idle");
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        long now = System.nanoTime();
        for (ClientSession session : connections.all()) {
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
        for (Map.Entry<String, NavigableMap<Long, ClientSession.Pending>> conversation : session.unacked().entrySet()) {
            for (ClientSession.Pending pending : conversation.getValue().values()) {
                if (now - pending.sentAtNanos < retransmitAfterNanos) {
                    continue;
                }
                if (pending.attempts >= maxAttempts) {
                    outbound.close(session, CloseCodes.RETRANSMIT_EXHAUSTED, "messages stayed unacknowledged; reconnect and sync");
                    return;
                }
                pending.attempts++;
                pending.sentAtNanos = now;
                retransmitted.increment();
                outbound.write(session, pending.frame);
            }
        }
    }
}
