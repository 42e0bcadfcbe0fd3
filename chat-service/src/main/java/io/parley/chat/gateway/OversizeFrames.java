package io.parley.chat.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.parley.chat.delivery.ClientSession;
import io.parley.chat.delivery.LocalConnections;
import io.parley.chat.delivery.Outbound;
import io.parley.chat.notify.NotifyConnections;
import io.parley.chat.protocol.CloseCodes;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Every oversize frame, whole or fragmented, on {@code /ws/chat} and {@code /ws/notify}, is answered with close
 * {@value CloseCodes#FRAME_TOO_LARGE} — also those the socket layer refuses before the endpoint sees them.
 *
 * <p>Frames up to the socket layer's caps ({@code quarkus.websockets-next.server.max-message-size} for a message,
 * {@code max-frame-size} for one frame) reach the endpoints, which close those over
 * {@code parley.chat.limits.max-frame-bytes} themselves. Past the caps the layer stops buffering and raises an
 * error instead: Vert.x's message aggregator an {@link IllegalStateException} ("… overflow max message size …"),
 * Netty's frame decoder a {@link CorruptedWebSocketFrameException} with status 1009. Unhandled, websockets-next
 * logs those at ERROR with a stack trace and closes with 1011; these global error handlers (websockets-next calls
 * them for any endpoint without a matching handler of its own) close with 4513 instead. Any other error of those
 * types is failed on, so the framework's default handling applies to it as before.
 *
 * <p>A single frame over the decoder's cap needs one more step: Vert.x closes the socket the moment the decoder
 * raises, before any handler could write a close frame (the client would see 1006). {@link #guard} puts a small
 * handler in front of Vert.x's on every upgraded connection ({@link TokenUpgradeCheck}); it writes the 4513 close
 * frame itself, keeps reading (the decoder discards the rest of the frame) so the client can read it and answer,
 * and closes the socket after {@link #CLOSE_GRACE_SECONDS} at the latest.
 */
@Singleton
public class OversizeFrames {

    private static final Logger LOG = Logger.getLogger(OversizeFrames.class);
    static final long CLOSE_GRACE_SECONDS = 2;
    private static final String GUARD = "parley-frame-cap";
    private static final FrameCapGuard FRAME_CAP_GUARD = new FrameCapGuard();

    /** Puts the frame-cap guard in front of Vert.x's handler on an upgrading connection (idempotent). */
    public static void guard(Channel channel) {
        if (channel.pipeline().get(GUARD) == null && channel.pipeline().get("handler") != null) {
            channel.pipeline().addBefore("handler", GUARD, FRAME_CAP_GUARD);
        }
    }

    @ChannelHandler.Sharable
    static final class FrameCapGuard extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof CorruptedWebSocketFrameException e && e.closeStatus() != null
                    && e.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
                // not passed on: Vert.x would close the socket before a close frame could go out, and log at ERROR
                ctx.writeAndFlush(new CloseWebSocketFrame(CloseCodes.FRAME_TOO_LARGE, "frame too large"))
                        .addListener(f -> ctx.executor().schedule(() -> {
                            ctx.close();
                        }, CLOSE_GRACE_SECONDS, TimeUnit.SECONDS));
                return;
            }
            ctx.fireExceptionCaught(cause);
        }
    }
    /** How Vert.x 4's WebSocket frame aggregator words the message-size overflow (WebSocketImplBase). */
    private static final String VERTX_OVERFLOW = "to overflow max message size";

    private final LocalConnections chats;
    private final NotifyConnections notifies;
    private final Outbound outbound;
    private final Counter closed;

    public OversizeFrames(LocalConnections chats, NotifyConnections notifies, Outbound outbound, MeterRegistry metrics) {
        this.chats = chats;
        this.notifies = notifies;
        this.outbound = outbound;
        // the same counter the endpoints increment for frames they close themselves
        this.closed = metrics.counter("parley.chat.frame.errors", "code", "frame_too_large");
    }

    @OnError
    public Uni<Void> frameOverDecoderCap(CorruptedWebSocketFrameException e, WebSocketConnection connection) {
        WebSocketCloseStatus status = e.closeStatus();
        if (status == null || status.code() != WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
            return Uni.createFrom().failure(e);
        }
        return close(connection);
    }

    @OnError
    public Uni<Void> messageOverAggregatorCap(IllegalStateException e, WebSocketConnection connection) {
        if (!isMessageOverflow(e)) {
            return Uni.createFrom().failure(e);
        }
        return close(connection);
    }

    static boolean isMessageOverflow(IllegalStateException e) {
        return e.getMessage() != null && e.getMessage().contains(VERTX_OVERFLOW);
    }

    private Uni<Void> close(WebSocketConnection connection) {
        closed.increment();
        String reason = "frame too large";
        ClientSession session = chats.byConnectionId(connection.id());
        if (session == null) {
            session = notifies.byConnectionId(connection.id());
        }
        if (session != null) {
            outbound.close(session, CloseCodes.FRAME_TOO_LARGE, reason);
            return Uni.createFrom().voidItem();
        }
        LOG.debugf("oversize frame on %s before its session was registered", connection.id());
        return connection.close(CloseCodes.reason(CloseCodes.FRAME_TOO_LARGE, reason));
    }
}
