package io.parley.chat.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.protocol.CloseCodes;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Once a second: ping every socket silent and unpinged for {@code ping-interval} (a timer sweep per event loop instead
 * of a timer per connection: an idle connection costs nothing between its pings, and pings stay spread over the
 * interval as connections were opened), resend what stayed unacknowledged past {@code retransmit-after} without progress (closing the
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
    private final long pingNanos;
    private final Instance<PingedSessions> others;
    private static final long PRUNE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** An idle window is kept this long (well past any retransmission or late duplicate of its messages). */
    private final long forgetAfterNanos;
    private final Counter retransmitted;
    private final Counter idleClosed;

    public DeliveryTimers(LocalConnections connections, Outbound outbound, Replay replay, ChatConfig config,
                          MeterRegistry metrics, Instance<PingedSessions> others) {
        this.others = others;
        this.pingNanos = config.delivery().pingInterval().toNanos();
        this.connections = connections;
        this.outbound = outbound;
        this.replay = replay;
        this.retransmitAfterNanos = config.delivery().retransmitAfter().toNanos();
        this.maxAttempts = config.delivery().retransmitAttempts();
        this.forgetAfterNanos = Math.max(TimeUnit.MINUTES.toNanos(2), 3 * retransmitAfterNanos * (maxAttempts + 1));
        this.idleNanos = config.delivery().idleTimeout().toNanos();
        this.retransmitted = metrics.counter("parley.chat.retransmitted");
        this.idleClosed = metrics.counter("parley.chat.closed", "reason", "idle");
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void tick() {
        Map<EventLoop, List<ClientSession>> chat = byLoop(connections.all());
        chat.forEach((loop, sessions) -> Outbound.onLoop(loop, () -> sweep(sessions)));
        for (PingedSessions registry : others) {
            byLoop(registry.all()).forEach((loop, sessions) -> Outbound.onLoop(loop, () -> pingDue(sessions, System.nanoTime())));
        }
    }

    private static Map<EventLoop, List<ClientSession>> byLoop(Iterable<ClientSession> sessions) {
        Map<EventLoop, List<ClientSession>> byLoop = new IdentityHashMap<>();
        for (ClientSession session : sessions) {
            byLoop.computeIfAbsent(session.loop(), l -> new ArrayList<>()).add(session);
        }
        return byLoop;
    }

    private void pingDue(List<ClientSession> sessions, long now) {
        for (ClientSession session : sessions) {
            ping(session, now);
        }
    }

    /**
     * A ping when the socket was neither pinged nor heard from for {@code ping-interval}: a client that showed life
     * meanwhile (its own pings, acks, anything) needs none — half the frames of an idle node whose clients ping on
     * their own, and a phone's radio woken half as often.
     */
    private void ping(ClientSession session, long now) {
        if (now - session.lastPingNanos >= pingNanos && now - session.lastHeardNanos() >= pingNanos) {
            session.lastPingNanos = now;
            outbound.ping(session);
        }
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
            ping(session, now);
            retransmit(session, now);
        }
    }

    /**
     * Resends ranges that waited too long, and now and then forgets windows with nothing pending that saw no progress
     * for {@link #forgetAfterNanos}: under 1:1 traffic a connection receives from ever new conversations, and
     * without this its windows — and this sweep over them — grew without bound. A session with nothing
     * unacknowledged is not iterated at all between those rounds.
     */
    private void retransmit(ClientSession session, long now) {
        boolean prune = now - session.lastPrunedNanos >= PRUNE_EVERY_NANOS;
        if (session.unackedNow() == 0 && !prune) {
            return;
        }
        if (prune) {
            session.lastPrunedNanos = now;
        }
        for (Iterator<Map.Entry<String, DeliveryWindow>> it = session.windows().entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, DeliveryWindow> entry = it.next();
            DeliveryWindow window = entry.getValue();
            if (!window.pending()) {
                if (prune && now - window.waitingSinceNanos > forgetAfterNanos) {
                    it.remove();
                }
                continue;
            }
            if (now - window.waitingSinceNanos < retransmitAfterNanos) {
                continue;
            }
            if (window.attempts >= maxAttempts) {
                outbound.close(session, CloseCodes.RETRANSMIT_EXHAUSTED, "messages stayed unacknowledged; reconnect and sync");
                return;
            }
            window.attempts++;
            window.waitingSinceNanos = now;
            String conversation = entry.getKey();
            replay.range(conversation, window.base(), window.delivered()).subscribe().with(
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
