package io.parley.loadgen;

import io.vertx.core.http.WebSocket;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * One simulated device: a user, its token, its WebSocket, and — if it sends — what it sent. Every field is read
 * and written only on the event loop of its {@link Lane}, so nothing here is synchronised.
 */
final class Client {

    final int index;
    final long userId;
    final String token;
    final int node;

    WebSocket socket;
    boolean open;
    /** Set when the server (not the generator) closed or broke the connection. */
    boolean lost;

    // --- sender side (template == null: this client only receives)
    Frames.SendTemplate template;
    long nextN;
    long phaseFirstN;
    long offsetNanos;
    long[] sendNanos = new long[64];
    final BitSet acked = new BitSet();
    final BitSet rejected = new BitSet();
    /** fan-out: the client indexes of the sender's group (itself included); null for direct. */
    int[] groupMembers;
    /** direct scenario: the client index each message {@code n} went to. */
    int[] targets;

    // --- receiver side: per sender index, the message numbers received
    final Map<Integer, BitSet> received = new HashMap<>(4);

    // --- coalesced acks: per conversation, what this client has seen and acknowledged (created on first use)
    private HashMap<String, AckCursor> ackCursors;

    // --- topics scenario: the topic this client subscribes to (-1: none), the publications (g) it received
    int topic = -1;
    /** Takes the parley.cbor.v1 subprotocol: every server frame is a CBOR map in a binary message. */
    boolean binary;
    /** The server answered the subscribe with {@code subscribed}. */
    boolean subscribed;
    final BitSet publications = new BitSet();

    Client(int index, long userId, String token, int node) {
        this.index = index;
        this.userId = userId;
        this.token = token;
        this.node = node;
    }

    HashMap<String, AckCursor> ackCursors() {
        if (ackCursors == null) {
            ackCursors = new HashMap<>(4);
        }
        return ackCursors;
    }

    boolean isSender() {
        return template != null;
    }

    void recordSend(long n, long nanos, int target) {
        if (n >= sendNanos.length) {
            sendNanos = Arrays.copyOf(sendNanos, (int) Math.max(n + 1, sendNanos.length * 2L));
        }
        sendNanos[(int) n] = nanos;
        if (targets != null) {
            if (n >= targets.length) {
                targets = Arrays.copyOf(targets, (int) Math.max(n + 1, targets.length * 2L));
            }
            targets[(int) n] = target;
        }
    }

    /** The send time of {@code n} if it was sent and not yet confirmed, else 0; marks it confirmed. */
    long confirm(long n) {
        if (n < 0 || n >= nextN || acked.get((int) n)) {
            return 0;
        }
        acked.set((int) n);
        return sendNanos[(int) n];
    }

    /** A send answered with an {@code error} frame; true the first time for {@code n}. */
    boolean reject(long n) {
        if (n < 0 || n >= nextN || acked.get((int) n) || rejected.get((int) n)) {
            return false;
        }
        rejected.set((int) n);
        return true;
    }

    /** Records a publication; true if it is the first copy this client got. */
    boolean receivePublication(long g) {
        if (publications.get((int) g)) {
            return false;
        }
        publications.set((int) g);
        return true;
    }

    /** Records a delivery; true if it is the first copy of that message this client got. */
    boolean receive(int sender, long n) {
        BitSet bits = received.get(sender);
        if (bits == null) {
            bits = new BitSet();
            received.put(sender, bits);
        }
        if (bits.get((int) n)) {
            return false;
        }
        bits.set((int) n);
        return true;
    }
}
