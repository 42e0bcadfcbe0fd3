package io.parley.chat.topics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.chat.config.ChatConfig;
import io.parley.chat.delivery.ClientSession;
import io.parley.chat.delivery.Outbound;
import io.parley.chat.delivery.SharedFrame;
import io.parley.chat.fanout.ChannelReceiver;
import io.parley.chat.fanout.FanoutBroker;
import io.parley.chat.protocol.ClientFrame;
import io.parley.chat.protocol.FrameException;
import io.parley.chat.protocol.ServerFrames;
import io.parley.chat.quotas.AppQuotas;
import io.parley.chat.quotas.Quota;
import io.parley.chat.store.RedisKeys;
import io.parley.common.error.ErrorCode;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's topic subscribers. A node subscribes to a topic's channel while one of its connections does, so a
 * publication crosses Redis once per interested node and is written to each local subscriber from one encoding.
 */
@Singleton
public class TopicSubscriptions implements ChannelReceiver {

    private final FanoutBroker broker;
    private final Outbound outbound;
    private final AppAccess access;
    private final ServerFrames frames;
    private final AppQuotas quotas;
    private final int maxPerConnection;
    private final Map<String, Set<ClientSession>> byChannel = new ConcurrentHashMap<>();

    public TopicSubscriptions(FanoutBroker broker, Outbound outbound, AppAccess access, ServerFrames frames,
                              AppQuotas quotas, ChatConfig config, MeterRegistry metrics) {
        this.broker = broker;
        this.quotas = quotas;
        this.outbound = outbound;
        this.access = access;
        this.frames = frames;
        this.maxPerConnection = config.limits().maxTopicSubscriptions();
        Gauge.builder("parley.chat.topic.subscriptions", this, TopicSubscriptions::subscriptionCount)
                .description("topic subscriptions of connections on this node").register(metrics);
        Gauge.builder("parley.chat.topics", byChannel, Map::size)
                .description("distinct topics with a subscriber on this node").register(metrics);
        broker.subscribe(RedisKeys.APP_ACCESS_CHANNEL); // withdrawn access, announced by any node
    }

    /**
     * Subscribes the connection to the topics, within the per-connection limit and the app's quotas (connections
     * holding one of its topics, and subscribers, across every node): over a quota, nothing is subscribed and the
     * client gets {@code RATE_LIMITED}; the connection stays open (it carries the user's chat too).
     */
    public Uni<Void> subscribe(ClientSession session, ClientFrame.Topics request) {
        String appId = request.appId();
        return access.maySubscribe(appId, session.userId()).flatMap(allowed -> {
            if (!allowed) {
                return Uni.createFrom().failure(new FrameException(ErrorCode.FORBIDDEN,
                        "you may not subscribe to the topics of app " + appId, null));
            }
            long fresh;
            boolean newToApp;
            synchronized (this) {
                fresh = request.topics().stream().distinct()
                        .filter(t -> !session.topics().contains(key(appId, t))).count();
                if (session.topics().size() + fresh > maxPerConnection) {
                    return Uni.createFrom().failure(new FrameException(ErrorCode.LIMIT_EXCEEDED,
                            "a connection may subscribe to at most " + maxPerConnection + " topics", null));
                }
                newToApp = fresh > 0 && !holdsApp(session, appId);
            }
            if (fresh == 0) {
                outbound.write(session, frames.topics(true, appId, request.topics()));
                return Uni.createFrom().voidItem();
            }
            return quotas.trySubscribe(appId, newToApp ? 1 : 0, fresh).flatMap(refused -> {
                if (refused.isPresent()) {
                    return Uni.createFrom().failure(new FrameException(ErrorCode.RATE_LIMITED,
                            overQuota(appId, refused.get()), null));
                }
                List<Uni<Void>> subscriptions = join(session, appId, request.topics(), fresh, newToApp);
                return Uni.join().all(subscriptions.isEmpty() ? List.of(Uni.createFrom().voidItem()) : subscriptions)
                        .andCollectFailures().replaceWithVoid()
                        .invoke(() -> outbound.write(session, frames.topics(true, appId, request.topics())));
            });
        });
    }

    /**
     * Adds the topics the quota check allowed and counts them for the app. What another subscribe of the same
     * connection added meanwhile, or everything if the connection closed meanwhile, is left out (and the node's share
     * is written again to match).
     */
    private synchronized List<Uni<Void>> join(ClientSession session, String appId, List<String> topics, long checked,
                                              boolean checkedNewToApp) {
        List<Uni<Void>> subscriptions = new ArrayList<>();
        if (session.isClosing() || session.connection().isClosed()) { // dropAll has run or is about to
            quotas.subscribed(appId, 0, 0, false);
            return subscriptions;
        }
        boolean newToApp = !holdsApp(session, appId);
        long added = 0;
        for (String topic : topics) {
            if (session.topics().add(key(appId, topic))) {
                added++;
                String channel = RedisKeys.topicChannel(appId, topic);
                byChannel.computeIfAbsent(channel, c -> ConcurrentHashMap.newKeySet()).add(session);
                subscriptions.add(broker.subscribe(channel));
            }
        }
        long connections = newToApp && added > 0 ? 1 : 0;
        quotas.subscribed(appId, connections, added, added == checked && newToApp == checkedNewToApp);
        return subscriptions;
    }

    public void unsubscribe(ClientSession session, ClientFrame.Topics request) {
        long removed = 0;
        synchronized (this) {
            for (String topic : request.topics()) {
                if (session.topics().remove(key(request.appId(), topic))) {
                    removed++;
                    leave(session, RedisKeys.topicChannel(request.appId(), topic));
                }
            }
            if (removed > 0) {
                quotas.unsubscribed(request.appId(), holdsApp(session, request.appId()) ? 0 : 1, removed);
            }
        }
        outbound.write(session, frames.topics(false, request.appId(), request.topics()));
    }

    /** The connection closed: drop all its subscriptions. */
    public synchronized void dropAll(ClientSession session) {
        Map<String, Long> perApp = new HashMap<>();
        for (String key : List.copyOf(session.topics())) {
            session.topics().remove(key);
            int cut = key.indexOf('\n');
            String appId = key.substring(0, cut);
            perApp.merge(appId, 1L, Long::sum);
            leave(session, RedisKeys.topicChannel(appId, key.substring(cut + 1)));
        }
        perApp.forEach((appId, topics) -> quotas.unsubscribed(appId, 1, topics));
    }

    private synchronized void leave(ClientSession session, String channel) {
        Set<ClientSession> subscribers = byChannel.get(channel);
        if (subscribers == null) {
            return;
        }
        subscribers.remove(session);
        if (subscribers.isEmpty()) {
            byChannel.remove(channel);
            broker.unsubscribe(channel);
        }
    }

    /** Topic channels, and the channel announcing withdrawn access. */
    @Override
    public boolean accepts(String channel) {
        return RedisKeys.isTopicChannel(channel) || channel.equals(RedisKeys.APP_ACCESS_CHANNEL);
    }

    @Override
    public void onMessage(String channel, String payload) {
        if (channel.equals(RedisKeys.APP_ACCESS_CHANNEL)) {
            onAccessWithdrawn(payload);
        } else {
            onPublication(channel, payload);
        }
    }

    /** Topic publications are live data: a gap is not replayed (documented), subscribers stay connected. */
    @Override
    public void onGap() {
    }

    /** A publication arrived on a topic channel: the payload is the {@code publication} frame. */
    private void onPublication(String channel, String payload) {
        Set<ClientSession> subscribers = byChannel.get(channel);
        if (subscribers == null) {
            return;
        }
        outbound.writeAll(subscribers, 0, new SharedFrame(payload)); // one task and one buffer per event loop
    }

    /**
     * An app was made private or revoked a user's grant: the local subscribers concerned are checked again, and
     * those no longer allowed lose the app's topics with an {@code unsubscribed} frame ({@code "reason":"FORBIDDEN"}).
     */
    private void onAccessWithdrawn(String payload) {
        AppAccess.Withdrawal withdrawal = AppAccess.Withdrawal.parse(payload);
        if (withdrawal == null) {
            return;
        }
        String prefix = RedisKeys.topicChannel(withdrawal.appId(), "");
        Set<ClientSession> concerned = new HashSet<>();
        for (Map.Entry<String, Set<ClientSession>> entry : byChannel.entrySet()) {
            if (entry.getKey().startsWith(prefix)) {
                for (ClientSession session : entry.getValue()) {
                    if (withdrawal.concerns(session.userId())) {
                        concerned.add(session);
                    }
                }
            }
        }
        for (ClientSession session : concerned) {
            access.maySubscribe(withdrawal.appId(), session.userId()).subscribe().with(allowed -> {
                if (!allowed) {
                    dropApp(session, withdrawal.appId());
                }
            }, e -> dropApp(session, withdrawal.appId())); // unknown: withdrawn is the safe answer
        }
    }

    private synchronized void dropApp(ClientSession session, String appId) {
        String appKey = key(appId, "");
        List<String> dropped = new ArrayList<>();
        for (String key : List.copyOf(session.topics())) {
            if (key.startsWith(appKey) && session.topics().remove(key)) {
                String topic = key.substring(appKey.length());
                dropped.add(topic);
                leave(session, RedisKeys.topicChannel(appId, topic));
            }
        }
        if (!dropped.isEmpty()) {
            quotas.unsubscribed(appId, 1, dropped.size());
            outbound.write(session, frames.topicsWithdrawn(appId, dropped));
        }
    }

    public long subscriptionCount() {
        long sum = 0;
        for (Set<ClientSession> subscribers : byChannel.values()) {
            sum += subscribers.size();
        }
        return sum;
    }

    /** Whether the connection holds one of the app's topics (it counts as one of the app's connections). */
    private static boolean holdsApp(ClientSession session, String appId) {
        String appKey = key(appId, "");
        for (String key : session.topics()) {
            if (key.startsWith(appKey)) {
                return true;
            }
        }
        return false;
    }

    private static String overQuota(String appId, Quota quota) {
        return quota == Quota.CONNECTIONS
                ? "app " + appId + " has as many subscribed connections as its quota allows; retry later"
                : "app " + appId + " has as many topic subscribers as its quota allows; retry later";
    }

    private static String key(String appId, String topic) {
        return appId + "\n" + topic;
    }
}
