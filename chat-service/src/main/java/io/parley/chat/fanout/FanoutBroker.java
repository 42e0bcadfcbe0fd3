package io.parley.chat.fanout;

import io.smallrye.mutiny.Uni;

/**
 * Moves encoded frames between nodes. Each node subscribes only to the channels of the users and groups it
 * holds connections for. Guarantee: at most once, in publish order per channel — a message missed here is
 * still in the conversation's stream (the truth), and reaches the client on its next {@code sync}.
 */
public interface FanoutBroker {

    /** Receives what arrives on subscribed channels, and hears when delivery may have had a gap. */
    interface Listener {
        void onMessage(String channel, String payload);

        /** The subscription was lost and re-established: anything published meanwhile was missed. */
        void onGap();
    }

    void setListener(Listener listener);

    /** Starts receiving a channel (idempotent); completes once the subscription is in place. */
    Uni<Void> subscribe(String channel);

    /** Stops receiving a channel (idempotent). */
    void unsubscribe(String channel);

    /** Channels currently subscribed, for metrics. */
    int subscriptionCount();
}
