package io.parley.chat.fanout;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
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
 */
@ApplicationScoped
public class RedisFanoutBroker implements FanoutBroker {

    private static final Logger LOG = Logger.getLogger(RedisFanoutBroker.class);
    private static final long RECONNECT_DELAY_MS = 500;
    private static final Uni<Void> DONE = Uni.createFrom().voidItem();

    private final Redis redis;
    private final Vertx vertx;
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
        connect();
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
        // sent now, not on subscription, so SUBSCRIBE/UNSUBSCRIBE reach Redis in the order interest changed
        current.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).onComplete(reply -> {
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
            current.send(Request.cmd(command).arg(channel))
                    .onFailure(e -> LOG.debugf("%s %s failed: %s (resubscribed on reconnect)", command, channel, e.getMessage()));
        }
    }

    private void connect() {
        if (stopping) {
            return;
        }
        openConnection().onSuccess(conn -> {
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
        }).onFailure(e -> {
            LOG.warnf("fan-out cannot connect to Redis (%s); retrying", e.getMessage());
            vertx.setTimer(RECONNECT_DELAY_MS, t -> connect());
        });
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
            vertx.setTimer(RECONNECT_DELAY_MS, t -> connect());
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
