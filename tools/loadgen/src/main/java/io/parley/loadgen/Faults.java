package io.parley.loadgen;

import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The faults scenario: steady traffic of {@link CheckingClient}s on the chat nodes while one fault at a time is
 * injected (and, for a stopped dependency, undone after {@code --outage} s); recovery is awaited before the next.
 * Each fault prints one JSON line: what was acknowledged, what was expected and delivered, what was lost, the
 * duplicates, the longest a client could not send, the time to recovery and MySQL's view of the history.
 */
final class Faults {

    private static final long POLL_MILLIS = 100;

    private final ResilienceOptions o;
    private final PrintStream out;
    private final Control control;
    private final String runId = "f" + Long.toString(System.currentTimeMillis() % 2_176_782_336L, 36);
    private Traffic traffic;
    private int users;

    Faults(ResilienceOptions o, PrintStream out) {
        this.o = o;
        this.out = out;
        this.control = new Control(o.control);
    }

    /** Creates users and groups over REST; returns the traffic, connected. */
    static Traffic setUp(ResilienceOptions o, String runId, boolean forgetDelivered) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Accounts accounts = new Accounts(vertx, 16);
            List<Accounts.Account> users = accounts.users(o.authUrl, runId, o.clients);
            if (users.size() < o.clients) {
                throw new IllegalStateException("setup: " + users.size() + " of " + o.clients + " users: " + accounts.errors());
            }
            List<String> groups = new ArrayList<>();
            for (int g = 0; g * o.groupSize + 1 < users.size(); g++) {
                List<Accounts.Account> members = users.subList(g * o.groupSize, Math.min(users.size(), (g + 1) * o.groupSize));
                groups.add(accounts.group(o.chatUrls.get(g % o.chatUrls.size()), members.get(0), runId + "-g" + g,
                        members.stream().map(Accounts.Account::userId).toList()));
            }
            accounts.close();
            Traffic t = new Traffic(runId, users, groups, o.groupSize, o.chatUrls, o.rate, o.maxInFlight,
                    o.resendMillis, 5, forgetDelivered);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (t.call(t::openClients) < t.size()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + t.call(t::openClients) + " of " + t.size() + " clients connected");
                }
                Thread.sleep(POLL_MILLIS);
            }
            return t;
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    int run() throws Exception {
        traffic = setUp(o, runId, false);
        users = traffic.size();
        int failures = 0;
        try {
            int ordinal = 0;
            for (String fault : o.faults) {
                Report r = fault(fault, ++ordinal);
                out.println(r.toJson());
                out.flush();
                Object lost = r.fields().get("lost");
                if (Boolean.FALSE.equals(r.fields().get("lossAllowed")) && lost instanceof Number n && n.longValue() > 0) {
                    failures++;
                }
            }
        } finally {
            traffic.close();
        }
        return failures == 0 ? 0 : 4;
    }

    private Report fault(String fault, int ordinal) throws Exception {
        String window = ordinal + ":" + fault; // a fault may be listed twice: each its own window
        boolean memory = fault.equals("redis-restart-memory");
        if (memory) {
            control.run("redis-cli", "CONFIG", "SET", "appendfsync", "everysec");
        }
        traffic.run(Traffic::resetClientFigures);
        say("fault " + fault + ": " + o.beforeSeconds + " s of traffic first");
        traffic.startSending(window);
        Thread.sleep(o.beforeSeconds * 1000L);

        Map<String, Object> details = new LinkedHashMap<>();
        long injected = System.nanoTime();
        long restored;
        switch (fault) {
            case "chat-node-kill" -> {
                control.run("kill", "chat-1");
                restored = injected;
            }
            case "redis-restart-aof", "redis-restart-memory" -> {
                control.run("kill", "redis");
                control.run("start", "redis", memory ? "everysec" : "always");
                restored = System.nanoTime();
            }
            case "subscription-cut" -> {
                String killed = control.run("redis-cli", "CLIENT", "KILL", "TYPE", "pubsub").strip();
                details.put("subscriptionsCut", killed.matches("\\d+") ? Long.parseLong(killed) : killed);
                restored = injected;
            }
            case "mariadb-outage", "auth-outage", "id-outage" -> {
                String component = switch (fault) {
                    case "mariadb-outage" -> "mariadb";
                    case "auth-outage" -> "auth-service";
                    default -> "id-service";
                };
                control.run("stop", component);
                say(component + " stopped for " + o.outageSeconds + " s");
                Thread.sleep(o.outageSeconds * 1000L);
                control.run("start", component);
                restored = System.nanoTime();
            }
            default -> throw new IllegalArgumentException(fault);
        }
        say(fault + ": injected; outage " + seconds(restored - injected) + " s; awaiting recovery");

        // recovery: every client connected, every send made before the restore answered (sendRecovery), and every
        // message acknowledged before the restore delivered to each recipient (recovery)
        Double sendRecovery = null;
        Double recovery = null;
        Double dbCatchUp = null;
        Set<String> ackedBeforeRestore = new HashSet<>();
        traffic.run(t -> t.byClientMsgId.values().forEach(m -> {
            if (m.sentNanos < restored) {
                ackedBeforeRestore.add(m.id);
            }
        }));
        long deadline = restored + TimeUnit.SECONDS.toNanos(o.recoveryTimeoutSeconds);
        long nextDbCheck = 0;
        while (System.nanoTime() < deadline && (recovery == null || dbCatchUp == null)) {
            long now = System.nanoTime();
            int[] state = traffic.call(() -> new int[] {traffic.openClients(), traffic.unansweredSince(restored),
                    traffic.undeliveredSince(restored)});
            if (state[0] == users && state[1] == 0) {
                if (sendRecovery == null) {
                    sendRecovery = seconds(now - restored);
                }
                if (state[2] == 0 && recovery == null) {
                    recovery = seconds(now - restored);
                }
            }
            if (dbCatchUp == null && now >= nextDbCheck) {
                nextDbCheck = now + TimeUnit.SECONDS.toNanos(1);
                try {
                    if (missingInDb(ackedBeforeRestore) == 0) {
                        dbCatchUp = seconds(System.nanoTime() - restored);
                    }
                } catch (IllegalStateException e) {
                    // MariaDB not answering yet
                }
            }
            Thread.sleep(POLL_MILLIS);
        }
        if (fault.equals("chat-node-kill")) {
            long t0 = System.nanoTime();
            control.run("start", "chat-1");
            details.put("freshNodeStartSeconds", seconds(System.nanoTime() - t0));
        }
        say(fault + ": recovered in " + recovery + " s (sends " + sendRecovery + " s); " + o.afterSeconds + " s more traffic");
        Thread.sleep(o.afterSeconds * 1000L);
        traffic.stopSending();

        // drain: the last answers and deliveries
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.drainSeconds);
        while (System.nanoTime() < drainDeadline) {
            int[] state = traffic.call(() -> new int[] {traffic.unanswered(), traffic.undeliveredSince(Long.MAX_VALUE)});
            if (state[0] == 0 && state[1] == 0) {
                break;
            }
            Thread.sleep(POLL_MILLIS);
        }
        if (memory) {
            control.run("redis-cli", "CONFIG", "SET", "appendfsync", "always");
        }

        Report r = new Report().put("scenario", "faults").put("fault", fault)
                .put("durability", memory ? "memory" : "aof").put("lossAllowed", memory)
                .put("clients", users).put("ratePerClient", o.rate)
                .put("outageSeconds", seconds(restored - injected));
        r.fields().putAll(details);
        traffic.run(t -> figures(t, window, injected, r));
        if (!lostChannels.isEmpty()) {
            // who is subscribed to the channels those deliveries travel on, now (2 = both nodes)
            List<String> args = new ArrayList<>(List.of("redis-cli", "PUBSUB", "NUMSUB"));
            args.addAll(lostChannels);
            String[] reply = control.run(args.toArray(String[]::new)).strip().split("\\s+");
            Map<String, String> numsub = new LinkedHashMap<>();
            for (int i = 0; i + 1 < reply.length; i += 2) {
                numsub.put(reply[i], reply[i + 1]);
            }
            r.put("lostChannelSubscribers", numsub);
        }
        r.put("sendRecoverySeconds", sendRecovery).put("recoverySeconds", recovery);
        Map<String, Object> db = new LinkedHashMap<>();
        db.put("writeBehindCatchUpSeconds", dbCatchUp);
        db.putAll(database(window));
        r.put("db", db);
        Map<String, String> env = new LinkedHashMap<>(o.meta);
        env.put("durability", memory ? "memory" : "aof");
        env.put("redisAof", memory ? "everysec" : "always");
        r.put("env", env);
        return r;
    }

    /** The window's figures, on the driver thread. */
    private void figures(Traffic t, String window, long injected, Report r) {
        List<Traffic.Msg> acked = t.acknowledgedIn(window);
        long expected = 0;
        for (Traffic.Msg m : acked) {
            expected += m.recipients.length;
        }
        List<Traffic.Msg> lost = t.removeUndelivered(window);
        long lostDeliveries = 0;
        List<String> samples = new ArrayList<>();
        Map<String, Integer> byRecipient = new java.util.TreeMap<>();
        Set<String> channels = new java.util.TreeSet<>();
        long earliestLost = Long.MAX_VALUE;
        Set<String> lostMessages = new HashSet<>();
        for (Traffic.Msg m : lost) {
            lostDeliveries += m.missing.size();
            lostMessages.add(m.id);
            earliestLost = Math.min(earliestLost, m.sentNanos);
            if (samples.size() < 10) {
                samples.add(m.conversation + ":" + m.seq + "->" + m.missing);
            }
            for (int recipient : m.missing) {
                CheckingClient c = t.client(recipient);
                byRecipient.merge(recipient + "(user " + c.userId + " on " + c.node + ")", 1, Integer::sum);
                channels.add(m.conversation.startsWith("g:") ? "chat:group:" + m.conversation.substring(2)
                        : "chat:user:" + c.userId);
            }
        }
        Map<String, Long> c = t.counters;
        r.put("messagesSent", (long) acked.size())
                .put("sendsAttempted", c.getOrDefault("sendsAttempted", 0L))
                .put("unanswered", (long) t.unanswered())
                .put("rejected", new LinkedHashMap<>(t.rejectedByCode))
                .put("expectedDeliveries", expected)
                .put("deliveriesMade", expected - lostDeliveries)
                .put("lost", lostDeliveries)
                .put("lostMessages", (long) lostMessages.size())
                .put("lostSamples", samples)
                .put("lostByRecipient", byRecipient)
                .put("lostDeliveredLateFromEarlierFaults", c.getOrDefault("lostDeliveredLate", 0L))
                .put("lossWindowMs", earliestLost == Long.MAX_VALUE ? null : (injected - earliestLost) / 1_000_000)
                .put("duplicatesSeen", c.getOrDefault("duplicatesSeen", 0L))
                .put("duplicatesAfterDedupe", c.getOrDefault("duplicatesAfterDedupe", 0L))
                .put("sentWithTwoIds", c.getOrDefault("sentWithTwoIds", 0L))
                .put("longestSendBlockedMs", t.longestBlockedNanos.getOrDefault(window, 0L) / 1_000_000);
        r.fields().putAll(t.clientFigures());
        lostChannels = channels;
    }

    /** The fan-out channels of the deliveries just reported lost (for PUBSUB NUMSUB). */
    private Set<String> lostChannels = Set.of();

    /**
     * MySQL's view: rows, conversations whose rows are not exactly seqs 1..max (holes), sends stored twice, and
     * messages acknowledged in the window not (yet) there — waited for until the write-behind caught up.
     */
    private Map<String, Object> database(String window) throws InterruptedException {
        Set<String> acked = new HashSet<>();
        traffic.run(t -> t.acknowledgedIn(window).forEach(m -> acked.add(m.id)));
        Map<String, Object> db = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int missing;
        while ((missing = missingInDb(acked)) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        db.put("ackedMissing", missing);
        db.put("rows", control.sqlLong("SELECT COUNT(*) FROM messages"));
        db.put("conversations", control.sqlLong("SELECT COUNT(DISTINCT conversation_id) FROM messages"));
        db.put("conversationsWithHoles", control.sqlLong("SELECT COUNT(*) FROM (SELECT conversation_id FROM messages"
                + " GROUP BY conversation_id HAVING COUNT(*) <> MAX(seq)) h"));
        db.put("writtenTwice", control.sqlLong("SELECT COUNT(*) FROM (SELECT 1 FROM messages"
                + " GROUP BY conversation_id, sender, client_msg_id HAVING COUNT(*) > 1) d"));
        return db;
    }

    /** How many of {@code ids} MySQL does not hold. */
    private int missingInDb(Set<String> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        Set<String> stored = new HashSet<>();
        for (String[] row : control.sql("SELECT id FROM messages")) {
            stored.add(row[0]);
        }
        int missing = 0;
        for (String id : ids) {
            missing += stored.contains(id) ? 0 : 1;
        }
        return missing;
    }

    private static double seconds(long nanos) {
        return Report.round(nanos / 1e9, 2);
    }

    static void say(String text) {
        System.err.println("==> " + text);
    }
}
