package io.parley.chat.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A client that behaves as the protocol asks and checks what it gets: it acknowledges every message, keeps its
 * per-conversation cursor, and when the server closes it with a reconnect code (4000–4499) it reconnects to a node
 * chosen by {@code nodes}, syncs from its cursors and resends every {@code send} that has no {@code sent} yet, with
 * the same {@code clientMsgId}. Driven by one thread calling {@link #step()}.
 */
final class CheckingClient {

    private final Platform.User user;
    private final Supplier<String> nodes;
    /** clientMsgId → the send frame, until its {@code sent} arrives. */
    private final Map<String, ObjectNode> unanswered = new TreeMap<>();
    /** clientMsgId → message id from {@code sent}. */
    final Map<String, String> answered = new ConcurrentHashMap<>();
    /** message id → how many times a frame with that id arrived (duplicates are legal; clients drop them by id). */
    final Map<String, Integer> received = new ConcurrentHashMap<>();
    /** message id → body, to check one body never arrives under two ids. */
    final Map<String, String> bodies = new ConcurrentHashMap<>();
    final Set<Integer> closeCodes = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> cursors = new TreeMap<>();
    private final Map<String, java.util.TreeSet<Long>> ahead = new TreeMap<>();
    private ChatClient socket;
    int reconnects;

    CheckingClient(Platform.User user, Supplier<String> nodes) {
        this.user = user;
        this.nodes = nodes;
        connect();
    }

    long userId() {
        return user.id();
    }

    private void connect() {
        RuntimeException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                socket = ChatClient.connect(nodes.get(), user.token());
                ObjectNode sync = ChatClient.frame("sync");
                ObjectNode c = sync.putObject("cursors");
                cursors.forEach(c::put);
                socket.send(sync);
                for (ObjectNode pending : unanswered.values()) {
                    socket.send(pending);
                }
                return;
            } catch (RuntimeException e) {
                last = e; // refused (503 while draining) or not up yet: try again, maybe elsewhere
                sleep(100);
            }
        }
        throw new IllegalStateException("could not reconnect " + user.id(), last);
    }

    void send(ObjectNode frame) {
        unanswered.put(frame.get("clientMsgId").asText(), frame);
        try {
            socket.send(frame);
        } catch (RuntimeException e) {
            // the socket is closing: the frame is resent after reconnecting
        }
    }

    int unansweredCount() {
        return unanswered.size();
    }

    /** Handles what has arrived; reconnects if the server asked to. */
    void step() {
        JsonNode frame;
        while ((frame = socket.poll()) != null) {
            switch (frame.path("type").asText()) {
                case "sent" -> {
                    String cmid = frame.get("clientMsgId").asText();
                    unanswered.remove(cmid);
                    String previous = answered.putIfAbsent(cmid, frame.get("id").asText());
                    if (previous != null && !previous.equals(frame.get("id").asText())) {
                        throw new AssertionError(cmid + " answered with two ids: " + previous + ", " + frame.get("id"));
                    }
                }
                case "message" -> {
                    String id = frame.get("id").asText();
                    received.merge(id, 1, Integer::sum);
                    String body = frame.get("body").asText();
                    bodies.putIfAbsent(id, body);
                    String conversation = frame.get("conversation").asText();
                    long seq = frame.get("seq").asLong();
                    advance(conversation, seq);
                    try {
                        socket.ack(conversation, seq);
                    } catch (RuntimeException e) {
                        // closing; the cursor is kept locally and the next sync starts after it
                    }
                }
                case "synced" -> {
                    if (frame.path("more").asBoolean()) {
                        ObjectNode again = ChatClient.frame("sync");
                        ObjectNode c = again.putObject("cursors");
                        cursors.forEach(c::put);
                        socket.send(again); // one page per conversation at a time: continue from the cursors
                    }
                }
                case "error" -> {
                    if (!"UNAVAILABLE".equals(frame.path("code").asText())) {
                        throw new AssertionError("unexpected error frame for " + user.id() + ": " + frame);
                    }
                }
                default -> { }
            }
        }
        Integer code = socket.closeCode();
        if (code != null) {
            closeCodes.add(code);
            if (code != -1 && (code < 4000 || code >= 4500)) {
                throw new AssertionError(user.id() + " closed with " + code + ", which does not mean reconnect");
            }
            reconnects++;
            connect();
        }
    }

    /** The cursor moves only over a contiguous run of seqs, so a later sync never skips a gap. */
    private void advance(String conversation, long seq) {
        java.util.TreeSet<Long> waiting = ahead.computeIfAbsent(conversation, c -> new java.util.TreeSet<>());
        waiting.add(seq);
        long cursor = cursors.getOrDefault(conversation, 0L);
        while (waiting.remove(cursor + 1)) {
            cursor++;
        }
        waiting.headSet(cursor, true).clear();
        cursors.put(conversation, cursor);
    }

    void close() {
        socket.close();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
