package io.parley.chat.fanout;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Redis pub/sub on one dedicated connection per node, with SUBSCRIBE/UNSUBSCRIBE issued as local interest
 * changes (one connection however many channels: the Quarkus pub/sub API opens one per subscriber). When the
 * connection drops it reconnects, resubscribes everything, and reports a gap.
 *
 * <p>Every command reaches the connection through one context's task queue, in the order {@link #subscribe} and
 * {@link #unsubscribe} were called. Vert.x writes a command at once when it is sent from the connection's own event
 * loop and queues it when sent from another, so a node's two loops sending straight to it could reorder an
 * UNSUBSCRIBE (queued by one loop) after the SUBSCRIBE that followed it (written at once by the other): the node
 * would believe it holds a channel Redis no longer sends it. That silently dropped a group's messages for every
 * member on a node when all its clients reconnected at once after a Redis restart (FaultsIT, CI).
 */
@ApplicationScoped
public class RedisFanoutBroker implements FanoutBroker {

    private static final Logger LOG = Logger.getLogger(RedisFanoutBroker.class);
    private static final long RECONNECT_DELAY_MS = 500;
    private static final Uni<Void> DONE = Uni.createFrom().voidItem();

    private final Redis redis;
    private final Vertx vertx;
    /** The one context that opens the connection and writes every command to it, in call order. */
    private final Context commands;
    /** On a Redis Cluster: the primaries, tried in turn by a plain (non-cluster) subscriber connection. */
    private final List<String> clusterHosts;
    private int attempt;
    /** Channel → completes when Redis confirmed the SUBSCRIBE (a second subscriber waits for the first one's). */
    private final Map<String, CompletableFuture<Void>> channels = new ConcurrentHashMap<>();
    private volatile RedisConnection connection;
    private volatile Listener listener;
    private volatile boolean stopping;
    private volatile boolean connectedBefore;

    public RedisFanoutBroker(Redis redis, Vertx vertx,
                             @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone") String clientType,
                             @ConfigProperty(name = "quarkus.redis.hosts") Optional<List<String>> hosts) {
        this.redis = redis;
        this.vertx = vertx;
        this.commands = vertx.getOrCreateContext();
        this.clusterHosts = "cluster".equalsIgnoreCase(clientType) ? hosts.orElse(List.of()) : List.of();
    }

    /**
     * Standalone: a connection of the shared client. Cluster: a plain connection to one primary — classic PUBLISH
     * is forwarded to every node of a cluster, so subscribing on any one of them receives every channel; on loss
     * the next primary is tried.
     */
    private Future<RedisConnection> openConnection() {
        if (clusterHosts.isEmpty()) {
            return redis.connect();
        }
        String host = clusterHosts.get(Math.floorMod(attempt++, clusterHosts.size()));
        Redis single = Redis.createClient(vertx, new RedisOptions().setType(RedisClientType.STANDALONE)
                .setConnectionString(host));
        return single.connect().onFailure(e -> single.close());
    }

    void start(@Observes StartupEvent event) {
        commands.runOnContext(v -> connect());
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        RedisConnection current = connection;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public void setListener(Listener listener) {
        this.listener = listener;
    }

    @Override
    public Uni<Void> subscribe(String channel) {
        CompletableFuture<Void> confirmed = new CompletableFuture<>();
        CompletableFuture<Void> earlier = channels.putIfAbsent(channel, confirmed);
        if (earlier != null) {
            return earlier.isDone() ? DONE : Uni.createFrom().completionStage(earlier);
        }
        RedisConnection current = connection;
        if (current == null) {
            confirmed.complete(null); // subscribed with everything else on reconnect, which reports a gap
            return DONE;
        }
        // queued now, not on subscription, so SUBSCRIBE/UNSUBSCRIBE reach Redis in the order interest changed
        inOrder(current, Request.cmd(Command.SUBSCRIBE).arg(channel), reply -> {
            if (reply.failed()) {
                abandon(current, "SUBSCRIBE " + channel + " failed (" + reply.cause().getMessage() + ")");
            }
            confirmed.complete(null);
        });
        return Uni.createFrom().completionStage(confirmed);
    }

    @Override
    public void unsubscribe(String channel) {
        if (channels.remove(channel) != null) {
            send(Command.UNSUBSCRIBE, channel);
        }
    }

    @Override
    public int subscriptionCount() {
        return channels.size();
    }

    /** Whether the pub/sub connection is up (readiness). */
    public boolean isConnected() {
        return connection != null;
    }

    private void send(Command command, String channel) {
        RedisConnection current = connection;
        if (current != null) {
            inOrder(current, Request.cmd(command).arg(channel), reply -> {
                if (reply.failed()) {
                    LOG.debugf("%s %s failed: %s (resubscribed on reconnect)", command, channel, reply.cause().getMessage());
                }
            });
        }
    }

    /** Queues the command on {@link #commands}: always queued, never written at once, so call order is wire order. */
    private void inOrder(RedisConnection conn, Request request, Handler<AsyncResult<Response>> onReply) {
        commands.runOnContext(v -> conn.send(request).onComplete(onReply));
    }

    private void connect() {
        if (stopping) {
            return;
        }
        openConnection().onSuccess(conn -> {
            if (Vertx.currentContext() == commands) {
                connected(conn);
            } else {
                commands.runOnContext(v -> connected(conn));
            }
        }).onFailure(e -> {
            LOG.warnf("fan-out cannot connect to Redis (%s); retrying", e.getMessage());
            vertx.setTimer(RECONNECT_DELAY_MS, t -> commands.runOnContext(v -> connect()));
        });
    }

    /** On {@link #commands}: the resubscription is written before any command queued from now on. */
    private void connected(RedisConnection conn) {
        conn.handler(this::onPush);
        conn.exceptionHandler(e -> lost(conn, e));
        conn.endHandler(v -> lost(conn, null));
        connection = conn; // from now on a new channel is subscribed on this connection by itself
        Request all = Request.cmd(Command.SUBSCRIBE);
        channels.keySet().forEach(all::arg);
        Future<?> resubscribed = channels.isEmpty() ? Future.succeededFuture() : conn.send(all);
        // the gap is reported only once the channels are back: clients told to resync before that could sync
        // and then miss what is published until the SUBSCRIBE takes effect
        resubscribed.onSuccess(ok -> {
            if (connectedBefore) {
                LOG.warn("fan-out connection re-established; clients are asked to resync");
                Listener current = listener;
                if (current != null) {
                    current.onGap();
                }
            }
            connectedBefore = true;
        }).onFailure(e -> abandon(conn, "resubscribing failed (" + e.getMessage() + ")"));
    }

    /**
     * A SUBSCRIBE was refused (e.g. Redis still loading its data after a restart): the channel would stay silent,
     * so the connection is dropped and made again, which resubscribes everything and reports a gap.
     */
    private void abandon(RedisConnection conn, String why) {
        LOG.warnf("fan-out %s; reconnecting", why);
        lost(conn, null);
        conn.close();
    }

    private void lost(RedisConnection conn, Throwable cause) {
        if (connection != conn) {
            return;
        }
        connection = null;
        if (!stopping) {
            LOG.warnf("fan-out connection lost%s; reconnecting", cause == null ? "" : " (" + cause.getMessage() + ")");
            vertx.setTimer(RECONNECT_DELAY_MS, t -> commands.runOnContext(v -> connect()));
        }
    }

    private void onPush(Response push) {
        if (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI) {
            return;
        }
        if (push.size() == 3 && "message".equals(push.get(0).toString())) {
            Listener current = listener;
            if (current != null) {
                current.onMessage(push.get(1).toString(), push.get(2).toString());
            }
        }
    }
}
