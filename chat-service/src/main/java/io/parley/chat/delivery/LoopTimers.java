package io.parley.chat.delivery;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The timers of one event loop's connections, touched only on that loop: a {@link TimerWheel} of the connections by
 * the second each is next due a ping or an idle check, and the list of connections that hold delivery windows (the
 * only ones a retransmission or a window prune can concern). A tick once a second takes what is due; an idle
 * connection is looked at once per ping interval and never for retransmission.
 */
final class LoopTimers {

    private static final Logger LOG = Logger.getLogger(LoopTimers.class);
    /** Seconds the wheel places ahead in one round: above the default ping interval (20 s), a power of two. */
    private static final int SPAN = 64;

    private final DeliveryTimers policy;
    private final TimerWheel<ClientSession> wheel;
    private ArrayList<ClientSession> inFlight = new ArrayList<>();
    private ArrayList<ClientSession> spare = new ArrayList<>();

    LoopTimers(DeliveryTimers policy, long nowNanos) {
        this.policy = policy;
        this.wheel = new TimerWheel<>(SPAN, secondOf(nowNanos), s -> s.timerDueSecond, (s, second) -> s.timerDueSecond = second);
    }

    static long secondOf(long nanos) {
        return Math.floorDiv(nanos, TimeUnit.SECONDS.toNanos(1));
    }

    /** Event loop only: {@code session} is looked at from {@code dueNanos} on (rounded up to its second). */
    void schedule(ClientSession session, long dueNanos) {
        wheel.add(session, secondOf(dueNanos - 1) + 1);
    }

    /** Event loop only: the session holds delivery windows; it is looked at every tick until it holds none. */
    void listInFlight(ClientSession session) {
        if (!session.inFlightListed) {
            session.inFlightListed = true;
            inFlight.add(session);
        }
    }

    /** Event loop only, once a second. */
    void tick() {
        try {
            long now = System.nanoTime();
            wheel.advance(secondOf(now), session -> policy.due(this, session, now));
            ArrayList<ClientSession> visiting = inFlight;
            inFlight = spare;
            for (int i = 0; i < visiting.size(); i++) {
                ClientSession session = visiting.get(i);
                session.inFlightListed = false;
                if (policy.retransmit(session, now)) {
                    listInFlight(session);
                }
            }
            visiting.clear();
            spare = visiting;
        } catch (RuntimeException e) {
            // a failure here must not end the loop's timer (a periodic task that throws is not run again)
            LOG.errorf(e, "delivery timers of an event loop failed; continuing at the next tick");
        }
    }

    int watched() {
        return wheel.size();
    }
}
