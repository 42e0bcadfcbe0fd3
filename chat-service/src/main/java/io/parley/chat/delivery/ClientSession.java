package io.parley.chat.delivery;

import io.parley.common.token.TokenClaims;
import io.quarkus.websockets.next.WebSocketConnection;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One open WebSocket of one device: who it is, what it has been sent but not acknowledged, how much is
 * waiting to be written, and its inbound rate budget.
 */
public final class ClientSession {

    /** A message written to the client and not yet acknowledged. */
    static final class Pending {
        final String frame;
        volatile long sentAtNanos;
        volatile int attempts;

        Pending(String frame, long sentAtNanos) {
            this.frame = frame;
            this.sentAtNanos = sentAtNanos;
        }
    }

    private final WebSocketConnection connection;
    private final TokenClaims claims;
    private final String accessToken;
    private final String tag;
    private final Set<String> groups = ConcurrentHashMap.newKeySet();
    /** {@code <appId>\n<topic>} this connection subscribed to. */
    private final Set<String> topics = ConcurrentHashMap.newKeySet();
    private final boolean binary;
    private final long openedAtMillis = System.currentTimeMillis();
    private final Map<String, NavigableMap<Long, Pending>> unacked = new ConcurrentHashMap<>();
    private final AtomicInteger unackedCount = new AtomicInteger();
    private final AtomicInteger writing = new AtomicInteger();
    /** Acknowledged seqs not yet written to Redis: cursors are flushed about once a second, not per ack. */
    private volatile Map<String, Long> acksToFlush = new ConcurrentHashMap<>();
    private final TokenBucket inboundBudget;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile boolean closing;

    public ClientSession(WebSocketConnection connection, TokenClaims claims, String accessToken, String tag,
                         TokenBucket inboundBudget) {
        this(connection, claims, accessToken, tag, inboundBudget, false);
    }

    /** @param binary the client negotiated the binary subprotocol: every frame is written as binary CBOR */
    public ClientSession(WebSocketConnection connection, TokenClaims claims, String accessToken, String tag,
                         TokenBucket inboundBudget, boolean binary) {
        this.binary = binary;
        this.connection = connection;
        this.claims = claims;
        this.accessToken = accessToken;
        this.tag = tag;
        this.inboundBudget = inboundBudget;
    }

    public WebSocketConnection connection() {
        return connection;
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

    /** Frames queued for writing now (monitoring). */
    public int queued() {
        return writing.get();
    }

    /** Messages delivered and not yet acknowledged (monitoring). */
    public int unackedNow() {
        return unackedCount.get();
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

    AtomicInteger writing() {
        return writing;
    }

    int unackedCount() {
        return unackedCount.get();
    }

    Map<String, NavigableMap<Long, Pending>> unacked() {
        return unacked;
    }

    /** Remembers a delivered message until it is acknowledged; false if it was already pending. */
    boolean track(String conversation, long seq, String frame, long nowNanos) {
        NavigableMap<Long, Pending> pending = unacked.computeIfAbsent(conversation, c -> new ConcurrentSkipListMap<>());
        if (pending.putIfAbsent(seq, new Pending(frame, nowNanos)) == null) {
            unackedCount.incrementAndGet();
            return true;
        }
        return false;
    }

    /** Remembers an acknowledged seq for the next cursor flush (keeps the highest per conversation). */
    public void recordAck(String conversation, long seq) {
        acksToFlush.merge(conversation, seq, Math::max);
    }

    /** Takes the acknowledgements gathered since the last flush (empty if none). */
    public Map<String, Long> takeAcks() {
        Map<String, Long> taken = acksToFlush;
        if (taken.isEmpty()) {
            return Map.of();
        }
        acksToFlush = new ConcurrentHashMap<>();
        return taken;
    }

    /** Forgets everything up to {@code seq} in the conversation. */
    void acknowledge(String conversation, long seq) {
        NavigableMap<Long, Pending> pending = unacked.get(conversation);
        if (pending == null) {
            return;
        }
        NavigableMap<Long, Pending> done = pending.headMap(seq, true);
        int removed = done.size();
        done.clear();
        unackedCount.addAndGet(-removed);
    }
}
