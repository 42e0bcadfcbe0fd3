package io.parley.chat.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.parley.chat.delivery.ClientSession;
import io.parley.chat.delivery.Outbound;
import io.parley.chat.protocol.AckScanner;
import io.parley.chat.protocol.ClientFrame;
import io.parley.chat.protocol.CloseCodes;
import io.parley.chat.protocol.ServerFrames;
import io.parley.chat.service.AckService;
import io.parley.common.error.ErrorCode;
import io.vertx.core.net.impl.VertxHandler;
import jakarta.inject.Singleton;

/**
 * The inbound hot path, underneath websockets-next: a Netty handler in each {@code /ws/chat} socket's pipeline,
 * just before Vert.x's, that takes plain {@code ack} frames ({@link AckScanner}) and hands them straight to
 * {@link AckService} on the socket's event loop. Acks are most inbound frames (one per conversation per ack
 * interval per client); through websockets-next each costs a task, a duplicated context, a Uni subscription with
 * context propagation and a Jackson tree. Every other frame — and any ack this path does not recognise — goes on
 * to {@link ChatSocket} unchanged, which checks it as before. The same admission rules apply here: the frame rate
 * budget (4429) and activity for the idle timeout.
 */
@Singleton
@ChannelHandler.Sharable
public class AckFastPath extends ChannelInboundHandlerAdapter {

    static final String NAME = "parley-acks";
    private static final AttributeKey<ClientSession> SESSION = AttributeKey.valueOf("parley.chat.session");

    private final AckService acks;
    private final Outbound outbound;
    private final ServerFrames frames;
    private final Counter acksIn;
    private final Counter rateLimited;
    private final Counter forbidden;

    public AckFastPath(AckService acks, Outbound outbound, ServerFrames frames, MeterRegistry metrics) {
        this.acks = acks;
        this.outbound = outbound;
        this.frames = frames;
        this.acksIn = metrics.counter("parley.chat.frames.in", "type", "ack");
        this.rateLimited = metrics.counter("parley.chat.frame.errors", "code", "rate_limited");
        this.forbidden = metrics.counter("parley.chat.frame.errors", "code", ErrorCode.FORBIDDEN.name());
    }

    /** Puts the handler in the session's socket pipeline (no-op without a channel, or if already there). */
    void install(ClientSession session, Channel channel) {
        if (channel == null || session.binary()) {
            return; // binary (CBOR) frames take the general path
        }
        channel.attr(SESSION).set(session);
        Runnable add = () -> {
            ChannelPipeline pipeline = channel.pipeline();
            var vertx = pipeline.context(VertxHandler.class);
            if (vertx != null && pipeline.get(NAME) == null) {
                pipeline.addBefore(vertx.name(), NAME, this);
            }
        };
        if (channel.eventLoop().inEventLoop()) {
            add.run();
        } else {
            channel.eventLoop().execute(add);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof TextWebSocketFrame text && text.isFinalFragment()) {
            ClientSession session = ctx.channel().attr(SESSION).get();
            ClientFrame.Ack ack = session == null ? null : AckScanner.scan(text.content());
            if (ack != null) {
                ReferenceCountUtil.release(msg);
                handle(session, ack);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void handle(ClientSession session, ClientFrame.Ack ack) {
        if (session.isClosing()) {
            return;
        }
        session.heard();
        if (!session.tryTakeInboundToken()) {
            rateLimited.increment();
            outbound.close(session, CloseCodes.RATE_LIMITED, "too many frames; slow down and reconnect");
            return;
        }
        acksIn.increment();
        if (!acks.ack(session, ack.conversation(), ack.seq())) {
            forbidden.increment();
            outbound.write(session, frames.error(ErrorCode.FORBIDDEN,
                    "you are not in conversation " + ack.conversation().value(), null));
        }
    }
}
