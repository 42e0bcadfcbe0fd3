package io.parley.chat.fanout;

import io.parley.chat.delivery.LocalConnections;
import io.parley.chat.notify.NotifyConnections;
import io.parley.chat.store.RedisKeys;
import io.parley.chat.topics.TopicSubscriptions;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;

/**
 * Hands what arrives on the node's one pub/sub connection to whoever holds the local recipients: chat connections
 * (user and group channels), topic subscribers, or {@code /ws/notify} connections — by channel prefix.
 */
@Singleton
@Startup
public class FanoutRouter implements FanoutBroker.Listener {

    public static final String TOPIC_PREFIX = "chat:topic:";
    public static final String NOTIFY_PREFIX = "chat:notify:";

    private final LocalConnections chat;
    private final TopicSubscriptions topics;
    private final NotifyConnections notify;

    public FanoutRouter(FanoutBroker broker, LocalConnections chat, TopicSubscriptions topics, NotifyConnections notify) {
        this.chat = chat;
        this.topics = topics;
        this.notify = notify;
        broker.setListener(this);
    }

    @Override
    public void onMessage(String channel, String payload) {
        if (channel.startsWith(TOPIC_PREFIX)) {
            topics.onPublication(channel, payload);
        } else if (channel.equals(RedisKeys.APP_ACCESS_CHANNEL)) {
            topics.onAccessWithdrawn(payload);
        } else if (channel.startsWith(NOTIFY_PREFIX)) {
            notify.onNotification(channel, payload);
        } else {
            chat.onMessage(channel, payload);
        }
    }

    @Override
    public void onGap() {
        chat.onGap();
        notify.onGap();
        // topic publications are live data: a gap is not replayed (documented), subscribers stay connected
    }
}
