package io.parley.chat.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.protocol.FrameException;
import io.parley.chat.store.RedisPipeline;
import io.parley.common.error.ErrorCode;
import jakarta.inject.Singleton;

/**
 * Past what a node can carry, a send queued behind others only waits longer and is resent by its client anyway; the
 * queue grows, retransmissions join it, and everyone's latency goes to seconds. So a send is refused at once, before
 * anything is stored, while the event loop's Redis replies are more than {@code parley.chat.limits.shed-after}
 * behind: the sends it does accept stay fast, and the refused ones are resent (same clientMsgId) a moment later.
 * The signal is the age of the oldest command awaiting its reply on the loop's pipelined connection: it rises with
 * Redis's load and with the node's own (replies waiting in the socket for a busy loop) alike. Without the pipeline
 * (a Redis Cluster) there is no per-loop signal and nothing is shed.
 */
@Singleton // no client proxy on the per-frame path
public class SendShedding {

    private final RedisPipeline pipeline;
    private final long shedAfterNanos;
    private final Counter shed;

    public SendShedding(RedisPipeline pipeline, ChatConfig config, MeterRegistry metrics) {
        this.pipeline = pipeline;
        this.shedAfterNanos = config.limits().shedAfter().toNanos();
        this.shed = Counter.builder("parley.chat.sends.shed")
                .description("sends refused with UNAVAILABLE because the node's Redis replies were behind (overload)")
                .register(metrics);
    }

    /** Throws {@code UNAVAILABLE} (with the clientMsgId as ref) when the calling loop is overloaded. */
    public void check(String clientMsgId) {
        if (shedAfterNanos <= 0) {
            return;
        }
        long behind = pipeline.replyBacklogNanos();
        if (behind > shedAfterNanos) {
            shed.increment();
            throw new FrameException(ErrorCode.UNAVAILABLE, "the node is overloaded (Redis replies "
                    + behind / 1_000_000 + " ms behind); nothing stored, resend this clientMsgId in a moment", clientMsgId);
        }
    }
}
