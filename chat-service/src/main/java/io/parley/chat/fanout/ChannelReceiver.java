package io.parley.chat.fanout;

/**
 * One kind of local recipient of what arrives on the node's pub/sub connection: chat connections, topic
 * subscribers, {@code /ws/notify} connections. A receiver registers itself by being a CDI bean of this type;
 * {@link FanoutRouter} hands each channel to the receiver that accepts it, so fan-out knows none of them by name.
 * Called on the pub/sub connection's thread: never block.
 */
public interface ChannelReceiver {

    /** Whether the channel is one of this receiver's (asked per message: a prefix test, no lookups). */
    boolean accepts(String channel);

    /** A message on one of this receiver's channels. */
    void onMessage(String channel, String payload);

    /** The subscription was lost and re-established: anything published meanwhile was missed. */
    void onGap();
}
