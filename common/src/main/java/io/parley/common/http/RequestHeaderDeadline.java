package io.parley.common.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.impl.TCPServerBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The slowloris guard: a connection must deliver its first request's complete header block (up to the blank line)
 * within {@code parley.http.header-timeout} (10 s), or it is closed; and at most
 * {@code parley.http.max-half-open} (5,000) connections may be waiting for their header block at once — more are
 * closed as they arrive. Neither Vert.x nor Quarkus bound the time to a complete request (the idle timeout is reset
 * by every byte a slow client trickles in), so without this a few hundred sockets sending a header line every few
 * seconds hold their connections — and their upgrade slots — for as long as they like.
 *
 * <p>How: Quarkus owns the HTTP server and offers no per-connection hook, so once the server is bound a handler is
 * put in front of the Netty acceptor of each plain-text listener (found through Vert.x's shared server table; the
 * Vert.x internals used are pinned by the Quarkus BOM, and a test fails if they move). Each accepted connection gets a
 * small first handler that scans its bytes for the end of the header block and then removes itself: the request
 * itself (and a WebSocket after its upgrade) costs nothing more. TLS listeners are left alone (their bytes cannot be
 * scanned here; production terminates TLS at the ingress, whose own header timeout applies). Later requests on a
 * kept-alive connection are bounded by the idle timeout only.
 */
@ApplicationScoped
public class RequestHeaderDeadline {

    private static final Logger LOG = Logger.getLogger(RequestHeaderDeadline.class);
    static final String HANDLER = "parley-request-header-deadline";

    private final AtomicInteger halfOpen = new AtomicInteger();
    private final Set<Channel> guarded = Collections.newSetFromMap(new IdentityHashMap<>());
    private long timeoutMillis;
    private int maxHalfOpen;

    void start(@Observes StartupEvent event, Vertx vertx,
               @ConfigProperty(name = "parley.http.header-timeout", defaultValue = "10s") Duration timeout,
               @ConfigProperty(name = "parley.http.max-half-open", defaultValue = "5000") int maxHalfOpen) {
        this.timeoutMillis = timeout.toMillis();
        this.maxHalfOpen = maxHalfOpen;
        // the HTTP server binds after StartupEvent: look until its listeners are there, then keep looking a while
        // for late ones (a test port, a second listener)
        long started = System.nanoTime();
        vertx.setPeriodic(100, id -> {
            install((VertxInternal) vertx);
            if (System.nanoTime() - started > TimeUnit.SECONDS.toNanos(60)) {
                vertx.cancelTimer(id);
            }
        });
    }

    /** Connections currently waiting for their header block (for tests and metrics). */
    public int halfOpen() {
        return halfOpen.get();
    }

    private synchronized void install(VertxInternal vertx) {
        if (BIND_FUTURE == null || OPTIONS == null) {
            return; // logged once: Vert.x internals moved, the guard is off
        }
        java.util.Map<?, ? extends TCPServerBase> shared = vertx.sharedHttpServers();
        java.util.List<TCPServerBase> servers;
        synchronized (shared) {
            servers = java.util.List.copyOf(shared.values());
        }
        for (TCPServerBase server : servers) {
            Channel listener = listener(server);
            if (listener == null || guarded.contains(listener) || ssl(server)) {
                continue;
            }
            guarded.add(listener);
            listener.pipeline().addFirst(HANDLER, new Acceptor());
            LOG.debugf("request header deadline (%d ms, %d half-open) on %s", timeoutMillis, maxHalfOpen,
                    listener.localAddress());
        }
    }

    /** On the listening channel: every accepted connection gets a {@link Deadline} first. */
    @ChannelHandler.Sharable
    private final class Acceptor extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel child) {
                child.pipeline().addFirst(HANDLER, new Deadline());
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** On one connection until its first header block is complete. */
    private final class Deadline extends ChannelInboundHandlerAdapter {
        /** How much of "\r\n\r\n" was seen at the end of what arrived so far. */
        private int matched;
        private boolean counted;
        private ScheduledFuture<?> timer;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            counted = true;
            if (halfOpen.incrementAndGet() > maxHalfOpen) {
                LOG.debugf("closing %s: %d connections already wait for their headers", ctx.channel().remoteAddress(),
                        maxHalfOpen);
                done(ctx);
                ctx.close();
                return;
            }
            timer = ctx.executor().schedule(() -> {
                LOG.debugf("closing %s: no complete request headers within %d ms", ctx.channel().remoteAddress(),
                        timeoutMillis);
                done(ctx);
                ctx.close(); // no answer: there is no request to answer, and a slowloris client reads none
            }, timeoutMillis, TimeUnit.MILLISECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf bytes && endOfHeaders(bytes)) {
                done(ctx);
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done(ctx);
            ctx.fireChannelInactive();
        }

        private boolean endOfHeaders(ByteBuf bytes) {
            for (int i = bytes.readerIndex(), end = bytes.writerIndex(); i < end; i++) {
                byte b = bytes.getByte(i);
                boolean expected = (matched % 2 == 0) ? b == '\r' : b == '\n';
                matched = expected ? matched + 1 : (b == '\r' ? 1 : 0);
                if (matched == 4) {
                    return true;
                }
            }
            return false;
        }

        /** Stops counting this connection as half-open (once) and leaves the pipeline. */
        private void done(ChannelHandlerContext ctx) {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
            if (counted) {
                counted = false;
                halfOpen.decrementAndGet();
            }
            if (ctx.pipeline().context(this) != null) {
                ctx.pipeline().remove(this);
            }
        }
    }

    // ---- Vert.x internals: the bound listener of a shared server, and whether it is TLS -------------------------

    private static final Field BIND_FUTURE = field("bindFuture");
    private static final Field OPTIONS = field("options");

    private static Field field(String name) {
        try {
            Field f = TCPServerBase.class.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            // never fail a service's start over this; the slowloris test notices
            LOG.warnf("request header deadline is off: Vert.x's TCPServerBase.%s is not there (%s)", name, e);
            return null;
        }
    }

    private static Channel listener(TCPServerBase server) {
        try {
            Object future = BIND_FUTURE.get(server);
            if (future instanceof Future<?> bound && bound.succeeded() && bound.result() instanceof Channel channel) {
                return channel;
            }
            return null;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean ssl(TCPServerBase server) {
        try {
            return ((NetServerOptions) OPTIONS.get(server)).isSsl();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
