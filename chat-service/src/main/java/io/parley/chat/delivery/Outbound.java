package io.parley.chat.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.protocol.BinaryFrames;
import io.parley.chat.protocol.CloseCodes;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Writes frames to clients through a bounded per-connection queue: a client that cannot keep up is closed
 * (4003) and resumes later with {@code sync}, so nobody else waits for it. Messages are tracked until
 * acknowledged, for retransmission.
 */
@Singleton // no client proxy on the per-frame path
public class Outbound {

    private static final Logger LOG = Logger.getLogger(Outbound.class);

    private final ChatConfig.Limits limits;
    private final Counter framesOut;
    private final Counter slowConsumers;

    private final BinaryFrames binaryFrames;

    public Outbound(ChatConfig config, MeterRegistry metrics, BinaryFrames binaryFrames) {
        this.binaryFrames = binaryFrames;
        this.limits = config.limits();
        this.framesOut = metrics.counter("parley.chat.frames.out");
        this.slowConsumers = metrics.counter("parley.chat.closed", "reason", "slow_consumer");
    }

    /** Delivers a message frame and remembers it until the client acknowledges its seq. */
    public void deliver(ClientSession session, String conversation, long seq, String frame) {
        deliver(session, conversation, seq, new SharedFrame(frame));
    }

    /** As {@link #deliver(ClientSession, String, long, String)}, for a frame shared by many recipients. */
    public void deliver(ClientSession session, String conversation, long seq, SharedFrame shared) {
        String frame = shared.text();
        if (!session.track(conversation, seq, frame, System.nanoTime())) {
            return; // already pending: the retransmission timer owns it
        }
        if (session.unackedCount() > limits.maxUnacked()) {
            slowConsumers.increment();
            close(session, CloseCodes.SLOW_CONSUMER, "too many unacknowledged messages; reconnect and sync");
            return;
        }
        write(session, shared);
    }

    /** The client has everything up to {@code seq} in the conversation: stop retransmitting it. */
    public void acknowledge(ClientSession session, String conversation, long seq) {
        session.acknowledge(conversation, seq);
    }

    /** Writes a frame that needs no acknowledgement ({@code sent}, {@code error}, {@code pong}, ...). */
    public void write(ClientSession session, String frame) {
        send(session, frame, null);
    }

    /** Writes a frame shared by many recipients (encoded to binary at most once). */
    public void write(ClientSession session, SharedFrame frame) {
        send(session, frame.text(), frame);
    }

    private void send(ClientSession session, String frame, SharedFrame shared) {
        if (session.isClosing()) {
            return;
        }
        if (session.writing().incrementAndGet() > limits.outboundQueue()) {
            session.writing().decrementAndGet();
            slowConsumers.increment();
            close(session, CloseCodes.SLOW_CONSUMER, "outbound queue full; reconnect and sync");
            return;
        }
        framesOut.increment();
        Uni<Void> sending = !session.binary() ? session.connection().sendText(frame)
                : session.connection().sendBinary(shared != null ? shared.binary(binaryFrames) : binaryFrames.encode(frame));
        sending.subscribe().with(
                ok -> session.writing().decrementAndGet(),
                failure -> {
                    session.writing().decrementAndGet();
                    LOG.debugf("write to %s failed: %s", session.id(), failure.getMessage());
                });
    }

    /** Closes once, with a documented close code. */
    public void close(ClientSession session, int code, String reason) {
        if (!session.markClosing()) {
            return;
        }
        session.connection().close(CloseCodes.reason(code, reason)).subscribe().with(
                ok -> { },
                failure -> LOG.debugf("close of %s failed: %s", session.id(), failure.getMessage()));
    }
}
