package io.parley.chat.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A client that behaves as the protocol asks and checks what it gets: it acknowledges every message, keeps its
 * per-conversation cursor, and when the server closes it with a reconnect code (4000–4499) it reconnects to a node
 * chosen by {@code nodes}, syncs from its cursors and resends every {@code send} that has no {@code sent} yet, with
 * the same {@code clientMsgId} — also a second after a send got {@code UNAVAILABLE}, as the JS client does. A node
 * that refuses the upgrade (down, draining, its Redis restarting) is retried with backoff for up to two minutes. Driven by one thread calling {@link #step()}.
 */
final class CheckingClient {

    /** A send answered UNAVAILABLE is written again (same clientMsgId) after this, as the JS client does. */
    private static final long RETRY_AFTER_UNAVAILABLE_NANOS = 1_000_000_000L;

    private final Platform.User user;
    private final Supplier<String> nodes;
    /** clientMsgId → the send frame, until its {@code sent} arrives. */
    private final Map<String, ObjectNode> unanswered = new TreeMap<>();
    /** clientMsgId → when to write it again (after UNAVAILABLE). */
    private final Map<String, Long> retryAt = new TreeMap<>();
    /** clientMsgId → message id from {@code sent}. */
    final Map<String, String> answered = new ConcurrentHashMap<>();
    /** clientMsgId → System.nanoTime() when its {@code sent} arrived. */
    final Map<String, Long> answeredAt = new ConcurrentHashMap<>();
    /** clientMsgId → System.nanoTime() of its first write. */
    final Map<String, Long> firstWritten = new ConcurrentHashMap<>();
    /** error frames by code. */
    final Map<String, Integer> errorCodes = new ConcurrentHashMap<>();
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
        long deadline = System.nanoTime() + 120_000_000_000L;
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            try {
                socket = ChatClient.connect(nodes.get(), user.token());
                ObjectNode sync = ChatClient.frame("sync");
                ObjectNode c = sync.putObject("cursors");
                cursors.forEach(c::put);
                socket.send(sync);
                for (ObjectNode pending : unanswered.values()) {
                    socket.send(pending);
                }
                retryAt.clear();
                return;
            } catch (RuntimeException e) {
                last = e; // refused (503 while draining) or not up yet: try again, maybe elsewhere
                sleep(Math.min(1000, 100L << Math.min(attempt, 4)));
            }
        }
        throw new IllegalStateException("could not reconnect " + user.id(), last);
    }

    void send(ObjectNode frame) {
        String cmid = frame.get("clientMsgId").asText();
        unanswered.put(cmid, frame);
        firstWritten.putIfAbsent(cmid, System.nanoTime());
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
                    retryAt.remove(cmid);
                    answeredAt.putIfAbsent(cmid, System.nanoTime());
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
                    String code = frame.path("code").asText();
                    errorCodes.merge(code, 1, Integer::sum);
                    if (!"UNAVAILABLE".equals(code)) {
                        throw new AssertionError("unexpected error frame for " + user.id() + ": " + frame);
                    }
                    String ref = frame.path("ref").asText(null);
                    if (ref != null && unanswered.containsKey(ref)) {
                        // retry the same clientMsgId shortly
                        retryAt.put(ref, System.nanoTime() + RETRY_AFTER_UNAVAILABLE_NANOS);
                    }
                }
                default -> { }
            }
        }
        Integer code = socket.closeCode();
        if (code != null) {
            closeCodes.add(code);
            // -1: the socket failed; 1006: closed without a close frame (a killed node) — both mean reconnect
            if (code != -1 && code != 1006 && (code < 4000 || code >= 4500)) {
                throw new AssertionError(user.id() + " closed with " + code + ", which does not mean reconnect");
            }
            reconnects++;
            connect();
            return;
        }
        long now = System.nanoTime();
        for (Iterator<Map.Entry<String, Long>> it = retryAt.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> due = it.next();
            ObjectNode pending = unanswered.get(due.getKey());
            if (pending == null) {
                it.remove();
            } else if (now >= due.getValue()) {
                it.remove();
                try {
                    socket.send(pending);
                } catch (RuntimeException e) {
                    // closing: resent after the reconnect
                }
            }
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
