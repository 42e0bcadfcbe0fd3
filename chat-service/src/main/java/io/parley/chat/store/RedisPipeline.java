package io.parley.chat.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.parley.chat.config.ChatConfig;
import io.parley.common.redis.RedisScript;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.RedisURI;
import io.vertx.redis.client.impl.types.ErrorType;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The hot path's Redis client: auto-pipelining, as centrifuge does with rueidis. One connection per event loop; a
 * command issued on a loop is encoded into that connection's pending buffer and everything issued during the same
 * loop turn goes out in one write, its replies come back in one read and are handed, in order, to their handlers on
 * the same loop — no pool checkout, no hop to another thread, no future or context capture per command. On this box
 * a lone command costs Redis 15-21 µs of syscalls; in a pipeline of 16 it costs 1.5-6 µs (DESIGN.md, principle 4).
 *
 * <p>Why not the Vert.x Redis client for this: its pooled client lends a connection per command (one command on it
 * at a time) and every command is written and flushed on its own; its {@code batch} fails as a whole when one command
 * does. Lettuce pipelines but runs its own event loops, so every reply would hop threads. This class is the pipelining
 * part only; connection strings, scripts and replies are the Vert.x client's ({@link RedisURI}, {@link Response}).
 *
 * <p>Used on a standalone Redis (or Sentinel-less primary) given as {@code redis://[user:password@]host:port[/db]}.
 * On a Redis Cluster, over TLS or a Unix socket, commands go to the shared Vert.x client instead (same API, one
 * command per pooled connection), which knows slots and redirections.
 *
 * <p>Guarantees: commands issued on one loop reach Redis in issue order, on one connection, so a later command sees
 * the effects of an earlier one — except behind a script Redis has forgotten while the connection was up
 * ({@code SCRIPT FLUSH}): its {@code EVAL} retry runs after what was issued behind it (a new connection loads every
 * script it has run before anything else). A handler is called exactly once: with the reply (an error reply as a
 * failure), or with a failure when the connection is lost or the reply does not come within
 * {@code parley.chat.redis.timeout} — then the command may or may not have run (as with any client).
 */
@Singleton
public class RedisPipeline {

    private static final Logger LOG = Logger.getLogger(RedisPipeline.class);
    private static final byte[] CRLF = {'\r', '\n'};

    /** Called once per command, on the event loop that issued it (or the lane's loop, for other callers). */
    @FunctionalInterface
    public interface ReplyHandler {
        /** {@code reply} may be {@code null} (a nil reply) when {@code failure} is {@code null}. */
        void handle(Response reply, Throwable failure);
    }

    /** A command that did not get a reply: an error reply, a lost connection, a timeout. */
    public static final class RedisCommandException extends RuntimeException {
        public RedisCommandException(String message) {
            super(message, null, false, false);
        }
    }

    private final Vertx vertx;
    private final Redis shared;
    private final ChatConfig.RedisClient config;
    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final Integer database;
    private final Lane[] lanes;
    private final AtomicInteger nextLane = new AtomicInteger();
    /** Scripts run so far: loaded on every new connection before anything else is sent on it. */
    private final Set<RedisScript> scripts = ConcurrentHashMap.newKeySet();
    private final Counter flushes;
    private final Counter commands;
    private volatile boolean stopping;

    public RedisPipeline(Vertx vertx, Redis shared, ChatConfig chatConfig, MeterRegistry metrics,
                         @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone") String clientType,
                         @ConfigProperty(name = "quarkus.redis.hosts") Optional<List<String>> hosts,
                         @ConfigProperty(name = "quarkus.redis.password") Optional<String> configuredPassword) {
        this.vertx = vertx;
        this.shared = shared;
        this.config = chatConfig.redis();
        RedisURI uri = hosts.filter(h -> h.size() == 1).map(h -> new RedisURI(h.get(0))).orElse(null);
        boolean pipelined = config.pipeline() && uri != null && "standalone".equalsIgnoreCase(clientType)
                && !uri.ssl() && !uri.unix();
        if (pipelined) {
            this.host = uri.socketAddress().host();
            this.port = uri.socketAddress().port();
            this.user = uri.user();
            this.password = uri.password() != null ? uri.password() : configuredPassword.orElse(null);
            this.database = uri.select();
            List<Lane> perLoop = new ArrayList<>();
            for (EventExecutor executor : ((VertxInternal) vertx).getEventLoopGroup()) {
                perLoop.add(new Lane((EventLoop) executor));
            }
            this.lanes = perLoop.toArray(Lane[]::new);
        } else {
            this.host = null;
            this.port = 0;
            this.user = null;
            this.password = null;
            this.database = null;
            this.lanes = new Lane[0];
        }
        this.flushes = Counter.builder("parley.chat.redis.pipeline.writes")
                .description("writes of the hot-path Redis pipeline (each carries every command of one loop turn)")
                .register(metrics);
        this.commands = Counter.builder("parley.chat.redis.pipeline.commands")
                .description("commands sent on the hot-path Redis pipeline").register(metrics);
        LOG.infof(pipelined ? "hot-path Redis: %d pipelined connections (one per event loop)"
                : "hot-path Redis: the shared client (%d pipelined connections: not a plain standalone redis:// URL, "
                + "or parley.chat.redis.pipeline=false)", lanes.length);
    }

    /** Whether commands travel on this class's own pipelined connections (false: the shared Vert.x client). */
    public boolean pipelined() {
        return lanes.length > 0;
    }

    /** Sends one command ({@code args[0]} is its name); the handler runs once, on an event loop. Never blocks. */
    public void send(ReplyHandler handler, String... args) {
        if (lanes.length == 0) {
            sendShared(handler, args);
            return;
        }
        Lane lane = laneOfThisThread();
        if (lane != null) {
            lane.send(args, handler);
            return;
        }
        Lane other = lanes[Math.floorMod(nextLane.getAndIncrement(), lanes.length)];
        other.loop.execute(() -> other.send(args, handler));
    }

    /**
     * Runs a Lua script by SHA-1 ({@code EVALSHA}), and with its text ({@code EVAL}, which also caches it) when Redis
     * does not know it (first use, or Redis restarted). {@code keysAndArgs}: the {@code numKeys} keys, then the args.
     */
    public void run(RedisScript script, int numKeys, String[] keysAndArgs, ReplyHandler handler) {
        scripts.add(script);
        String[] args = new String[keysAndArgs.length + 3];
        args[0] = "EVALSHA";
        args[1] = script.sha1();
        args[2] = Integer.toString(numKeys);
        System.arraycopy(keysAndArgs, 0, args, 3, keysAndArgs.length);
        send((reply, failure) -> {
            if (failure != null && RedisScript.isNoScript(failure)) {
                String[] eval = args.clone();
                eval[0] = "EVAL";
                eval[1] = script.body();
                send(handler, eval);
            } else {
                handler.handle(reply, failure);
            }
        }, args);
    }

    /** The same as a {@link Uni} (for code already on Mutiny; the hot path uses {@link #send(ReplyHandler, String...)}). */
    public Uni<Response> uni(String... args) {
        return Uni.createFrom().emitter(emitter -> send((reply, failure) -> {
            if (failure != null) {
                emitter.fail(failure);
            } else {
                emitter.complete(reply);
            }
        }, args));
    }

    /** {@link #run(RedisScript, int, String[], ReplyHandler)} as a {@link Uni}. */
    public Uni<Response> uni(RedisScript script, int numKeys, String... keysAndArgs) {
        return Uni.createFrom().emitter(emitter -> run(script, numKeys, keysAndArgs, (reply, failure) -> {
            if (failure != null) {
                emitter.fail(failure);
            } else {
                emitter.complete(reply);
            }
        }));
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        for (Lane lane : lanes) {
            lane.loop.execute(lane::close);
        }
    }

    /**
     * The event loop of the calling thread when it is one of the pipeline's (to come back to it after blocking work
     * elsewhere), else {@code null}.
     */
    public java.util.concurrent.Executor loopOfThisThread() {
        Lane lane = laneOfThisThread();
        return lane == null ? null : lane.loop;
    }

    /**
     * How long the oldest command of the calling event loop's connection has waited for its reply (0: none waits, or
     * not on a pipeline loop): Redis's latency as this loop sees it, its own lag included — the send path's overload
     * signal.
     */
    public long replyBacklogNanos() {
        Lane lane = laneOfThisThread();
        return lane == null ? 0 : lane.backlogNanos(System.nanoTime());
    }

    private Lane laneOfThisThread() {
        for (Lane lane : lanes) {
            if (lane.loop.inEventLoop()) {
                return lane;
            }
        }
        return null;
    }

    private void sendShared(ReplyHandler handler, String[] args) {
        Request request = Request.cmd(io.vertx.redis.client.Command.create(args[0]));
        for (int i = 1; i < args.length; i++) {
            request.arg(args[i]);
        }
        shared.send(request).onComplete(result -> {
            if (result.succeeded()) {
                handler.handle(result.result(), null);
            } else {
                handler.handle(null, result.cause() instanceof ErrorType error
                        ? new RedisCommandException(error.getMessage()) : result.cause());
            }
        });
    }

    private static void encode(ByteBuf out, String[] args) {
        out.writeByte('*');
        writeDecimal(out, args.length);
        out.writeBytes(CRLF);
        for (String arg : args) {
            out.writeByte('$');
            // String's own encoder, not Netty's writeUtf8: for a lone surrogate that one writes the next character's
            // low byte raw (U+200B became a vertical tab); this one writes '?' as the Vert.x client did
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            writeDecimal(out, bytes.length);
            out.writeBytes(CRLF);
            out.writeBytes(bytes);
            out.writeBytes(CRLF);
        }
    }

    private static void writeDecimal(ByteBuf out, int value) {
        if (value < 10) {
            out.writeByte('0' + value);
            return;
        }
        out.writeCharSequence(Integer.toString(value), StandardCharsets.US_ASCII);
    }

    /** One event loop's connection and the commands waiting for it to connect. Touched only on its loop. */
    private final class Lane {
        final EventLoop loop;
        /** Commands issued while no connection is up (sent as soon as one is). */
        private final ArrayDeque<Pending> waitingForConnection = new ArrayDeque<>();
        private Connection current;
        /** The new connection while its set-up commands are answered (commands wait meanwhile). */
        private Connection settingUp;
        private boolean connecting;

        Lane(EventLoop loop) {
            this.loop = loop;
        }

        long backlogNanos(long now) {
            Connection connection = current;
            Pending oldest = connection == null ? waitingForConnection.peek() : connection.awaiting.peek();
            return oldest == null ? 0 : now - oldest.issued;
        }

        void send(String[] args, ReplyHandler handler) {
            Pending pending = new Pending(args, handler, System.nanoTime());
            Connection connection = current;
            if (connection != null && connection.channel.isActive()) {
                connection.enqueue(pending);
                return;
            }
            if (stopping) {
                handler.handle(null, new RedisCommandException("Redis pipeline stopped"));
                return;
            }
            if (waitingForConnection.size() >= config.maxPending()) {
                handler.handle(null, new RedisCommandException("too many Redis commands waiting for a connection"));
                return;
            }
            waitingForConnection.add(pending);
            connect();
        }

        private void connect() {
            if (connecting) {
                return;
            }
            connecting = true;
            Connection connection = new Connection(this);
            Bootstrap bootstrap = new Bootstrap().group(loop)
                    .channelFactory(((VertxInternal) vertx).transport().channelFactory(false))
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_KEEPALIVE, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.timeout().toMillis())
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new RespReplyDecoder(), connection);
                        }
                    });
            ChannelFuture connected = bootstrap.connect(new InetSocketAddress(host, port));
            connected.addListener(done -> {
                if (!done.isSuccess()) {
                    connecting = false;
                    failWaiting("cannot connect to Redis: " + done.cause().getMessage());
                    return;
                }
                connection.channel = connected.channel();
                settingUp = connection;
                setUp(connection);
                connection.scheduleTimeoutCheck();
            });
        }

        /**
         * AUTH and SELECT, and SCRIPT LOAD of every script run so far (so a script Redis forgot — a restart — is not
         * run with the EVAL fallback behind commands issued after it), answered before any waiting command is sent:
         * a refused AUTH must not let commands run as another user.
         */
        private void setUp(Connection connection) {
            List<String[]> commands = new ArrayList<>();
            if (password != null) {
                commands.add(user != null ? new String[]{"AUTH", user, password} : new String[]{"AUTH", password});
            }
            if (database != null && database != 0) {
                commands.add(new String[]{"SELECT", Integer.toString(database)});
            }
            int required = commands.size();
            for (RedisScript script : scripts) {
                commands.add(new String[]{"SCRIPT", "LOAD", script.body()});
            }
            if (commands.isEmpty()) {
                ready(connection);
                return;
            }
            int[] left = {commands.size()};
            String[] refusal = {null};
            for (int i = 0; i < commands.size(); i++) {
                boolean mustSucceed = i < required;
                String name = commands.get(i)[0];
                connection.enqueue(new Pending(commands.get(i), (reply, failure) -> {
                    if (failure != null && mustSucceed && refusal[0] == null) {
                        refusal[0] = name + ": " + failure.getMessage();
                    } else if (failure != null) {
                        LOG.warnf("hot-path Redis connection set-up: %s failed (%s)", name, failure.getMessage());
                    }
                    if (--left[0] == 0 && settingUp == connection) {
                        if (refusal[0] == null) {
                            ready(connection);
                        } else {
                            LOG.errorf("Redis refused the hot-path connection's set-up (%s)", refusal[0]);
                            settingUp = null;
                            connecting = false;
                            failWaiting("Redis refused the connection set-up (" + refusal[0] + ")");
                            connection.channel.close();
                        }
                    }
                }, System.nanoTime()));
            }
        }

        private void ready(Connection connection) {
            settingUp = null;
            connecting = false;
            current = connection;
            while (!waitingForConnection.isEmpty()) {
                connection.enqueue(waitingForConnection.poll());
            }
        }

        private void failWaiting(String why) {
            RedisCommandException failure = new RedisCommandException(why);
            while (!waitingForConnection.isEmpty()) {
                deliver(waitingForConnection.poll(), null, failure);
            }
        }

        void lost(Connection connection) {
            if (settingUp == connection) {
                settingUp = null;
                connecting = false;
                failWaiting("connection to Redis lost while connecting");
                return;
            }
            if (current == connection) {
                current = null;
                if (!stopping) {
                    LOG.warnf("hot-path Redis connection lost; reconnecting on the next command");
                }
            }
            if (!waitingForConnection.isEmpty()) {
                connect();
            }
        }

        void close() {
            if (current != null) {
                current.channel.close();
            }
            failWaiting("Redis pipeline stopped");
        }
    }

    /** One connection: its unsent commands and, in order, the handlers awaiting its replies. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private final Lane lane;
        private final ArrayDeque<Pending> awaiting = new ArrayDeque<>();
        private final Runnable flush = this::flush;
        private Channel channel;
        private ByteBuf unsent;
        private int unsentCommands;
        private boolean flushScheduled;
        private boolean closed;
        /** When the last reply arrived (or the connection was made): Redis is judged by its silence. */
        private long lastReplyNanos = System.nanoTime();

        Connection(Lane lane) {
            this.lane = lane;
        }

        void enqueue(Pending pending) {
            if (closed || awaiting.size() >= config.maxPending()) {
                pending.handler.handle(null, new RedisCommandException(closed
                        ? "connection to Redis lost" : "too many Redis commands in flight"));
                return;
            }
            if (unsent == null) {
                unsent = channel.alloc().ioBuffer(512);
            }
            encode(unsent, pending.args);
            awaiting.add(pending);
            unsentCommands++;
            if (!flushScheduled) {
                flushScheduled = true;
                lane.loop.execute(flush); // after this loop turn's reads: everything issued meanwhile goes in one write
            }
        }

        private void flush() {
            flushScheduled = false;
            ByteBuf out = unsent;
            unsent = null;
            if (out == null) {
                return;
            }
            if (closed) {
                out.release();
                return;
            }
            flushes.increment();
            commands.increment(unsentCommands);
            unsentCommands = 0;
            channel.writeAndFlush(out, channel.voidPromise());
        }

        /** A reply nobody expected means the stream is out of step: drop the connection rather than misattribute. */
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            lastReplyNanos = System.nanoTime();
            Pending pending = awaiting.poll();
            if (pending == null) {
                LOG.warn("Redis pipeline: a reply without a command; reconnecting");
                ctx.close();
                return;
            }
            if (msg instanceof ErrorType error) {
                deliver(pending, null, new RedisCommandException(error.getMessage()));
            } else {
                deliver(pending, msg == RespReplyDecoder.NIL ? null : (Response) msg, null);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed = true;
            if (unsent != null) {
                unsent.release();
                unsent = null;
            }
            RedisCommandException lost = new RedisCommandException("connection to Redis lost");
            while (!awaiting.isEmpty()) {
                deliver(awaiting.poll(), null, lost);
            }
            lane.lost(this);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warnf("hot-path Redis connection failed (%s); reconnecting", describe(cause));
            ctx.close();
        }

        /**
         * Once a second: Redis silent for the timeout while a reply is overdue closes the connection (failing
         * everything awaiting). Silent, not merely late: when this node is behind (its loop busy, replies waiting in
         * the socket) replies keep coming, and dropping the connection would fail every command in flight, have
         * every client resend, and turn a slow node into a collapsing one.
         */
        void scheduleTimeoutCheck() {
            lane.loop.schedule(() -> {
                if (closed) {
                    return;
                }
                Pending oldest = awaiting.peek();
                long now = System.nanoTime();
                long timeout = config.timeout().toNanos();
                if (oldest != null && now - oldest.issued > timeout && now - lastReplyNanos > timeout) {
                    LOG.warnf("Redis did not answer within %s; dropping the hot-path connection", config.timeout());
                    channel.close();
                    return;
                }
                scheduleTimeoutCheck();
            }, 1, TimeUnit.SECONDS);
        }
    }

    /** Hands a reply to its handler; a handler's own failure is logged and never breaks the connection. */
    private static void deliver(Pending pending, Response reply, Throwable failure) {
        try {
            pending.handler.handle(reply, failure);
        } catch (RuntimeException e) {
            LOG.errorf(e, "a handler of Redis command %s failed", pending.args[0]);
        }
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private record Pending(String[] args, ReplyHandler handler, long issued) {
    }
}
