package io.parley.chat.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.protocol.CloseCodes;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Pings every socket silent and unpinged for {@code ping-interval}, resends what stayed unacknowledged past
 * {@code retransmit-after} without progress (closing the connection, 4004, after {@code retransmit-attempts}), and
 * closes connections silent past {@code idle-timeout} (4002) — a dead peer that never sent a close frame is noticed
 * here.
 *
 * <p>Each event loop keeps its own connections' timers ({@link LoopTimers}, ticked once a second on the loop, since
 * delivery state is confined to the loop): a connection waits in a timing wheel for the second it is next due a ping
 * or an idle check, and only connections holding delivery windows are looked at for retransmission. An idle node's
 * tick touches the few connections due that second, not all of them (regrouping every connection by loop each second
 * was most of an idle node's CPU with 18,000 connections open). A resend re-reads the unacknowledged range from the
 * store ({@link Replay}).
 */
@ApplicationScoped
public class DeliveryTimers {

    private static final Logger LOG = Logger.getLogger(DeliveryTimers.class);

    private final Outbound outbound;
    private final Replay replay;
    private final long retransmitAfterNanos;
    private final int maxAttempts;
    private final long idleNanos;
    private final long pingNanos;
    private static final long PRUNE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** An idle window is kept this long (well past any retransmission or late duplicate of its messages). */
    private final long forgetAfterNanos;
    private final Counter retransmitted;
    private final Counter idleClosed;
    private final Map<EventLoop, LoopTimers> loops = new ConcurrentHashMap<>();
    private final List<ScheduledFuture<?>> ticks = new CopyOnWriteArrayList<>();

    public DeliveryTimers(Outbound outbound, Replay replay, ChatConfig config, MeterRegistry metrics) {
        this.pingNanos = config.delivery().pingInterval().toNanos();
        this.outbound = outbound;
        this.replay = replay;
        this.retransmitAfterNanos = config.delivery().retransmitAfter().toNanos();
        this.maxAttempts = config.delivery().retransmitAttempts();
        this.forgetAfterNanos = Math.max(TimeUnit.MINUTES.toNanos(2), 3 * retransmitAfterNanos * (maxAttempts + 1));
        this.idleNanos = config.delivery().idleTimeout().toNanos();
        this.retransmitted = metrics.counter("parley.chat.retransmitted");
        this.idleClosed = metrics.counter("parley.chat.closed", "reason", "idle");
        Gauge.builder("parley.chat.timers.watched", loops, DeliveryTimers::watched)
                .description("connections waiting in the event loops' timer wheels for a ping or an idle check")
                .register(metrics);
    }

    /** A /ws/chat connection: pinged, closed when idle, its unacknowledged messages resent. */
    public void watch(ClientSession session) {
        watch(session, true);
    }

    /** A socket that is only pinged (/ws/notify: nothing to resend, and its clients need no idle check). */
    public void watchPings(ClientSession session) {
        watch(session, false);
    }

    private void watch(ClientSession session, boolean chat) {
        EventLoop loop = session.loop() != null ? session.loop() : Fallback.LOOP;
        Outbound.onLoop(loop, () -> {
            LoopTimers timers = loops.computeIfAbsent(loop, this::start);
            session.closesWhenIdle = chat;
            if (chat) {
                session.timers = timers;
                if (session.hasWindows()) { // written to (the arrival backlog) before it was watched
                    timers.listInFlight(session);
                }
            }
            timers.schedule(session, nextDue(session));
        });
    }

    private LoopTimers start(EventLoop loop) {
        LoopTimers timers = new LoopTimers(this, System.nanoTime());
        ticks.add(loop.scheduleAtFixedRate(timers::tick, 1, 1, TimeUnit.SECONDS));
        return timers;
    }

    @PreDestroy
    void stop() {
        ticks.forEach(tick -> tick.cancel(false));
    }

    /** Event loop only: the session's second in the wheel came. */
    void due(LoopTimers timers, ClientSession session, long now) {
        if (session.isClosing() || session.connection().isClosed()) {
            return; // gone: its entry ends here
        }
        if (session.closesWhenIdle && now - session.lastHeardNanos() > idleNanos) {
            idleClosed.increment();
            outbound.close(session, CloseCodes.IDLE_TIMEOUT, "nothing heard within the idle timeout");
            return;
        }
        ping(session, now);
        timers.schedule(session, nextDue(session));
    }

    /** The next ping (if nothing is heard meanwhile) or, sooner, the idle deadline. */
    private long nextDue(ClientSession session) {
        long ping = Math.max(session.lastPingNanos, session.lastHeardNanos()) + pingNanos;
        return session.closesWhenIdle ? Math.min(ping, session.lastHeardNanos() + idleNanos + 1) : ping;
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

    /**
     * Event loop only, each tick for a connection that holds delivery windows: resends ranges that waited too long,
     * and now and then forgets windows with nothing pending that saw no progress for {@link #forgetAfterNanos}
     * (under 1:1 traffic a connection receives from ever new conversations; without this its windows grew without
     * bound). False once the connection holds no window (or is gone): it leaves the list until its next delivery.
     */
    boolean retransmit(ClientSession session, long now) {
        if (session.isClosing() || session.connection().isClosed()) {
            return false;
        }
        boolean prune = now - session.lastPrunedNanos >= PRUNE_EVERY_NANOS;
        if (session.unackedNow() == 0 && !prune) {
            return true;
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
                return false;
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
        return session.hasWindows();
    }

    private static double watched(Map<EventLoop, LoopTimers> loops) {
        // read off the loops for monitoring: an approximate figure is fine
        return loops.values().stream().mapToInt(LoopTimers::watched).sum();
    }

    /** Sockets without a Netty channel (none in production: Vert.x's HTTP/1.1 connections have one) share a loop. */
    private static final class Fallback {
        static final EventLoop LOOP = new DefaultEventLoop();
    }
}
