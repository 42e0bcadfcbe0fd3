package io.parley.chat.quotas;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.delivery.NodeIdentity;
import io.parley.chat.store.RedisKeys;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.common.redis.RedisScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Per-app quotas across every node. Connections and topic subscribers are counted per node ({@link AppShares}) and
 * checked against the sum of the live nodes' shares in one script; publications and in-app notifications per second
 * are counted in a per-second counter in Redis, checked and raised in one script. Each check is one Redis round trip,
 * made per subscribe, publication or notification post — never per chat message. A subscribe needs none while the
 * app has no connection or subscriber quota.
 */
@Singleton
public class AppQuotas {

    private static final RedisScript TAKE = RedisScript.load("quota_take");
    private static final RedisScript RATE = RedisScript.load("quota_rate");
    private static final RedisScript USAGE = RedisScript.load("quota_usage");
    /** A second's counter outlives it so the usage endpoint can read the last whole second. */
    private static final String WINDOW_TTL_MS = "5000";
    /** When an app over a per-second quota may try again. */
    private static final long RETRY_AFTER_SECONDS = 1;

    private final ReactiveRedisDataSource reactive;
    private final RedisDataSource blocking;
    private final QuotaPlan plan;
    private final AppShares shares;
    private final String node;
    private final String leaseMs;
    private final MeterRegistry metrics;

    public AppQuotas(ReactiveRedisDataSource reactive, RedisDataSource blocking, QuotaPlan plan, AppShares shares,
                     NodeIdentity node, ChatConfig config, MeterRegistry metrics) {
        this.reactive = reactive;
        this.blocking = blocking;
        this.plan = plan;
        this.shares = shares;
        this.node = node.id();
        this.leaseMs = Long.toString(config.quotas().lease().toMillis());
        this.metrics = metrics;
    }

    public QuotaLimits limitsOf(String appId) {
        return plan.limitsOf(appId);
    }

    /**
     * Whether this node may take {@code connections} more connections and {@code subscribers} more subscribers of the
     * app: the quota that refuses it, or empty. Taken figures are in Redis at once (other nodes count them); the
     * caller then counts what it really added with {@link #subscribed}.
     */
    public Uni<Optional<Quota>> trySubscribe(String appId, long connections, long subscribers) {
        QuotaLimits limits = plan.limitsOf(appId);
        if (limits.countsUnlimited()) {
            return Uni.createFrom().item(Optional.empty());
        }
        long mineC = shares.connections(appId) + connections;
        long mineS = shares.subscribers(appId) + subscribers;
        return TAKE.run(reactive, List.of(RedisKeys.quotaShares(appId), RedisKeys.quotaRefusals(appId)),
                        List.of(node, Long.toString(mineC), Long.toString(mineS), Long.toString(connections),
                                Long.toString(subscribers), Long.toString(limits.connections()),
                                Long.toString(limits.subscribers()), leaseMs))
                .map(reply -> {
                    if (reply.get(0).toInteger() == 1) {
                        return Optional.<Quota>empty();
                    }
                    Quota quota = "connections".equals(reply.get(1).toString()) ? Quota.CONNECTIONS : Quota.SUBSCRIBERS;
                    refused(appId, quota);
                    return Optional.of(quota);
                });
    }

    /** What a subscribe really added (after {@link #trySubscribe} allowed it). */
    public void subscribed(String appId, long connections, long subscribers, boolean asChecked) {
        // a check wrote these figures already, unless the app is unlimited or less was added than was checked
        shares.add(appId, connections, subscribers, asChecked && !plan.limitsOf(appId).countsUnlimited());
    }

    /** What an unsubscribe, a withdrawn access or a closed connection gave back. */
    public void unsubscribed(String appId, long connections, long subscribers) {
        shares.remove(appId, connections, subscribers);
    }

    /** Counts one publication of the app, or refuses it with 429 RATE_LIMITED. Blocking: worker threads only. */
    public void takePublication(String appId) {
        long max = plan.limitsOf(appId).publicationsPerSecond();
        Response taken = RATE.run(blocking, rateKeys(appId, Quota.PUBLICATIONS), "1", Long.toString(max),
                Quota.PUBLICATIONS.label(), WINDOW_TTL_MS);
        if (taken.toInteger() != 1) {
            refused(appId, Quota.PUBLICATIONS);
            throw new ApiException(ErrorCode.RATE_LIMITED,
                    "app " + appId + " may publish at most " + max + " publications per second", RETRY_AFTER_SECONDS);
        }
    }

    /**
     * Counts a post of in-app notifications to {@code recipients} users, or fails with 429 RATE_LIMITED. A post is
     * taken while the second's count is under the quota, whole (a post is never split).
     */
    public Uni<Void> takeNotifications(String appId, int recipients) {
        long max = plan.limitsOf(appId).notificationsPerSecond();
        return RATE.run(reactive, rateKeys(appId, Quota.NOTIFICATIONS), List.of(Integer.toString(recipients),
                        Long.toString(max), Quota.NOTIFICATIONS.label(), WINDOW_TTL_MS))
                .map(taken -> {
                    if (taken.toInteger() != 1) {
                        refused(appId, Quota.NOTIFICATIONS);
                        throw new ApiException(ErrorCode.RATE_LIMITED, "app " + appId + " may notify at most " + max
                                + " users per second", RETRY_AFTER_SECONDS);
                    }
                    return null;
                });
    }

    /** The app's usage across every node. */
    public Uni<AppUsage> usage(String appId) {
        long lastSecond = System.currentTimeMillis() / 1000 - 1;
        return USAGE.run(reactive, List.of(RedisKeys.quotaShares(appId), RedisKeys.quotaRefusals(appId),
                        RedisKeys.quotaWindow(appId, Quota.PUBLICATIONS.label(), lastSecond),
                        RedisKeys.quotaWindow(appId, Quota.NOTIFICATIONS.label(), lastSecond)), List.of())
                .map(reply -> {
                    Map<String, Long> refusals = new HashMap<>();
                    Response flat = reply.get(4);
                    for (int i = 0; i + 1 < flat.size(); i += 2) {
                        refusals.put(flat.get(i).toString(), flat.get(i + 1).toLong());
                    }
                    return new AppUsage(appId, reply.get(0).toLong(), reply.get(1).toLong(), reply.get(2).toLong(),
                            reply.get(3).toLong(), plan.limitsOf(appId), new AppUsage.Refusals(
                            refusals.getOrDefault(Quota.CONNECTIONS.label(), 0L),
                            refusals.getOrDefault(Quota.SUBSCRIBERS.label(), 0L),
                            refusals.getOrDefault(Quota.PUBLICATIONS.label(), 0L),
                            refusals.getOrDefault(Quota.NOTIFICATIONS.label(), 0L)));
                });
    }

    private static List<String> rateKeys(String appId, Quota quota) {
        return List.of(RedisKeys.quotaWindow(appId, quota.label(), System.currentTimeMillis() / 1000),
                RedisKeys.quotaRefusals(appId));
    }

    private void refused(String appId, Quota quota) {
        Counter.builder("parley.chat.quota.refusals").tag("app", appId).tag("quota", quota.label())
                .description("requests refused because the app was at one of its quotas").register(metrics).increment();
    }
}
