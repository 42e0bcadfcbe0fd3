package io.parley.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A client of the faults and soak scenarios that behaves as the JavaScript client (clients/js) does and checks
 * what it gets: it keeps a cursor per conversation (advanced only over contiguous seqs, its own {@code sent}
 * included), acknowledges coalesced (one cumulative ack per conversation at most every 150 ms), reconnects with
 * backoff when the connection is closed or broken — to its home node first, then to the others in turn — syncs
 * from its cursors, and resends every {@code send} without a {@code sent}, with the same {@code clientMsgId}
 * (after a reconnect, and a second after {@code UNAVAILABLE}/{@code RATE_LIMITED}, as the JS client does; with a
 * resend interval also when no answer came within it — off by default, the JS client has none). Everything but the socket listener runs on the one {@link Traffic} thread that calls {@link #step}.
 */
final class CheckingClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final long ACK_DELAY_NANOS = 150_000_000L;
    /** The JS client's retry of a send answered UNAVAILABLE or RATE_LIMITED. */
    private static final long RETRY_AFTER_ERROR_NANOS = 1_000_000_000L;

    /** A send without its {@code sent} yet. */
    static final class Pending {
        final String clientMsgId;
        final String frame;
        final long firstNanos;
        long lastSentNanos;
        long resendAtNanos;
        final Object tag;

        Pending(String clientMsgId, String frame, long firstNanos, Object tag) {
            this.clientMsgId = clientMsgId;
            this.frame = frame;
            this.firstNanos = firstNanos;
            this.tag = tag;
        }
    }

    /** What the Traffic owner is told about this client's events. */
    interface Observer {
        /** {@code pending} is null for a second {@code sent} of a clientMsgId already answered. */
        void sent(CheckingClient client, String clientMsgId, Pending pending, String id, String conversation, long seq,
                  long nowNanos);

        void received(CheckingClient client, String id, String body, long nowNanos, boolean first);

        void rejected(CheckingClient client, Pending pending, String code);
    }

    /** A frame or (text null) the end of a socket; events of an earlier socket than the current one are dropped. */
    private record Event(WebSocket socket, String text, Integer closeCode) {
    }

    final int index;
    final long userId;
    final String token;
    private final List<String> nodes;
    private final int home;
    private final HttpClient http;
    private final Observer observer;
    private final long resendNanos;

    private final ConcurrentLinkedQueue<Event> inbox = new ConcurrentLinkedQueue<>();
    private WebSocket socket;
    private CompletableFuture<WebSocket> connecting;
    private String connectingTo;
    /** the node of the open (or last) connection */
    String node;
    private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);
    private long reconnectAtNanos;
    private int attempt;
    private long downSinceNanos;

    final Map<String, Pending> unanswered = new LinkedHashMap<>();
    private final Map<String, Long> cursors = new TreeMap<>();
    private final Map<String, TreeSet<Long>> ahead = new HashMap<>();
    private final Map<String, Long> ackedUpTo = new HashMap<>();
    private final Map<String, Long> ackDueAt = new HashMap<>();
    /** message id → copies received. */
    final Map<String, Integer> received = new HashMap<>();

    // figures
    final Map<String, Integer> closes = new TreeMap<>();
    final Map<String, Integer> errors = new TreeMap<>();
    int reconnects;
    int resends;
    int connectFailures;
    long longestDownNanos;

    CheckingClient(int index, long userId, String token, List<String> nodes, int home, HttpClient http,
                   Observer observer, long resendMillis) {
        this.index = index;
        this.userId = userId;
        this.token = token;
        this.nodes = nodes;
        this.home = home;
        this.http = http;
        this.observer = observer;
        this.resendNanos = resendMillis * 1_000_000L;
        this.downSinceNanos = System.nanoTime();
    }

    boolean isOpen() {
        return socket != null;
    }

    /** Queues a send (and writes it at once if connected). */
    Pending send(String clientMsgId, ObjectNode to, String body, Object tag, long now) {
        ObjectNode frame = JSON.createObjectNode().put("type", "send").put("clientMsgId", clientMsgId);
        frame.set("to", to);
        frame.put("body", body);
        Pending p = new Pending(clientMsgId, frame.toString(), now, tag);
        unanswered.put(clientMsgId, p);
        if (socket != null) {
            write(p.frame);
            p.lastSentNanos = now;
        }
        return p;
    }

    /** Closes the connection on purpose (churn): flushes due acks, then 1000; reconnects after {@code pauseMillis}. */
    void churn(long now, long pauseMillis) {
        if (socket == null) {
            return;
        }
        flushAcks(now, true);
        WebSocket s = socket;
        sendChain = sendChain.handle((x, e) -> null).thenCompose(x -> s.sendClose(1000, "churn"));
        socket = null;
        downSinceNanos = now;
        reconnectAtNanos = now + pauseMillis * 1_000_000L;
        attempt = 0;
    }

    void close() {
        WebSocket s = socket;
        socket = null;
        if (s != null) {
            s.abort();
        }
        if (connecting != null) {
            connecting.thenAccept(WebSocket::abort);
        }
    }

    /** One turn: connection state, frames received, resends and due acks. */
    void step(long now) {
        if (socket == null) {
            connectStep(now);
        }
        Event e;
        while ((e = inbox.poll()) != null) {
            if (e.socket != socket) {
                continue;
            }
            if (e.closeCode != null) {
                onClosed(e.closeCode, now);
            } else {
                handle(e.text, now);
            }
        }
        if (socket != null) {
            for (Pending p : unanswered.values()) {
                boolean retryDue = p.resendAtNanos != 0 && now >= p.resendAtNanos;
                boolean silent = resendNanos > 0 && p.resendAtNanos == 0 && now - p.lastSentNanos >= resendNanos;
                if (retryDue || silent) {
                    p.resendAtNanos = 0;
                    p.lastSentNanos = now;
                    resends++;
                    write(p.frame);
                }
            }
            flushAcks(now, false);
        }
    }

    private void connectStep(long now) {
        if (connecting == null) {
            if (now < reconnectAtNanos) {
                return;
            }
            String node = nodes.get((home + attempt) % nodes.size());
            connectingTo = node;
            connecting = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(URI.create(node.replace("http://", "ws://") + "/ws/chat"), new Listener(this))
                    .toCompletableFuture();
            return;
        }
        if (!connecting.isDone()) {
            return;
        }
        CompletableFuture<WebSocket> done = connecting;
        connecting = null;
        if (done.isCompletedExceptionally()) {
            connectFailures++;
            attempt++;
            // the JS client's backoff: 250 ms doubling to 4 s, with jitter; every node in turn
            long backoff = Math.min(4000, 250L << Math.min(4, Math.max(0, attempt - 1)));
            reconnectAtNanos = now + (backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1)) * 1_000_000L;
            return;
        }
        socket = done.join();
        node = connectingTo;
        sendChain = CompletableFuture.completedFuture(null);
        attempt = 0;
        longestDownNanos = Math.max(longestDownNanos, now - downSinceNanos);
        sync();
        for (Pending p : unanswered.values()) {
            p.lastSentNanos = now;
            p.resendAtNanos = 0;
            write(p.frame);
        }
    }

    private void onClosed(int code, long now) {
        closes.merge(code == -1 ? "broken" : Integer.toString(code), 1, Integer::sum);
        socket.abort();
        socket = null;
        reconnects++;
        downSinceNanos = now;
        attempt = code == 4000 || code == 4006 ? 1 : 0; // told to go elsewhere: start with the next node
        long backoff = code == -1 ? 250 : 100;
        reconnectAtNanos = now + ThreadLocalRandom.current().nextLong(backoff) * 1_000_000L;
    }

    private void sync() {
        ObjectNode sync = JSON.createObjectNode().put("type", "sync");
        ObjectNode c = sync.putObject("cursors");
        cursors.forEach(c::put);
        write(sync.toString());
    }

    private void handle(String text, long now) {
        JsonNode frame;
        try {
            frame = JSON.readTree(text);
        } catch (Exception ex) {
            errors.merge("unparseable", 1, Integer::sum);
            return;
        }
        switch (frame.path("type").asText()) {
            case "sent" -> {
                String clientMsgId = frame.path("clientMsgId").asText();
                Pending p = unanswered.remove(clientMsgId);
                String conversation = frame.path("conversation").asText();
                long seq = frame.path("seq").asLong();
                advance(conversation, seq, now);
                observer.sent(this, clientMsgId, p, frame.path("id").asText(), conversation, seq, now);
            }
            case "message" -> {
                String id = frame.path("id").asText();
                int copies = received.merge(id, 1, Integer::sum);
                observer.received(this, id, frame.path("body").asText(), now, copies == 1);
                advance(frame.path("conversation").asText(), frame.path("seq").asLong(), now);
            }
            case "synced" -> {
                if (frame.path("more").asBoolean()) {
                    sync(); // one page per conversation at a time: continue from the cursors
                }
                flushAcks(now, true);
            }
            case "error" -> {
                String code = frame.path("code").asText();
                String ref = frame.path("ref").asText(null);
                Pending p = ref == null ? null : unanswered.get(ref);
                errors.merge(code + (p != null ? ":send" : ""), 1, Integer::sum);
                if (p != null) {
                    if (code.equals("UNAVAILABLE") || code.equals("RATE_LIMITED")) {
                        p.resendAtNanos = now + RETRY_AFTER_ERROR_NANOS; // retry the same clientMsgId
                    } else {
                        unanswered.remove(ref);
                        observer.rejected(this, p, code);
                    }
                }
            }
            default -> {
            }
        }
    }

    /** The cursor moves only over a contiguous run of seqs, so a later sync never skips a gap. */
    private void advance(String conversation, long seq, long now) {
        long cursor = cursors.getOrDefault(conversation, 0L);
        if (seq <= cursor) {
            ackDueAt.putIfAbsent(conversation, now + ACK_DELAY_NANOS); // a retransmission: our ack was lost
            ackedUpTo.remove(conversation);
            return;
        }
        TreeSet<Long> waiting = ahead.computeIfAbsent(conversation, c -> new TreeSet<>());
        waiting.add(seq);
        while (waiting.remove(cursor + 1)) {
            cursor++;
        }
        cursors.put(conversation, cursor);
        if (waiting.isEmpty()) {
            ahead.remove(conversation);
        }
        ackDueAt.putIfAbsent(conversation, now + ACK_DELAY_NANOS);
    }

    private void flushAcks(long now, boolean all) {
        if (ackDueAt.isEmpty()) {
            return;
        }
        List<String> due = new ArrayList<>();
        ackDueAt.forEach((conversation, at) -> {
            if (all || now >= at) {
                due.add(conversation);
            }
        });
        for (String conversation : due) {
            ackDueAt.remove(conversation);
            long cursor = cursors.getOrDefault(conversation, 0L);
            if (cursor > 0 && !Long.valueOf(cursor).equals(ackedUpTo.get(conversation))) {
                ackedUpTo.put(conversation, cursor);
                write("{\"type\":\"ack\",\"conversation\":\"" + conversation + "\",\"seq\":" + cursor + "}");
            }
        }
    }

    /** Writes in order; a failure (the socket went away) is left to the close event and the resends. */
    private void write(String text) {
        WebSocket s = socket;
        sendChain = sendChain.handle((x, e) -> null).thenCompose(x -> s.sendText(text, true));
    }

    private static final class Listener implements WebSocket.Listener {
        private final CheckingClient client;
        private final StringBuilder partial = new StringBuilder();

        Listener(CheckingClient client) {
            this.client = client;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                client.inbox.add(new Event(webSocket, partial.toString(), null));
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            client.inbox.add(new Event(webSocket, null, statusCode));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            client.inbox.add(new Event(webSocket, null, -1));
        }
    }
}
