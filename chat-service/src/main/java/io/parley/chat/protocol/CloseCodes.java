package io.parley.chat.protocol;

import io.quarkus.websockets.next.CloseReason;

/**
 * WebSocket close codes. 4000–4499: the client should reconnect (to any node) and resume with {@code sync};
 * 4500–4999: it should not reconnect as it is (fix the token or the client first).
 */
public final class CloseCodes {

    /** The node is going away (shutdown or drain); reconnect elsewhere and sync. */
    public static final int RECONNECT_ELSEWHERE = 4000;
    /** The node lost its fan-out subscription and may have missed messages; reconnect and sync. */
    public static final int RESYNC = 4001;
    /** Nothing received within the idle timeout. */
    public static final int IDLE_TIMEOUT = 4002;
    /** The client did not read fast enough; its outbound queue overflowed. Reconnect and sync. */
    public static final int SLOW_CONSUMER = 4003;
    /** Messages stayed unacknowledged after every retransmission. Reconnect and sync. */
    public static final int RETRANSMIT_EXHAUSTED = 4004;
    /** The node is shedding load: reconnect (the load balancer picks another node) and sync. */
    public static final int SHED = 4006;
    /** The client sent frames faster than its rate limit; reconnect after a pause. */
    public static final int RATE_LIMITED = 4429;
    /** The token's session was revoked or has expired; log in again before reconnecting. */
    public static final int SESSION_ENDED = 4501;
    /**
     * The user opened more connections than the per-user cap; this was the oldest. Do not reconnect automatically
     * (two devices would keep evicting each other).
     */
    public static final int CONNECTION_LIMIT = 4508;
    /** A frame was larger than the frame limit; a client bug, do not resend it. */
    public static final int FRAME_TOO_LARGE = 4513;

    private CloseCodes() {
    }

    public static CloseReason reason(int code, String message) {
        return new CloseReason(code, message);
    }
}
