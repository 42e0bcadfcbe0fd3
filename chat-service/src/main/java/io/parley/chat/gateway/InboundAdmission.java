package io.parley.chat.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.delivery.ClientSession;
import io.parley.chat.delivery.Outbound;
import io.parley.chat.protocol.CloseCodes;
import io.parley.chat.protocol.FrameException;
import io.parley.chat.protocol.ServerFrames;
import io.parley.common.error.ErrorCode;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * What every inbound {@code /ws/chat} frame passes, whichever path takes it ({@link ChatSocket} or
 * {@link InboundFastPath}): a live session, the frame-rate budget (4429), the size limit (4513), activity for the
 * idle timeout — and how a frame that fails is answered: the contract's {@code error} frame, counted by code.
 */
@Singleton // no client proxy on the per-frame path
public class InboundAdmission {

    private static final Logger LOG = Logger.getLogger(InboundAdmission.class);

    private final Outbound outbound;
    private final ServerFrames frames;
    private final ChatConfig.Limits limits;
    private final MeterRegistry metrics;
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Map<String, Counter> framesIn = new ConcurrentHashMap<>();

    public InboundAdmission(Outbound outbound, ServerFrames frames, ChatConfig config, MeterRegistry metrics) {
        this.outbound = outbound;
        this.frames = frames;
        this.limits = config.limits();
        this.metrics = metrics;
    }

    /**
     * The checks before a frame is decoded. True: go on. False: the frame is dropped (and the connection closed if
     * it went over a limit).
     */
    public boolean admit(ClientSession session, long frameBytes) {
        if (session == null || session.isClosing()) {
            return false;
        }
        session.heard();
        if (!session.tryTakeInboundToken()) {
            count("rate_limited");
            outbound.close(session, CloseCodes.RATE_LIMITED, "too many frames; slow down and reconnect");
            return false;
        }
        if (frameBytes > limits.maxFrameBytes()) {
            count("frame_too_large");
            outbound.close(session, CloseCodes.FRAME_TOO_LARGE, "frame larger than " + limits.maxFrameBytes() + " bytes");
            return false;
        }
        return true;
    }

    /** The largest frame {@link #admit} lets through. */
    public int maxFrameBytes() {
        return limits.maxFrameBytes();
    }

    /** Counts an accepted frame by type ({@code parley.chat.frames.in}). */
    public void counted(String type) {
        counter(type).increment();
    }

    /** The counter of one frame type, for a caller that counts every frame of that type. */
    public Counter counter(String type) {
        return framesIn.computeIfAbsent(type, t -> metrics.counter("parley.chat.frames.in", "type", t));
    }

    /** A frame refused for a reason the client can fix: an {@code error} frame with its code. */
    public void reject(ClientSession session, FrameException e) {
        count(e.code().name());
        outbound.write(session, frames.error(e.code(), e.getMessage(), e.ref()));
    }

    /** A frame that failed on our side (Redis, a peer service): UNAVAILABLE, and the client retries. */
    public void unexpected(ClientSession session, Throwable failure, String ref) {
        LOG.warnf(failure, "frame from user %d failed", session.userId());
        count(ErrorCode.UNAVAILABLE.name());
        outbound.write(session, frames.error(ErrorCode.UNAVAILABLE, "temporarily unable to handle the frame; retry", ref));
    }

    /** Either of the two, by the failure's kind. */
    public void failed(ClientSession session, Throwable failure, String ref) {
        if (failure instanceof FrameException rejected) {
            reject(session, rejected);
        } else {
            unexpected(session, failure, ref);
        }
    }

    private void count(String code) {
        errors.computeIfAbsent(code, c -> metrics.counter("parley.chat.frame.errors", "code", c)).increment();
    }
}
