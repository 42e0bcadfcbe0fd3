package io.parley.chat.fanout;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

/**
 * Hands what arrives on the node's one pub/sub connection to whoever holds the local recipients: the
 * {@link ChannelReceiver} that accepts the channel (chat connections for user and group channels, topic
 * subscribers, {@code /ws/notify} connections). The receivers are found once, at start, which also creates them.
 */
@Singleton
@Startup
public class FanoutRouter implements FanoutBroker.Listener {

    private final ChannelReceiver[] receivers;

    public FanoutRouter(FanoutBroker broker, Instance<ChannelReceiver> receivers) {
        this.receivers = receivers.stream().toArray(ChannelReceiver[]::new);
        broker.setListener(this);
    }

    @Override
    public void onMessage(String channel, String payload) {
        for (ChannelReceiver receiver : receivers) {
            if (receiver.accepts(channel)) {
                receiver.onMessage(channel, payload);
                return;
            }
        }
    }

    @Override
    public void onGap() {
        for (ChannelReceiver receiver : receivers) {
            receiver.onGap();
        }
    }
}
