package io.parley.loadgen;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One event loop's share of the clients. A lane's clients connect from its context, so their frames, the
 * sender scheduler and the ping timer all run on the same thread: no locks and no per-message hand-off. The
 * orchestrator talks to a lane only through {@link #call}, which runs a short task on the lane's event loop.
 */
final class Lane extends AbstractVerticle implements CoalescedAcks.Sink {

    /** At most this many messages per sender per tick, so a stalled event loop cannot turn into a burst storm. */
    private static final int MAX_BURST = 1000;

    private final int id;
    private final List<Client> clients = new ArrayList<>();
    private final List<Client> senders = new ArrayList<>();
    private final int tickMillis;
    private final int pingSeconds;
    /** Coalesced ack policy: this lane's pending acks; null with per-message acks. */
    private final CoalescedAcks coalescedAcks;
    private final int ackTickMillis;
    private final boolean deflate;
    /** Direct scenario: every client's user id, indexed by client index (shared, read-only); null otherwise. */
    private long[] directUsers;

    private Context context;
    private WebSocketClient sockets;
    private final StringBuilder frame = new StringBuilder(256);
    private final long[] body = new long[3];
    private SplittableRandom random;
    /** topics scenario: how many topics (a publication g belongs to topic g mod topics); 0 otherwise. */
    private int topics;
    /** topics scenario: the first publication number of the current phase. */
    private long topicFirstG;
    private final long[] publication = new long[2];
    private final Frames.Binary binaryFrame = new Frames.Binary();

    private PhaseStats stats = new PhaseStats();
    private ConnectStats connectStats = new ConnectStats();
    private boolean sending;
    private double rate;
    private long phaseStart;
    private long phaseEnd;
    private boolean closing;

    /** Outcome of connecting a lane's clients. */
    static final class ConnectStats {
        long attempted;
        long connected;
        long failed;
        long firstStart = Long.MAX_VALUE;
        long lastConnected = Long.MIN_VALUE;
        /** --deflate: handshakes answered with the permessage-deflate extension; and those whose answer we could not see. */
        long deflateAccepted;
        long handshakeUnseen;
        final Map<String, Long> failures = new TreeMap<>();

        ConnectStats copy() {
            ConnectStats c = new ConnectStats();
            c.add(this);
            return c;
        }

        void add(ConnectStats o) {
            attempted += o.attempted;
            connected += o.connected;
            failed += o.failed;
            firstStart = Math.min(firstStart, o.firstStart);
            lastConnected = Math.max(lastConnected, o.lastConnected);
            deflateAccepted += o.deflateAccepted;
            handshakeUnseen += o.handshakeUnseen;
            o.failures.forEach((k, v) -> failures.merge(k, v, Long::sum));
        }
    }

    Lane(int id, Options o) {
        this.id = id;
        this.tickMillis = o.tickMillis;
        this.pingSeconds = o.pingSeconds;
        this.coalescedAcks = o.ackPolicy == Options.AckPolicy.COALESCED ? new CoalescedAcks(o.ackDelayMillis) : null;
        this.ackTickMillis = CoalescedAcks.tickMillis(o.ackDelayMillis);
        this.deflate = o.deflate;
    }

    void add(Client client) {
        clients.add(client);
        if (client.isSender()) {
            senders.add(client);
        }
    }

    void directTo(long[] users) {
        this.directUsers = users;
    }

    @Override
    public void start() {
        context = vertx.getOrCreateContext();
        random = new SplittableRandom(0x5eed + id);
        sockets = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(1_000_000) // default is 50 per endpoint: thousands of clients share one
                .setConnectTimeout(30_000)
                .setTryUsePerMessageCompression(deflate));
        vertx.setPeriodic(tickMillis, t -> tick());
        vertx.setPeriodic(pingSeconds * 1000L, t -> ping());
        if (coalescedAcks != null) {
            vertx.setPeriodic(ackTickMillis, t -> coalescedAcks.flush(System.nanoTime(), this));
        }
    }

    /** Runs {@code task} on this lane's event loop and waits (bounded) for its result. */
    <T> T call(Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(v -> {
            try {
                result.complete(task.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("lane " + id + " did not answer", e);
        }
    }

    // ---------------------------------------------------------------- connecting

    /** Connects this lane's clients, at most {@code concurrency} upgrades in flight. Completes when all tried. */
    CompletableFuture<Void> connectAll(List<Integer> ports, int concurrency) {
        return connectAll(ports, concurrency, Integer.MAX_VALUE);
    }

    /**
     * Connects this lane's clients whose index is below {@code below} (the idle warm-up round: the first clients
     * of the run), at most {@code concurrency} upgrades in flight. Completes when all were tried.
     */
    CompletableFuture<Void> connectAll(List<Integer> ports, int concurrency, int below) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        context.runOnContext(v -> new Object() {
            // a lane's clients are in index order, so the ones below the bound are a prefix
            final int count = (int) clients.stream().filter(c -> c.index < below).count();
            int next;
            int inFlight;

            void pump() {
                while (inFlight < concurrency && next < count) {
                    Client c = clients.get(next++);
                    inFlight++;
                    connect(c, ports.get(c.node)).onComplete(ar -> {
                        inFlight--;
                        if (next >= count && inFlight == 0) {
                            done.complete(null);
                        } else {
                            pump();
                        }
                    });
                }
                if (count == 0) {
                    done.complete(null);
                }
            }
        }.pump());
        return done;
    }

    /**
     * The idle warm-up round is over: closes this lane's open connections (normal closure) and forgets them, with
     * fresh connect and phase stats, so the same clients can connect again for the measured round. Completes when
     * every close is done or after {@code timeoutMillis}; the value is how many were closed.
     */
    CompletableFuture<Integer> closeForReconnect(long timeoutMillis) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        context.runOnContext(v -> {
            List<Future<Void>> closes = new ArrayList<>();
            for (Client c : clients) {
                if (c.open) {
                    c.open = false; // onClose ignores it: the generator closed it
                    closes.add(c.socket.close((short) 1000, "warm-up over"));
                }
                c.lost = false;
            }
            connectStats = new ConnectStats();
            stats = new PhaseStats();
            int n = closes.size();
            Future.join(closes).onComplete(ar -> done.complete(n));
            vertx.setTimer(Math.max(1, timeoutMillis), t -> done.complete(n));
        });
        return done;
    }

    private Future<Void> connect(Client c, int port) {
        long start = System.nanoTime();
        connectStats.attempted++;
        connectStats.firstStart = Math.min(connectStats.firstStart, start);
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost("127.0.0.1").setPort(port).setURI("/ws/chat")
                .addHeader("Authorization", "Bearer " + c.token)
                .setTimeout(30_000);
        if (c.binary) {
            options.addSubProtocol(Frames.CBOR_SUBPROTOCOL);
        }
        Promise<Void> attempt = Promise.promise();
        sockets.connect(options).onComplete(ar -> {
            if (ar.succeeded()) {
                WebSocket socket = ar.result();
                c.socket = socket;
                c.open = true;
                if (deflate) {
                    countDeflate(c.socket.headers());
                }
                c.socket.textMessageHandler(text -> onFrame(c, text));
                if (c.binary) {
                    c.socket.binaryMessageHandler(buffer -> onBinaryFrame(c, buffer.getBytes()));
                }
                // a socket of the idle warm-up round may report its close after the client connected again
                c.socket.closeHandler(x -> {
                    if (c.socket == socket) {
                        onClose(c);
                    }
                });
                c.socket.exceptionHandler(e -> {
                    if (c.socket == socket) {
                        stats.errors.merge("socket:" + e.getClass().getSimpleName(), 1L, Long::sum);
                    }
                });
                connectStats.connected++;
                connectStats.lastConnected = Math.max(connectStats.lastConnected, System.nanoTime());
            } else {
                connectStats.failed++;
                Throwable e = ar.cause();
                String why = e instanceof UpgradeRejectedException rejected
                        ? "http " + rejected.getStatus()
                        : e.getClass().getSimpleName() + ": " + e.getMessage();
                connectStats.failures.merge(why, 1L, Long::sum);
            }
            attempt.complete();
        });
        return attempt.future();
    }

    /**
     * The upgrade response's headers are readable only in the connect callback (Vert.x drops them after it): the
     * server accepted permessage-deflate if it answered with the extension.
     */
    private void countDeflate(MultiMap response) {
        if (response == null) {
            connectStats.handshakeUnseen++;
            return;
        }
        String extensions = response.get("sec-websocket-extensions");
        if (extensions != null && extensions.contains("permessage-deflate")) {
            connectStats.deflateAccepted++;
        }
    }

    ConnectStats connectStats() {
        return connectStats.copy();
    }

    // ---------------------------------------------------------------- frames in

    private void onFrame(Client c, String text) {
        // the server writes "type" first; test the hot case before the general lookup
        if (text.startsWith("{\"type\":\"message\"")) {
            onMessage(c, text);
            return;
        }
        if (text.startsWith("{\"type\":\"publication\"")) {
            long now = System.nanoTime();
            if (Frames.publication(text, publication)) {
                onPublication(c, now);
            } else {
                stats.foreign++;
            }
            return;
        }
        String type = Frames.type(text);
        if (type == null) {
            stats.errors.merge("unparsable-frame", 1L, Long::sum);
            return;
        }
        switch (type) {
            case "message" -> onMessage(c, text);
            case "sent" -> {
                long now = System.nanoTime();
                long sentAt = c.confirm(Frames.clientMsgNumber(text));
                if (sentAt != 0) {
                    stats.confirmed++;
                    stats.recordSent((now - sentAt) / 1000);
                }
                if (coalescedAcks != null) {
                    // our own message takes a seq in the conversation: without it the cursor would stop at a gap
                    // (per-message acks answer `message` frames only, as before)
                    acknowledge(c, text, now);
                }
            }
            case "error" -> {
                String code = Frames.stringField(text, "code", 0);
                code = code == null ? "error" : code;
                // an error with a ref answers one of our sends: that send is over (rejected, not lost)
                long n = Frames.refNumber(text);
                if (n >= 0 && c.isSender() && c.reject(n)) {
                    stats.rejected++;
                    code += ":send";
                }
                stats.errors.merge(code, 1L, Long::sum);
            }
            case "publication" -> {
                long now = System.nanoTime();
                if (Frames.publication(text, publication)) {
                    onPublication(c, now);
                } else {
                    stats.foreign++;
                }
            }
            case "subscribed" -> onSubscribed(c);
            default -> {
                // pong, synced, presence...: nothing to measure
            }
        }
    }

    /** A frame of a client on the CBOR subprotocol: the topics scenario's frames only (publication, subscribed, error). */
    private void onBinaryFrame(Client c, byte[] frame) {
        long now = System.nanoTime();
        Frames.Binary f = binaryFrame;
        if (!Frames.binary(frame, f) || f.type == null) {
            stats.errors.merge("unparsable-binary-frame", 1L, Long::sum);
            return;
        }
        switch (f.type) {
            case "publication" -> {
                if (f.data != null && Frames.publicationData(f.data, 0, publication)) {
                    onPublication(c, now);
                } else {
                    stats.foreign++;
                }
            }
            case "subscribed" -> onSubscribed(c);
            case "error" -> stats.errors.merge(f.code == null ? "error" : f.code, 1L, Long::sum);
            default -> {
                // pong
            }
        }
    }

    private void onSubscribed(Client c) {
        if (!c.subscribed) {
            c.subscribed = true;
            stats.subscribed++;
        }
    }

    /** {@link #publication} holds (send nanos, g) of a publication {@code c} read at {@code now}. */
    private void onPublication(Client c, long now) {
        long g = publication[1];
        if (topics <= 0 || g > Integer.MAX_VALUE) {
            stats.foreign++;
        } else if (g % topics != c.topic) {
            stats.misrouted++;
        } else if (g < topicFirstG) {
            stats.stale++;
        } else if (!c.receivePublication(g)) {
            stats.duplicates++;
        } else {
            stats.deliveries++;
            long micros = (now - publication[0]) / 1000;
            stats.recordDelivery(micros);
            if (c.binary) {
                stats.recordBinaryDelivery(micros);
            }
        }
    }

    private void onMessage(Client c, String text) {
        long now = System.nanoTime();
        if (Frames.body(text, body)) {
            int sender = (int) body[1];
            if (sender == c.index) {
                stats.echoes++;
            } else if (c.receive(sender, body[2])) {
                stats.deliveries++;
                stats.recordDelivery((now - body[0]) / 1000);
            } else {
                stats.duplicates++;
            }
        } else {
            stats.foreign++;
        }
        acknowledge(c, text, now);
    }

    /**
     * The ack policy for a frame's (conversation, seq): coalesced, it goes to the conversation's cursor and the
     * lane's ack tick acknowledges it; per-message, it is acknowledged at once with its own frame.
     */
    private void acknowledge(Client c, String text, long now) {
        String conversation = Frames.stringField(text, "conversation", 0);
        long seq = Frames.longField(text, "seq", 0);
        if (conversation == null || seq == Long.MIN_VALUE) {
            return;
        }
        if (coalescedAcks != null) {
            coalescedAcks.seen(c, conversation, seq, now);
        } else if (c.open) {
            ack(c, conversation, seq);
        }
    }

    @Override
    public void ack(Client c, String conversation, long seq) {
        c.socket.writeTextMessage(Frames.ack(conversation, seq), null);
        stats.acksSent++;
    }

    @Override
    public void gapSteppedOver(Client c, String conversation, long skipped) {
        stats.ackGapsSteppedOver++;
        stats.ackSeqsSkipped += skipped;
    }

    private void onClose(Client c) {
        if (!c.open) {
            return;
        }
        c.open = false;
        if (!closing) {
            c.lost = true;
            Short code = c.socket.closeStatusCode();
            String reason = c.socket.closeReason();
            stats.closes.merge(code == null ? "none" : code + (reason == null || reason.isEmpty() ? "" : " " + reason),
                    1L, Long::sum);
        }
    }

    // ---------------------------------------------------------------- sending

    /** Starts a phase: fresh stats; senders (if {@code rate > 0}) send from {@code start} until {@code end}. */
    Map<Integer, Long> beginPhase(double rate, long start, long end) {
        stats = new PhaseStats();
        this.rate = rate;
        this.phaseStart = start;
        this.phaseEnd = end;
        Map<Integer, Long> firstN = new HashMap<>();
        for (Client c : clients) {
            c.lost = !c.open; // a recipient counts only if connected for the whole phase
        }
        for (Client s : senders) {
            s.phaseFirstN = s.nextN;
            // spread the senders' schedules over one period so they do not all fire in the same tick
            s.offsetNanos = rate > 0 ? random.nextLong(Math.max(1, (long) (1e9 / rate))) : 0;
            firstN.put(s.index, s.nextN);
        }
        sending = rate > 0;
        return firstN;
    }

    private void tick() {
        if (!sending) {
            return;
        }
        long now = System.nanoTime();
        long until = Math.min(now, phaseEnd);
        for (Client s : senders) {
            if (!s.open) {
                continue;
            }
            long elapsed = until - phaseStart - s.offsetNanos;
            if (elapsed < 0) {
                continue;
            }
            long due = (long) (elapsed * rate / 1e9) + 1;
            long done = s.nextN - s.phaseFirstN;
            for (int burst = 0; done < due && burst < MAX_BURST; burst++, done++) {
                send(s, now);
            }
        }
        if (now >= phaseEnd) {
            sending = false;
        }
    }

    private void send(Client s, long now) {
        long n = s.nextN++;
        String text;
        int target = -1;
        if (directUsers != null) {
            target = random.nextInt(directUsers.length - 1);
            if (target >= s.index) {
                target++; // anyone but the sender
            }
            text = s.template.toUser(frame, n, directUsers[target], now);
        } else {
            text = s.template.toGroup(frame, n, now);
        }
        s.recordSend(n, now, target);
        s.socket.writeTextMessage(text, null);
        stats.written++;
    }

    private void ping() {
        for (Client c : clients) {
            if (c.open) {
                c.socket.writeTextMessage(Frames.PING, null);
            }
        }
    }

    // ---------------------------------------------------------------- topics

    /** Topics scenario: sends every connected client's {@code subscribe} (its topic {@code topicNames[c.topic]}). */
    int subscribeAll(String appId, String[] topicNames) {
        this.topics = topicNames.length;
        int written = 0;
        for (Client c : clients) {
            if (c.open && c.topic >= 0) {
                c.socket.writeTextMessage(Frames.subscribe(appId, topicNames[c.topic]), null);
                written++;
            }
        }
        return written;
    }

    /** Clients whose subscribe was answered with {@code subscribed}. */
    int subscribedCount() {
        int n = 0;
        for (Client c : clients) {
            n += c.subscribed ? 1 : 0;
        }
        return n;
    }

    /** Topics scenario: a new phase whose publications are numbered from {@code firstG}; fresh stats. */
    Void beginTopicPhase(long firstG) {
        beginPhase(0, 0, 0);
        topicFirstG = firstG;
        return null;
    }

    /**
     * The topics ledger of this lane, over the subscribers connected for the whole phase and subscribed:
     * {expected deliveries, missing, received-but-never-accepted (their publish failed or timed out), subscribers}.
     *
     * @param acceptedByTopic per topic, the publications of the phase (absolute g) the server accepted (202)
     * @param acceptedAll     all of them
     * @param firstG          the phase's first publication number
     */
    long[] topicLedger(BitSet[] acceptedByTopic, BitSet acceptedAll, long firstG) {
        long expected = 0;
        long missing = 0;
        long unexpected = 0;
        long eligible = 0;
        for (Client c : clients) {
            if (c.lost || !c.open || !c.subscribed || c.topic < 0) {
                continue;
            }
            eligible++;
            BitSet want = acceptedByTopic[c.topic];
            expected += want.cardinality();
            BitSet miss = (BitSet) want.clone();
            miss.andNot(c.publications);
            missing += miss.cardinality();
            BitSet extra = (BitSet) c.publications.clone();
            extra.clear(0, (int) firstG);
            extra.andNot(acceptedAll);
            unexpected += extra.cardinality();
        }
        return new long[] {expected, missing, unexpected, eligible};
    }

    // ---------------------------------------------------------------- measuring

    PhaseStats stats() {
        return stats.copy();
    }

    /** Senders connected now. */
    int openSenders() {
        int open = 0;
        for (Client s : senders) {
            open += s.open ? 1 : 0;
        }
        return open;
    }

    boolean isSending() {
        return sending;
    }

    /** What this lane's senders sent in the phase, relative to their first message of the phase. */
    List<Ledger.SenderLog> senderLogs() {
        List<Ledger.SenderLog> logs = new ArrayList<>(senders.size());
        for (Client s : senders) {
            int from = (int) s.phaseFirstN;
            int to = (int) s.nextN;
            int[] targets = s.targets == null ? null : Arrays.copyOfRange(s.targets, from, Math.max(from, to));
            logs.add(new Ledger.SenderLog(s.index, s.acked.get(from, Math.max(from, to)), s.groupMembers, targets));
        }
        return logs;
    }

    /** Per recipient connected for the whole phase, per sender, the (relative) message numbers received. */
    Map<Integer, Map<Integer, BitSet>> received(Map<Integer, Long> firstN) {
        Map<Integer, Map<Integer, BitSet>> out = new HashMap<>();
        for (Client c : clients) {
            if (c.lost || !c.open) {
                continue;
            }
            Map<Integer, BitSet> bySender = new HashMap<>(4);
            c.received.forEach((sender, bits) -> {
                Long from = firstN.get(sender);
                if (from != null) {
                    bySender.put(sender, bits.get(from.intValue(), Math.max(from.intValue(), bits.length())));
                }
            });
            out.put(c.index, bySender);
        }
        return out;
    }

    /** Closes every connection; completes when they are closed or after a few seconds. */
    CompletableFuture<Void> closeAll() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        context.runOnContext(v -> {
            closing = true;
            List<Future<Void>> closes = new ArrayList<>();
            for (Client c : clients) {
                if (c.open) {
                    c.open = false;
                    closes.add(c.socket.close((short) 1000, "load test over"));
                }
            }
            Future.join(closes).onComplete(ar -> done.complete(null));
            vertx.setTimer(5000, t -> done.complete(null));
        });
        return done;
    }
}
