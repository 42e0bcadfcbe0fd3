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
import io.parley.chat.store.RedisKeys;
import io.parley.common.error.ErrorCode;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.ArrayList;
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
    private final int maxPerConnection;
    private final Map<String, Set<ClientSession>> byChannel = new ConcurrentHashMap<>();

    public TopicSubscriptions(FanoutBroker broker, Outbound outbound, AppAccess access, ServerFrames frames,
                              ChatConfig config, MeterRegistry metrics) {
        this.broker = broker;
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

    public Uni<Void> subscribe(ClientSession session, ClientFrame.Topics request) {
        return access.maySubscribe(request.appId(), session.userId()).flatMap(allowed -> {
            if (!allowed) {
                return Uni.createFrom().failure(new FrameException(ErrorCode.FORBIDDEN,
                        "you may not subscribe to the topics of app " + request.appId(), null));
            }
            List<Uni<Void>> subscriptions = new ArrayList<>();
            synchronized (this) {
                long added = request.topics().stream().distinct()
                        .filter(t -> !session.topics().contains(key(request.appId(), t))).count();
                if (session.topics().size() + added > maxPerConnection) {
                    return Uni.createFrom().failure(new FrameException(ErrorCode.LIMIT_EXCEEDED,
                            "a connection may subscribe to at most " + maxPerConnection + " topics", null));
                }
                for (String topic : request.topics()) {
                    if (session.topics().add(key(request.appId(), topic))) {
                        String channel = RedisKeys.topicChannel(request.appId(), topic);
                        byChannel.computeIfAbsent(channel, c -> ConcurrentHashMap.newKeySet()).add(session);
                        subscriptions.add(broker.subscribe(channel));
                    }
                }
            }
            return Uni.join().all(subscriptions.isEmpty() ? List.of(Uni.createFrom().voidItem()) : subscriptions)
                    .andCollectFailures().replaceWithVoid()
                    .invoke(() -> outbound.write(session, frames.topics(true, request.appId(), request.topics())));
        });
    }

    public void unsubscribe(ClientSession session, ClientFrame.Topics request) {
        for (String topic : request.topics()) {
            if (session.topics().remove(key(request.appId(), topic))) {
                leave(session, RedisKeys.topicChannel(request.appId(), topic));
            }
        }
        outbound.write(session, frames.topics(false, request.appId(), request.topics()));
    }

    /** The connection closed: drop all its subscriptions. */
    public void dropAll(ClientSession session) {
        for (String key : List.copyOf(session.topics())) {
            session.topics().remove(key);
            int cut = key.indexOf('\n');
            leave(session, RedisKeys.topicChannel(key.substring(0, cut), key.substring(cut + 1)));
        }
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

    private void dropApp(ClientSession session, String appId) {
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

    private static String key(String appId, String topic) {
        return appId + "\n" + topic;
    }
}
