package io.parley.loadgen;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Steady 1:1 and group traffic of {@link CheckingClient}s, driven by one thread, with a ledger of every message
 * acknowledged with {@code sent} and who must receive it. Client i sends to client i+1 (1:1) and, every fourth
 * message, to its group (clients i / groupSize); its home node is i mod nodes. With a share of new conversations
 * ({@link #newConversations}), that share of the 1:1 messages goes to a random other client instead; the recipients
 * of every send are kept with it (its tag), so the ledger never has to guess them. Other threads read or change
 * anything only through {@link #call}, which runs on the driver thread.
 */
final class Traffic implements CheckingClient.Observer {

    /** A message acknowledged with {@code sent}. */
    static final class Msg {
        final int sender;
        final String clientMsgId;
        final String id;
        final String conversation;
        final long seq;
        final String window;
        final long firstNanos;
        final long sentNanos;
        final int[] recipients;
        /** recipients that have not received it yet */
        final Set<Integer> missing = new HashSet<>();

        Msg(int sender, String clientMsgId, String id, String conversation, long seq, String window, long firstNanos,
            long sentNanos, int[] recipients) {
            this.sender = sender;
            this.clientMsgId = clientMsgId;
            this.id = id;
            this.conversation = conversation;
            this.seq = seq;
            this.window = window;
            this.firstNanos = firstNanos;
            this.sentNanos = sentNanos;
            this.recipients = recipients;
        }
    }

    private final List<CheckingClient> clients = new ArrayList<>();
    private final List<String> groupIds;
    private final int groupSize;
    private final double ratePerClient;
    private final int maxInFlight;
    private final long tickNanos;
    /** soak: forget fully delivered messages (the ledger stays bounded over hours) */
    private final boolean forgetDelivered;
    private final String runId;

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread driver;

    // --- state, driver thread only
    private boolean sending;
    private String window = "setup";
    private final double[] credit;
    private final long[] nextN;
    private long lastTick = System.nanoTime();
    /** clientMsgId → message, every acknowledged message still kept */
    final Map<String, Msg> byClientMsgId = new HashMap<>();
    /** id → message not yet received by every recipient */
    final Map<String, Msg> undelivered = new LinkedHashMap<>();
    /** id → message already reported lost (a late copy is counted, not hidden) */
    final Map<String, Msg> reportedLost = new HashMap<>();
    /** id received by client index, before its sender's {@code sent} was seen */
    private final Map<String, Set<Integer>> early = new HashMap<>();
    /** per client: body → id (a body under a second id would be a message stored twice) */
    private final List<Map<String, String>> idByBody = new ArrayList<>();
    final Map<String, Long> counters = new TreeMap<>();
    final Map<String, Long> rejectedByCode = new TreeMap<>();
    /** window → longest first attempt → {@code sent} of a send first attempted in it */
    final Map<String, Long> longestBlockedNanos = new HashMap<>();
    /** Share of 1:1 messages sent to a random other client instead of client i+1. */
    private double newConversationsShare;
    private double churnPerSecond;
    private long churnPauseMillis = 500;

    Traffic(String runId, List<Accounts.Account> users, List<String> groupIds, int groupSize, List<String> nodes,
            double ratePerClient, int maxInFlight, long resendMillis, long tickMillis, boolean forgetDelivered) {
        this.runId = runId;
        this.groupIds = groupIds;
        this.groupSize = groupSize;
        this.ratePerClient = ratePerClient;
        this.maxInFlight = maxInFlight;
        this.tickNanos = tickMillis * 1_000_000L;
        this.forgetDelivered = forgetDelivered;
        HttpClient http = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build();
        for (int i = 0; i < users.size(); i++) {
            Accounts.Account a = users.get(i);
            clients.add(new CheckingClient(i, a.userId(), a.token(), nodes, i % nodes.size(), http, this, resendMillis));
            idByBody.add(new HashMap<>());
        }
        credit = new double[clients.size()];
        nextN = new long[clients.size()];
        driver = new Thread(this::drive, "traffic-driver");
        driver.setDaemon(true);
        driver.start();
    }

    CheckingClient client(int index) {
        return clients.get(index);
    }

    /** The group id of a group conversation's recipients (clients i / groupSize), or null. */
    String groupOf(int clientIndex) {
        int g = clientIndex / groupSize;
        return g < groupIds.size() ? groupIds.get(g) : null;
    }

    int size() {
        return clients.size();
    }

    /** Runs {@code task} on the driver thread and returns its result. */
    <T> T call(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("traffic driver: " + e, e);
        }
    }

    void run(Consumer<Traffic> task) {
        call(() -> {
            task.accept(this);
            return null;
        });
    }

    /** Starts (or resumes) sending; messages first attempted from now on belong to {@code window}. */
    void startSending(String window) {
        run(t -> {
            t.window = window;
            t.sending = true;
            java.util.Arrays.fill(t.credit, 0);
        });
    }

    void stopSending() {
        run(t -> t.sending = false);
    }

    /** What a send carries to its {@code sent}: its window and who must receive it. */
    record SendTag(String window, int[] recipients) {
    }

    /** Soak: {@code share} of 1:1 messages go to a random other client (new conversations keep starting). */
    void newConversations(double share) {
        run(t -> t.newConversationsShare = share);
    }

    /** Soak: about {@code perMinute} clients close their connection (1000) and reconnect, spread over time. */
    void churn(double perMinute, long pauseMillis) {
        run(t -> {
            t.churnPerSecond = perMinute / 60.0;
            t.churnPauseMillis = pauseMillis;
        });
    }

    void close() {
        running.set(false);
        try {
            driver.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clients.forEach(CheckingClient::close);
    }

    private void drive() {
        while (running.get()) {
            long now = System.nanoTime();
            Runnable task;
            while ((task = tasks.poll()) != null) {
                task.run();
            }
            double dt = (now - lastTick) / 1e9;
            lastTick = now;
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (CheckingClient c : clients) {
                try {
                    c.step(now);
                    if (sending) {
                        credit[c.index] = Math.min(credit[c.index] + ratePerClient * dt, 5);
                        while (credit[c.index] >= 1 && c.unanswered.size() < maxInFlight) {
                            credit[c.index] -= 1;
                            sendNext(c, now);
                        }
                    }
                    if (churnPerSecond > 0 && random.nextDouble() < churnPerSecond * dt / clients.size()) {
                        c.churn(now, churnPauseMillis);
                        count("churned");
                    }
                } catch (RuntimeException e) {
                    count("clientErrors");
                    System.err.println("client " + c.index + ": " + e);
                }
            }
            long spent = System.nanoTime() - now;
            if (spent < tickNanos) {
                java.util.concurrent.locks.LockSupport.parkNanos(tickNanos - spent);
            }
        }
    }

    private void sendNext(CheckingClient c, long now) {
        long n = nextN[c.index]++;
        String clientMsgId = runId + "-" + c.index + "-" + n;
        ObjectNode to = CheckingClient.JSON.createObjectNode();
        int peer = -1;
        if (isGroupMessage(c.index, n)) {
            to.put("group", groupIds.get(c.index / groupSize));
        } else {
            peer = peerOf(c.index);
            to.put("user", clients.get(peer).userId);
        }
        c.send(clientMsgId, to, window + "|" + clientMsgId, new SendTag(window, recipientsOf(c.index, n, peer)), now);
        count("sendsAttempted");
    }

    private boolean isGroupMessage(int sender, long n) {
        return n % 4 == 3 && groupIds.size() > sender / groupSize;
    }

    /** The 1:1 recipient of the sender's next message: client i+1, or (a share of the time) a random other client. */
    private int peerOf(int sender) {
        int next = (sender + 1) % clients.size();
        if (newConversationsShare <= 0 || ThreadLocalRandom.current().nextDouble() >= newConversationsShare) {
            return next;
        }
        int other = ThreadLocalRandom.current().nextInt(clients.size() - 1);
        return other >= sender ? other + 1 : other;
    }

    /** Who must receive the sender's message number {@code n}: its group's other members, or {@code peer}. */
    private int[] recipientsOf(int sender, long n, int peer) {
        if (isGroupMessage(sender, n)) {
            int g = sender / groupSize;
            int from = g * groupSize;
            int to = Math.min(clients.size(), from + groupSize);
            int[] r = new int[to - from - 1];
            int k = 0;
            for (int i = from; i < to; i++) {
                if (i != sender) {
                    r[k++] = i;
                }
            }
            return r;
        }
        return new int[] {peer};
    }

    // ---------------------------------------------------------------- observer (driver thread)

    @Override
    public void sent(CheckingClient client, String clientMsgId, CheckingClient.Pending p, String id,
                     String conversation, long seq, long now) {
        if (p == null) {
            Msg before = byClientMsgId.get(clientMsgId);
            if (before != null && !before.id.equals(id)) {
                count("sentWithTwoIds"); // a resend became a second message
            }
            return;
        }
        SendTag tag = (SendTag) p.tag;
        String w = tag.window();
        Msg m = new Msg(client.index, clientMsgId, id, conversation, seq, w, p.firstNanos, now, tag.recipients());
        longestBlockedNanos.merge(w, now - p.firstNanos, Math::max);
        Set<Integer> got = early.remove(id);
        for (int r : m.recipients) {
            if (got == null || !got.contains(r)) {
                m.missing.add(r);
            }
        }
        if (!forgetDelivered) {
            byClientMsgId.put(clientMsgId, m);
        }
        if (!m.missing.isEmpty()) {
            undelivered.put(id, m);
        } else if (forgetDelivered) {
            forget(m); // every copy arrived before the sender's answer
        }
        count("acknowledged");
    }

    @Override
    public void received(CheckingClient client, String id, String body, long now, boolean first) {
        if (!first) {
            count("duplicatesSeen");
            return;
        }
        count("deliveries");
        if (!forgetDelivered) {
            String other = idByBody.get(client.index).putIfAbsent(body, id);
            if (other != null && !other.equals(id)) {
                count("duplicatesAfterDedupe"); // the same send arrived under two ids: stored twice
            }
        }
        Msg late = reportedLost.get(id);
        if (late != null && late.missing.remove(client.index)) {
            count("lostDeliveredLate");
            return;
        }
        Msg m = undelivered.get(id);
        if (m != null) {
            m.missing.remove(client.index);
            if (m.missing.isEmpty()) {
                undelivered.remove(id);
                if (forgetDelivered) {
                    forget(m);
                }
            }
        } else {
            early.computeIfAbsent(id, k -> new HashSet<>()).add(client.index);
        }
    }

    /** Soak: a message every recipient has is dropped from their records (the ledger stays bounded). */
    private void forget(Msg m) {
        for (int r : m.recipients) {
            clients.get(r).received.remove(m.id);
        }
    }

    @Override
    public void rejected(CheckingClient client, CheckingClient.Pending pending, String code) {
        rejectedByCode.merge(code, 1L, Long::sum);
    }

    private void count(String name) {
        counters.merge(name, 1L, Long::sum);
    }

    // ---------------------------------------------------------------- questions (driver thread, via call)

    int openClients() {
        int open = 0;
        for (CheckingClient c : clients) {
            open += c.isOpen() ? 1 : 0;
        }
        return open;
    }

    /** Sends first attempted before {@code nanos} still without {@code sent}. */
    int unansweredSince(long nanos) {
        int n = 0;
        for (CheckingClient c : clients) {
            for (CheckingClient.Pending p : c.unanswered.values()) {
                n += p.firstNanos < nanos ? 1 : 0;
            }
        }
        return n;
    }

    int unanswered() {
        return unansweredSince(Long.MAX_VALUE);
    }

    /** Deliveries still missing of messages acknowledged before {@code nanos}. */
    int undeliveredSince(long nanos) {
        int n = 0;
        for (Msg m : undelivered.values()) {
            n += m.sentNanos < nanos ? m.missing.size() : 0;
        }
        return n;
    }

    int undeliveredOlderThan(long nanos) {
        return undeliveredSince(nanos);
    }

    /** Messages of {@code window}, acknowledged. */
    List<Msg> acknowledgedIn(String window) {
        List<Msg> list = new ArrayList<>();
        for (Msg m : byClientMsgId.values()) {
            if (m.window.equals(window)) {
                list.add(m);
            }
        }
        return list;
    }

    /** Takes the still undelivered messages of {@code window} out of the ledger (they are reported lost). */
    List<Msg> removeUndelivered(String window) {
        List<Msg> lost = new ArrayList<>();
        for (Iterator<Msg> it = undelivered.values().iterator(); it.hasNext(); ) {
            Msg m = it.next();
            if (window == null || m.window.equals(window)) {
                lost.add(m);
                it.remove();
                reportedLost.put(m.id, m);
            }
        }
        return lost;
    }

    /** Sums of the clients' own figures: closes by code, error frames by code, reconnects, resends. */
    Map<String, Object> clientFigures() {
        Map<String, Integer> closes = new TreeMap<>();
        Map<String, Integer> errors = new TreeMap<>();
        long reconnects = 0;
        long resends = 0;
        long connectFailures = 0;
        long longestDown = 0;
        for (CheckingClient c : clients) {
            c.closes.forEach((k, v) -> closes.merge(k, v, Integer::sum));
            c.errors.forEach((k, v) -> errors.merge(k, v, Integer::sum));
            reconnects += c.reconnects;
            resends += c.resends;
            connectFailures += c.connectFailures;
            longestDown = Math.max(longestDown, c.longestDownNanos);
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("closes", closes);
        f.put("errorFrames", errors);
        f.put("reconnects", reconnects);
        f.put("resends", resends);
        f.put("connectFailures", connectFailures);
        f.put("longestDisconnectedMs", longestDown / 1_000_000);
        return f;
    }

    /** Clears the clients' per-window figures (closes, errors, reconnects, resends, longest disconnection). */
    void resetClientFigures() {
        for (CheckingClient c : clients) {
            c.closes.clear();
            c.errors.clear();
            c.reconnects = 0;
            c.resends = 0;
            c.connectFailures = 0;
            c.longestDownNanos = 0;
        }
        counters.clear();
        rejectedByCode.clear();
    }

    int receivedKept() {
        int n = 0;
        for (CheckingClient c : clients) {
            n += c.received.size();
        }
        return n + early.size();
    }
}
