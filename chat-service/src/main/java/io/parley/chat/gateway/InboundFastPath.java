package io.parley.chat.gateway;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
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
import io.parley.chat.protocol.FrameException;
import io.parley.chat.protocol.FrameParser;
import io.parley.chat.protocol.FrameTypes;
import io.parley.chat.protocol.ServerFrames;
import io.parley.chat.service.AckService;
import io.parley.chat.service.SendService;
import io.parley.common.error.ErrorCode;
import io.vertx.core.net.impl.VertxHandler;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;

/**
 * The inbound hot path, underneath websockets-next: a Netty handler in each {@code /ws/chat} socket's pipeline,
 * just before Vert.x's, that takes the frames clients send most — {@code ack} ({@link AckScanner}, straight from
 * the bytes), {@code send}, and the keep-alive {@code ping} of an idle client (its canonical form, byte for byte) — and
 * handles them on the socket's event loop with plain callbacks. Through
 * websockets-next each frame costs a task, a duplicated context, a Uni subscription with context propagation and a
 * Jackson tree; a send then ran some twenty Mutiny operators. Every other frame — and any ack or send this path
 * does not take (a malformed one, one over the size limit) — goes on to {@link ChatSocket} unchanged, which checks
 * and answers it as before. The same admission rules apply on both paths ({@link InboundAdmission}).
 */
@Singleton
@ChannelHandler.Sharable
public class InboundFastPath extends ChannelInboundHandlerAdapter {

    static final String NAME = "parley-inbound";
    private static final AttributeKey<ClientSession> SESSION = AttributeKey.valueOf("parley.chat.session");
    /** A send frame has this string (its type); a frame without it is not looked at further. */
    private static final ByteBuf SEND_TYPE = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(
            ("\"" + FrameTypes.SEND + "\"").getBytes(StandardCharsets.US_ASCII)));
    /**
     * A ping as the JavaScript client and most others write it. Any other spelling (spaces, more fields) goes on to
     * {@link ChatSocket}, which answers it the same way.
     */
    private static final ByteBuf PING = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(
            ("{\"type\":\"" + FrameTypes.PING + "\"}").getBytes(StandardCharsets.US_ASCII)));

    private final AckService acks;
    private final SendService sends;
    private final FrameParser parser;
    private final Outbound outbound;
    private final InboundAdmission admission;
    private final Counter acksIn;
    private final Counter sendsIn;
    private final Counter pingsIn;

    public InboundFastPath(AckService acks, SendService sends, FrameParser parser, Outbound outbound,
                           InboundAdmission admission) {
        this.acks = acks;
        this.sends = sends;
        this.parser = parser;
        this.outbound = outbound;
        this.admission = admission;
        this.acksIn = admission.counter(FrameTypes.ACK);
        this.sendsIn = admission.counter(FrameTypes.SEND);
        this.pingsIn = admission.counter(FrameTypes.PING);
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
            if (session != null) {
                ByteBuf content = text.content();
                if (ByteBufUtil.equals(PING, content)) {
                    ReferenceCountUtil.release(msg);
                    handlePing(session);
                    return;
                }
                ClientFrame.Ack ack = AckScanner.scan(content);
                if (ack != null) {
                    ReferenceCountUtil.release(msg);
                    handleAck(session, ack);
                    return;
                }
                ClientFrame.Send send = send(content);
                if (send != null) {
                    long bytes = content.readableBytes();
                    ReferenceCountUtil.release(msg);
                    handleSend(session, send, bytes);
                    return;
                }
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** The send in the frame, or {@code null} if it is not a well-formed send within the size limit. */
    private ClientFrame.Send send(ByteBuf content) {
        if (content.readableBytes() > admission.maxFrameBytes() || ByteBufUtil.indexOf(SEND_TYPE, content) < 0) {
            return null;
        }
        try {
            return parser.parse(content.toString(StandardCharsets.UTF_8)) instanceof ClientFrame.Send send ? send : null;
        } catch (FrameException e) {
            return null; // ChatSocket parses it again and answers the error
        }
    }

    private void handlePing(ClientSession session) {
        if (admission.admit(session, 0)) {
            pingsIn.increment();
            outbound.write(session, ServerFrames.PONG);
        }
    }

    private void handleAck(ClientSession session, ClientFrame.Ack ack) {
        if (!admission.admit(session, 0)) {
            return;
        }
        acksIn.increment();
        if (!acks.ack(session, ack.conversation(), ack.seq())) {
            admission.reject(session, new FrameException(ErrorCode.FORBIDDEN,
                    "you are not in conversation " + ack.conversation().value(), null));
        }
    }

    private void handleSend(ClientSession session, ClientFrame.Send send, long bytes) {
        if (!admission.admit(session, bytes)) {
            return;
        }
        sendsIn.increment();
        sends.send(session, send, (sent, failure) -> {
            if (failure == null) {
                outbound.write(session, sent);
            } else {
                admission.failed(session, failure, send.clientMsgId());
            }
        });
    }
}
