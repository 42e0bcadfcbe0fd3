package io.parley.chat.delivery;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.channel.EventLoop;
import io.parley.common.token.TokenClaims;
import io.quarkus.websockets.next.WebSocketConnection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One open WebSocket of one device: who it is, what it has been sent but not acknowledged (a seq range per
 * conversation, see {@link DeliveryWindow}), and its inbound rate budget.
 *
 * <p>Delivery state is confined to the socket's event loop ({@link #loop()}): {@link Outbound} writes and acks are
 * handled there, so it needs no locks and no per-message allocation.
 */
public final class ClientSession {

    private final WebSocketConnection connection;
    /** The socket underneath websockets-next, written to directly on the hot path; null if not available. */
    private final Channel channel;
    /** Writes whose failure (the peer is gone) is not an error to log: the close handling cleans up. */
    private final ChannelPromise quietWrites;
    private final TokenClaims claims;
    private volatile String accessToken;
    private final String tag;
    private final Set<String> groups = ConcurrentHashMap.newKeySet();
    /** {@code <appId>\n<topic>} this connection subscribed to. */
    private final Set<String> topics = ConcurrentHashMap.newKeySet();
    private final boolean binary;
    private final long openedAtMillis = System.currentTimeMillis();
    /** Per conversation; created on the first delivery (an idle connection holds none). Event loop only. */
    private Map<String, DeliveryWindow> windows;
    /** Sum of the windows' unacknowledged messages; written on the event loop, read anywhere for monitoring. */
    private volatile long unacked;
    /**
     * Acknowledged seqs not yet written to Redis (cursors are flushed about once a second, not per ack); null while
     * there are none, so an idle connection holds no map. Guarded by {@code this}: recorded on the event loop, taken
     * by the flusher.
     */
    private Map<String, Long> acksToFlush;
    private final TokenBucket inboundBudget;
    /**
     * Sends that arrived while an earlier one of this connection waited for something before reaching Redis (an id
     * block, a recipient lookup): they go on after it, in arrival order, so a connection's messages keep their order.
     * Touched on the socket's event loop only.
     */
    private java.util.ArrayDeque<Runnable> parkedSends;
    private boolean sendAway;
    private volatile long lastHeardNanos = System.nanoTime();
    /** When the server last pinged this socket (event loop only); starts at the upgrade, so pings spread out. */
    long lastPingNanos = System.nanoTime();
    private volatile boolean closing;

    public ClientSession(WebSocketConnection connection, Channel channel, TokenClaims claims, String accessToken,
                         String tag, TokenBucket inboundBudget) {
        this(connection, channel, claims, accessToken, tag, inboundBudget, false);
    }

    /** @param binary the client negotiated the binary subprotocol: every frame is written as binary CBOR */
    public ClientSession(WebSocketConnection connection, Channel channel, TokenClaims claims, String accessToken,
                         String tag, TokenBucket inboundBudget, boolean binary) {
        this.binary = binary;
        this.connection = connection;
        this.channel = channel;
        this.quietWrites = channel == null ? null : new VoidChannelPromise(channel, false);
        this.claims = claims;
        this.accessToken = accessToken;
        this.tag = tag;
        this.inboundBudget = inboundBudget;
    }

    public WebSocketConnection connection() {
        return connection;
    }

    Channel channel() {
        return channel;
    }

    ChannelPromise quietWrites() {
        return quietWrites;
    }

    /** Whether a send of this connection is waiting before Redis, or sends are parked behind one. Event loop only. */
    public boolean sendsWait() {
        return sendAway || (parkedSends != null && !parkedSends.isEmpty());
    }

    /** Parks a send behind the one that is away (run by {@link #nextParkedSend}). Event loop only. */
    public void parkSend(Runnable send) {
        if (parkedSends == null) {
            parkedSends = new java.util.ArrayDeque<>(4);
        }
        parkedSends.add(send);
    }

    /** Marks a send as away (waiting before Redis) or back. Event loop only. */
    public void sendAway(boolean away) {
        sendAway = away;
    }

    /** The next parked send, or null when one is away or none is parked. Event loop only. */
    public Runnable nextParkedSend() {
        return sendAway || parkedSends == null ? null : parkedSends.poll();
    }

    /** The event loop that owns the socket (null without a channel). */
    public EventLoop loop() {
        return channel == null ? null : channel.eventLoop();
    }

    public long userId() {
        return claims.userId();
    }

    public String deviceId() {
        return claims.deviceId() == null ? "default" : claims.deviceId();
    }

    public TokenClaims claims() {
        return claims;
    }

    /** The bearer's own token, forwarded when chat-service asks auth-service on its behalf. */
    public String accessToken() {
        return accessToken;
    }

    /** A fresh access token of the same session, presented on the open socket: used from now on for calls on its behalf. */
    public void renewAccessToken(String token) {
        this.accessToken = token;
    }

    /** {@code node:connection}, as carried in fan-out envelopes. */
    public String tag() {
        return tag;
    }

    public String id() {
        return connection.id();
    }

    public Set<String> groups() {
        return groups;
    }

    public Set<String> topics() {
        return topics;
    }

    public boolean binary() {
        return binary;
    }

    public long openedAtMillis() {
        return openedAtMillis;
    }

    /** Frames written to the socket and not yet sent to the peer (monitoring, slow-consumer check). */
    public int queued() {
        Channel ch = channel;
        ChannelOutboundBuffer buffer = ch == null ? null : ch.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.size();
    }

    /** Messages delivered and not yet acknowledged (monitoring). */
    public long unackedNow() {
        return unacked;
    }

    public void heard() {
        lastHeardNanos = System.nanoTime();
    }

    public long lastHeardNanos() {
        return lastHeardNanos;
    }

    public boolean tryTakeInboundToken() {
        return inboundBudget.tryTake();
    }

    /** Marks the session as closing; returns false if it already was (close once). */
    boolean markClosing() {
        if (closing) {
            return false;
        }
        closing = true;
        return true;
    }

    public boolean isClosing() {
        return closing;
    }

    /** Event loop only: records a written message of the conversation. */
    void written(String conversation, long seq, long nowNanos) {
        if (windows == null) {
            windows = new HashMap<>(4);
        }
        unacked += windows.computeIfAbsent(conversation, c -> new DeliveryWindow()).written(seq, nowNanos);
        if (!inFlightListed && timers != null) {
            timers.listInFlight(this); // looked at for retransmission from the next tick on
        }
    }

    /** Event loop only: whether {@code seq} was written here and awaits its acknowledgement (a copy would be a duplicate). */
    boolean inFlight(String conversation, long seq) {
        DeliveryWindow window = windows == null ? null : windows.get(conversation);
        return window != null && window.inFlight(seq);
    }

    /** Event loop only: the client has everything up to {@code seq} in the conversation. */
    void acknowledge(String conversation, long seq, long nowNanos) {
        DeliveryWindow window = windows == null ? null : windows.get(conversation);
        if (window != null) {
            unacked += window.acknowledged(seq, nowNanos);
        }
    }

    /** Event loop only: when the sweep last forgot idle windows ({@link DeliveryTimers}). */
    long lastPrunedNanos = System.nanoTime();
    /** Event loop only: the second this connection is next due in its loop's timer wheel ({@link LoopTimers}). */
    long timerDueSecond;
    /** Event loop only: whether it is in its loop's list of connections with delivery windows. */
    boolean inFlightListed;
    /** Event loop only: its loop's timers, once watched; a first window lists the connection there. */
    LoopTimers timers;
    /** Set when watched: a chat connection is closed when idle; a /ws/notify socket is only pinged. */
    boolean closesWhenIdle;

    /** Event loop only: whether any delivery window is held. */
    boolean hasWindows() {
        return windows != null && !windows.isEmpty();
    }

    /** Event loop only: the windows, for the retransmission sweep (which may remove idle ones). */
    Map<String, DeliveryWindow> windows() {
        return windows == null ? new HashMap<>(0) : windows;
    }

    /**
     * Remembers an acknowledged seq for the next cursor flush (keeps the highest per conversation). True if it is the
     * first since the last {@link #takeAcks()}: the caller queues the connection for a flush.
     */
    public synchronized boolean recordAck(String conversation, long seq) {
        boolean first = acksToFlush == null;
        if (first) {
            acksToFlush = new HashMap<>(4);
        }
        acksToFlush.merge(conversation, seq, Math::max);
        return first;
    }

    /** Takes the acknowledgements gathered since the last flush (empty if none). */
    public synchronized Map<String, Long> takeAcks() {
        Map<String, Long> taken = acksToFlush;
        acksToFlush = null;
        return taken == null ? Map.of() : taken;
    }
}
