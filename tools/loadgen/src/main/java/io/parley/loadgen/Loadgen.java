package io.parley.loadgen;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import org.HdrHistogram.Histogram;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one scenario: users and groups are created over REST, the clients connect (spread over the chat nodes
 * and over the generator's event loops), then each measured phase sends at a fixed rate per sender, drains,
 * and prints one JSON line.
 */
final class Loadgen {

    /** The warm-up's extra stretches while the JIT is still busy. */
    private static final int JIT_STEP_SECONDS = 10;

    private final Options o;
    private final PrintStream out;
    private final ProcStats proc;
    private final JvmThreadCpu threads = new JvmThreadCpu(Path.of("/proc"));
    /** The chat nodes' pids by name, in --pid order (the order of --chat-urls). */
    private final Map<String, Integer> chatPids = new LinkedHashMap<>();
    /** The warm-up's compiler share per node, repeated in the measured line to show the JIT settling. */
    private Map<String, Double> warmupCompilerPct;
    private final String runId = "lg" + Long.toString(System.currentTimeMillis() % 2_176_782_336L, 36);
    private final Map<String, Object> setup = new LinkedHashMap<>();

    private Vertx vertx;
    private final List<Lane> lanes = new ArrayList<>();
    private final List<Client> clients = new ArrayList<>();
    private List<Integer> ports;
    private int senders;
    private Lane.ConnectStats connected;
    private double connectSeconds;
    /** topics scenario: the app, its topic names, the publisher. */
    private Accounts.App app;
    private String[] topicNames;
    private Publisher publisher;

    Loadgen(Options o, PrintStream out) {
        this.o = o;
        this.out = out;
        this.proc = new ProcStats(o.pids, o.clockTicks);
        o.pids.forEach((name, pid) -> {
            if (name.startsWith("chat")) {
                chatPids.put(name, pid);
            }
        });
    }

    /** Runs the scenario; returns the process exit code. */
    int run() throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(o.eventLoops).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        try {
            ports = o.chatUrls.stream().map(u -> URI.create(u).getPort()).toList();
            prepare();
            return switch (o.scenario) {
                case "idle" -> idle();
                case "saturation" -> saturation();
                case "topics" -> topics();
                default -> {
                    connect();
                    Thread.sleep(o.settleMillis);
                    warmUp(o.rate);
                    Report r = phase(o.rate, o.durationSeconds);
                    out.println(r.toJson());
                    yield 0;
                }
            };
        } finally {
            if (publisher != null) {
                publisher.call(() -> publisher.beginPhase(0, 0, 0)); // stops publishing if a phase was cut short
            }
            for (Lane lane : lanes) {
                lane.closeAll().get(10, TimeUnit.SECONDS);
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    // ---------------------------------------------------------------- setup

    private void prepare() throws Exception {
        int wanted = o.usesGroups() ? o.groups * o.groupSize() : o.clients;
        Accounts accounts = new Accounts(vertx, o.setupConcurrency);
        long t0 = System.nanoTime();
        List<Accounts.Account> users = accounts.users(o.authUrl, runId, wanted);
        setup.put("users", users.size());
        setup.put("seconds", Report.round((System.nanoTime() - t0) / 1e9, 2));
        if (!accounts.errors().isEmpty()) {
            setup.put("errors", accounts.errors());
        }
        if (users.size() < 2) {
            accounts.close();
            throw new IllegalStateException("setup failed: " + accounts.errors());
        }
        int nodes = o.scenario.equals("idle") ? Math.min(o.idleNodes, ports.size()) : ports.size();
        for (int i = 0; i < users.size(); i++) {
            Accounts.Account a = users.get(i);
            clients.add(new Client(i, a.userId(), a.token(), i % nodes));
        }
        if (o.scenario.equals("topics")) {
            long a0 = System.nanoTime();
            app = accounts.publicApp(o.authUrl, o.adminKey, o.chatUrls.get(0), runId);
            topicNames = new String[o.topics];
            for (int k = 0; k < o.topics; k++) {
                topicNames[k] = "t" + k;
            }
            int binary = 0;
            for (Client c : clients) {
                c.topic = c.index % o.topics;
                // pairs of clients, so the binary half is spread over both nodes (node = index mod 2) and lanes
                c.binary = o.binary && (c.index / 2) % 2 == 1;
                binary += c.binary ? 1 : 0;
            }
            setup.put("appId", app.appId());
            setup.put("appTokenExpiresIn", app.expiresIn());
            setup.put("appSeconds", Report.round((System.nanoTime() - a0) / 1e9, 2));
            setup.put("topics", o.topics);
            setup.put("binaryClients", binary);
        }
        if (o.usesGroups()) {
            int size = clients.size() / o.groups;
            long g0 = System.nanoTime();
            for (int g = 0; g < o.groups; g++) {
                List<Client> members = clients.subList(g * size, (g + 1) * size);
                // the senders alternate between the nodes (member 0 or 1 of each group)
                Client sender = members.get(g % Math.min(2, size));
                String gid = accounts.group(o.chatUrls.get(0), new Accounts.Account(sender.index, sender.userId,
                        sender.token), runId + "-g" + g, members.stream().map(c -> c.userId).toList());
                sender.template = new Frames.SendTemplate(runId, sender.index, gid, o.bodyBytes);
                sender.groupMembers = members.stream().mapToInt(c -> c.index).toArray();
                senders++;
            }
            setup.put("groups", o.groups);
            setup.put("groupSize", size);
            setup.put("groupSeconds", Report.round((System.nanoTime() - g0) / 1e9, 2));
        } else if (o.scenario.equals("direct")) {
            for (Client c : clients) {
                c.template = new Frames.SendTemplate(runId, c.index, null, o.bodyBytes);
                c.targets = new int[64];
                senders++;
            }
        }
        accounts.close();
        long[] users2 = clients.stream().mapToLong(c -> c.userId).toArray();
        for (int l = 0; l < o.eventLoops; l++) {
            Lane lane = new Lane(l, o);
            if (o.scenario.equals("direct")) {
                lane.directTo(users2);
            }
            lanes.add(lane);
        }
        for (Client c : clients) {
            lanes.get(c.index % lanes.size()).add(c);
        }
        for (Lane lane : lanes) {
            // one deployment per lane: Vert.x gives each its own event loop, round-robin
            vertx.deployVerticle(lane, new DeploymentOptions()).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        }
        if (app != null) {
            publisher = new Publisher(ports, app.appId(), app.token(), topicNames, o.pubConcurrency, o.bodyBytes,
                    o.tickMillis);
            vertx.deployVerticle(publisher, new DeploymentOptions()).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        }
    }

    private void connect() throws Exception {
        int perLane = Math.max(1, o.connectConcurrency / lanes.size());
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (Lane lane : lanes) {
            all.add(lane.connectAll(ports, perLane));
        }
        // bounded: every upgrade has a 30 s timeout, so the whole ramp ends
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30 + clients.size() / 10, TimeUnit.SECONDS);
        connected = new Lane.ConnectStats();
        for (Lane lane : lanes) {
            connected.add(lane.call(lane::connectStats));
        }
        connectSeconds = connected.connected == 0 ? 0 : (connected.lastConnected - connected.firstStart) / 1e9;
    }

    // ---------------------------------------------------------------- scenarios

    /**
     * Idle connections on the first {@code --idle-nodes} nodes: how fast they connect, what they cost in memory
     * (each node read after a full GC before connecting and after the hold) and in CPU while held.
     */
    private int idle() throws Exception {
        int nodes = Math.min(o.idleNodes, ports.size());
        Map<String, Integer> usedNodes = firstChat(chatPids, nodes);
        Map<String, Object> warmup = idleWarmUp(nodes);
        System.err.printf("idle: full GC and memory reading of %s before connecting%n", usedNodes.keySet());
        Map<String, NodeMemory.Snapshot> memoryBefore = NodeMemory.afterFullGc(usedNodes);
        Map<String, Long> rssBefore = proc.rssKb();
        Map<String, Double> cpu0 = proc.cpuSeconds();
        for (Lane lane : lanes) {
            lane.call(() -> lane.beginPhase(0, 0, 0));
        }
        connect();
        Map<String, Double> cpuConnect = ProcStats.delta(cpu0, proc.cpuSeconds());
        Map<String, Long> rssConnected = proc.rssKb();
        // hold the connections idle (pings only): the nodes' CPU over the hold is what idle connections cost
        System.err.printf("idle: %d connected, holding %d s%n", connected.connected, o.durationSeconds);
        Map<String, Double> cpuHold0 = proc.cpuSeconds();
        Map<String, JvmThreadCpu.Sample> threads0 = threads.sample(chatPids);
        long hold0 = System.nanoTime();
        // the hold's second half apart: the JIT still compiles what the connect burst made hot in the first
        sleepUntil(hold0 + o.durationSeconds * 500_000_000L);
        long holdMid = System.nanoTime();
        Map<String, Double> cpuHoldMid = proc.cpuSeconds();
        Map<String, JvmThreadCpu.Sample> threadsMid = threads.sample(chatPids);
        sleepUntil(hold0 + o.durationSeconds * 1_000_000_000L);
        double holdSeconds = (System.nanoTime() - hold0) / 1e9;
        double secondHalfSeconds = (System.nanoTime() - holdMid) / 1e9;
        Map<String, Double> cpuHold = ProcStats.delta(cpuHold0, proc.cpuSeconds());
        Map<String, Double> cpuSecondHalf = ProcStats.delta(cpuHoldMid, proc.cpuSeconds());
        Map<String, JvmThreadCpu.Sample> threads1 = threads.sample(chatPids);
        Map<String, Long> rssHeld = proc.rssKb();
        PhaseStats stats = merged();
        long closed = stats.closes.values().stream().mapToLong(Long::longValue).sum();
        long open = connected.connected - closed;
        System.err.printf("idle: full GC and memory reading of %s after the hold%n", usedNodes.keySet());
        Map<String, NodeMemory.Snapshot> memoryAfter = NodeMemory.afterFullGc(usedNodes);

        Report r = new Report().put("scenario", "idle")
                .put("clientsRequested", o.clients)
                .put("clients", connected.connected)
                .put("openAfterHold", open)
                .put("nodesUsed", nodes);
        warmup.forEach(r::put);
        r.put("connectionErrors", connected.failed + closed)
                .put("connectFailures", connected.failures)
                .put("closes", stats.closes)
                .put("errorFrames", stats.errors)
                .put("connectSeconds", Report.round(connectSeconds, 3))
                .put("connectionsPerSec", Report.ratio(connected.connected, connectSeconds, 0))
                .put("connectionsPerSecPerNode", Report.ratio(connected.connected / (double) nodes, connectSeconds, 0))
                .put("holdSeconds", Report.round(holdSeconds, 3));
        NodeMemory.perConnection(memoryBefore, memoryAfter, open, r);
        // the cold readings (no GC), kept for comparison with earlier runs
        long chatRssBefore = (long) chatSum(firstChat(rssBefore, nodes));
        long chatRssHeld = (long) chatSum(firstChat(rssHeld, nodes));
        r.put("serverRssKbBefore", chatOnly(rssBefore))
                .put("serverRssKbConnected", chatOnly(rssConnected))
                .put("serverRssKbAfterHold", chatOnly(rssHeld))
                .put("serverRssBytesPerConnection", Report.ratio((chatRssHeld - chatRssBefore) * 1024.0, open, 0))
                .put("cpuSecondsConnecting", cpuConnect)
                .put("serverCpuUsPerConnection", Report.ratio(chatSum(cpuConnect) * 1e6, connected.connected, 1))
                .put("idleHoldCpuPct", percentOfOneCore(chatOnly(cpuHold), holdSeconds))
                .put("cpuSecondsHolding", cpuHold)
                .put("compilerCpuPct", JvmThreadCpu.percentByProcess(threads0, threads1, JvmThreadCpu.Kind.COMPILER))
                .put("gcCpuPct", JvmThreadCpu.percentByProcess(threads0, threads1, JvmThreadCpu.Kind.GC))
                .put("idleHoldSecondHalfCpuPct", percentOfOneCore(chatOnly(cpuSecondHalf), secondHalfSeconds))
                .put("secondHalfCompilerCpuPct", JvmThreadCpu.percentByProcess(threadsMid, threads1, JvmThreadCpu.Kind.COMPILER))
                .put("generatorRssKb", rssHeld.get(ProcStats.SELF));
        common(r);
        out.println(r.toJson());
        return 0;
    }

    /**
     * The idle warm-up round: the first {@code --idle-warmup-clients} clients (spread over the idle nodes as the
     * measured round's are) connect at the same concurrency, are closed once all tried, and the nodes' gauge
     * {@code parley_chat_connections} is polled until it is back to its value before the round. What the node
     * spends once — JIT code of the upgrade path, threads started for the ramp, heap pages first touched — is
     * then spent before the "before" reading, so the idle figures are what one more connection costs a warm node.
     * The same users connect again in the measured round (registered once). Returns the line's warm-up fields.
     */
    private Map<String, Object> idleWarmUp(int nodes) throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        int wanted = Math.min(o.idleWarmupClients, clients.size());
        if (wanted <= 0) {
            fields.put("idleWarmupClients", 0);
            fields.put("idleWarmupSeconds", 0.0);
            return fields;
        }
        NodeMetrics metrics = new NodeMetrics();
        List<String> urls = o.chatUrls.subList(0, nodes);
        Map<String, Double> baseline = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        for (String url : urls) {
            try {
                baseline.put(url, metrics.gauge(url, NodeMetrics.CONNECTIONS));
            } catch (Exception e) {
                errors.put(url, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        System.err.printf("idle: warm-up round, %d connections to %s (%s open before)%n", wanted, urls, baseline.values());
        long t0 = System.nanoTime();
        int perLane = Math.max(1, o.connectConcurrency / lanes.size());
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (Lane lane : lanes) {
            all.add(lane.connectAll(ports, perLane, wanted));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30 + wanted / 10, TimeUnit.SECONDS);
        Lane.ConnectStats warm = new Lane.ConnectStats();
        for (Lane lane : lanes) {
            warm.add(lane.call(lane::connectStats));
        }
        double connectSec = warm.connected == 0 ? 0 : (warm.lastConnected - warm.firstStart) / 1e9;
        long c0 = System.nanoTime();
        List<CompletableFuture<Integer>> closes = new ArrayList<>();
        for (Lane lane : lanes) {
            closes.add(lane.closeForReconnect(10_000));
        }
        CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        // until the nodes have let go of them (their close handlers ran), not a fixed sleep
        Map<String, Double> left = new LinkedHashMap<>();
        long deadline = System.nanoTime() + WARMUP_CLOSE_TIMEOUT_NANOS;
        while (true) {
            left.clear();
            for (Map.Entry<String, Double> e : baseline.entrySet()) {
                try {
                    double now = metrics.gauge(e.getKey(), NodeMetrics.CONNECTIONS);
                    if (now > e.getValue()) {
                        left.put(e.getKey(), now - e.getValue());
                    }
                } catch (Exception ex) {
                    left.put(e.getKey(), null);
                    errors.put(e.getKey(), ex.getClass().getSimpleName() + ": " + ex.getMessage());
                }
            }
            if (left.isEmpty() || System.nanoTime() >= deadline) {
                break;
            }
            Thread.sleep(100);
        }
        if (baseline.isEmpty()) {
            Thread.sleep(o.settleMillis); // no gauge to read: a pause is all that is left
        }
        double closeSec = (System.nanoTime() - c0) / 1e9;
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.err.printf("idle: warm-up round done in %.1f s: %d connected in %.1f s, closed and gone from the"
                + " node%s in %.1f s%s%n", seconds, warm.connected, connectSec, urls.size() > 1 ? "s" : "", closeSec,
                left.isEmpty() ? "" : ", still open after " + WARMUP_CLOSE_TIMEOUT_NANOS / 1_000_000_000L + " s: " + left);
        fields.put("idleWarmupClients", warm.connected);
        fields.put("idleWarmupSeconds", Report.round(seconds, 3));
        fields.put("idleWarmupConnectSeconds", Report.round(connectSec, 3));
        fields.put("idleWarmupCloseSeconds", Report.round(closeSec, 3));
        if (warm.failed > 0) {
            fields.put("idleWarmupConnectFailures", warm.failures);
        }
        if (!left.isEmpty()) {
            fields.put("idleWarmupStillOpen", left);
        }
        if (!errors.isEmpty()) {
            fields.put("idleWarmupMetricsErrors", errors);
        }
        return fields;
    }

    /** The warm-up round's connections must be gone from the nodes' gauge within this. */
    private static final long WARMUP_CLOSE_TIMEOUT_NANOS = 60_000_000_000L;

    /** CPU seconds over a window as percent of one core, per process. */
    private static Map<String, Double> percentOfOneCore(Map<String, Double> cpuSeconds, double windowSeconds) {
        Map<String, Double> pct = new LinkedHashMap<>();
        cpuSeconds.forEach((name, sec) -> pct.put(name, sec == null ? null : Report.round(100 * sec / windowSeconds, 2)));
        return pct;
    }

    private int saturation() throws Exception {
        connect();
        Thread.sleep(o.settleMillis);
        Report best = null;
        String stopped = "every step passed";
        for (int step = 0; step < o.steps.length; step++) {
            if (step == 0) {
                warmUp(o.steps[0]);
            }
            Report r = phase(o.steps[step], o.durationSeconds);
            r.fields().put("step", step + 1);
            out.println(r.toJson());
            out.flush();
            Double p99 = (Double) r.fields().get("deliveryP99Ms");
            long lost = (Long) r.fields().get("lost");
            long closes = (Long) r.fields().get("connectionErrors");
            if (p99 == null || p99 > o.maxP99Millis || lost > 0 || closes > 0) {
                stopped = String.format("step %d (%.0f msg/s per sender): p99 %s ms, lost %d, connection errors %d",
                        step + 1, o.steps[step], p99, lost, closes);
                break;
            }
            best = r;
        }
        Report summary = new Report().put("scenario", "saturation").put("summary", true)
                .put("maxP99Ms", o.maxP99Millis)
                .put("bestRatePerSender", best == null ? null : best.fields().get("ratePerSender"))
                .put("bestDeliveriesPerSec", best == null ? null : best.fields().get("deliveriesPerSec"))
                .put("bestDeliveryP99Ms", best == null ? null : best.fields().get("deliveryP99Ms"))
                .put("bestServerCpuUsPerDelivery", best == null ? null : best.fields().get("serverCpuUsPerDelivery"))
                .put("stoppedAt", stopped);
        common(summary);
        out.println(summary.toJson());
        return 0;
    }

    // ---------------------------------------------------------------- topics

    /**
     * Topic push: every client subscribes to one topic of one public app, then the publisher posts publications
     * at {@code --pub-rate} in total, round-robin over the topics; every subscriber of a topic should get every
     * publication of it that was accepted.
     */
    private int topics() throws Exception {
        connect();
        long s0 = System.nanoTime();
        int written = 0;
        for (Lane lane : lanes) {
            written += lane.call(() -> lane.subscribeAll(app.appId(), topicNames));
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        int subscribed = 0;
        while (System.nanoTime() < deadline) {
            subscribed = 0;
            for (Lane lane : lanes) {
                subscribed += lane.call(lane::subscribedCount);
            }
            if (subscribed >= written) {
                break;
            }
            Thread.sleep(50);
        }
        setup.put("subscribeFrames", written);
        setup.put("subscribed", subscribed);
        setup.put("subscribeSeconds", Report.round((System.nanoTime() - s0) / 1e9, 3));
        PhaseStats before = merged();
        if (!before.errors.isEmpty()) {
            setup.put("subscribeErrors", before.errors);
        }
        System.err.printf("%d of %d clients subscribed to %d topics of app %s%n", subscribed, written, o.topics,
                app.appId());
        Thread.sleep(o.settleMillis);
        if (o.warmupSeconds > 0) {
            warmUpIn(o.pubRate, "publications/s", this::topicPhase);
        }
        Report r = topicPhase(o.pubRate, o.durationSeconds);
        out.println(r.toJson());
        return 0;
    }

    /** Per lane ledger summed: expected, missing, unexpected, subscribers. */
    private long[] topicLedger(long firstG) {
        BitSet accepted = publisher.call(publisher::acceptedInPhase);
        BitSet[] byTopic = new BitSet[o.topics];
        for (int k = 0; k < o.topics; k++) {
            byTopic[k] = new BitSet();
        }
        for (int g = accepted.nextSetBit(0); g >= 0; g = accepted.nextSetBit(g + 1)) {
            byTopic[g % o.topics].set(g);
        }
        long[] sum = new long[4];
        for (Lane lane : lanes) {
            long[] part = lane.call(() -> lane.topicLedger(byTopic, accepted, firstG));
            for (int i = 0; i < sum.length; i++) {
                sum[i] += part[i];
            }
        }
        return sum;
    }

    private Report topicPhase(double rate, int seconds) throws Exception {
        Map<String, Double> cpu0 = proc.cpuSeconds();
        Map<String, JvmThreadCpu.Sample> threads0 = threads.sample(chatPids);
        long t0 = System.nanoTime();
        long firstG = publisher.call(publisher::nextG);
        for (Lane lane : lanes) {
            lane.call(() -> lane.beginTopicPhase(firstG));
        }
        long start = System.nanoTime() + 20_000_000L;
        long end = start + seconds * 1_000_000_000L;
        publisher.call(() -> publisher.beginPhase(rate, start, end));
        sleepUntil(end + 4L * o.tickMillis * 1_000_000L);
        // the last requests: each has a 10 s timeout
        long answered = System.nanoTime() + 15_000_000_000L;
        while (publisher.call(publisher::busy) && System.nanoTime() < answered) {
            Thread.sleep(o.tickMillis);
        }
        long drainEnd = System.nanoTime() + o.drainSeconds * 1_000_000_000L;
        long[] ledger;
        while (true) {
            ledger = topicLedger(firstG);
            if (ledger[1] == 0 || System.nanoTime() >= drainEnd) {
                break;
            }
            Thread.sleep(100);
        }
        long t1 = System.nanoTime();
        Map<String, Double> cpu = ProcStats.delta(cpu0, proc.cpuSeconds());
        Map<String, JvmThreadCpu.Sample> threads1 = threads.sample(chatPids);
        Map<String, Long> rss = proc.rssKb();
        PhaseStats stats = merged();
        Publisher.Stats pub = publisher.call(publisher::stats);
        double window = (t1 - t0) / 1e9;
        long closes = stats.closes.values().stream().mapToLong(Long::longValue).sum();
        long binaryDeliveries = stats.deliveryBinary.getTotalCount();

        Report r = new Report().put("scenario", "topics")
                .put("clients", connected.connected)
                .put("subscribers", ledger[3])
                .put("topics", o.topics)
                .put("binaryClients", setup.get("binaryClients"))
                .put("pubRate", rate)
                .put("pubConcurrency", o.pubConcurrency)
                .put("dataBytes", o.bodyBytes)
                .put("durationSeconds", seconds)
                .put("windowSeconds", Report.round(window, 3))
                .put("publicationsSent", pub.sent)
                .put("publicationsAccepted", pub.accepted)
                .put("publicationsPerSec", Report.round(pub.accepted / (double) seconds, 1))
                .put("publishOutcomes", pub.outcomes)
                .put("rateLimited", pub.rateLimited)
                .put("publishErrors", pub.firstErrors)
                .put("publishBehindAtEnd", pub.behindAtEnd)
                .put("publishMaxBehind", pub.maxBehind)
                .put("publishP50Ms", PhaseStats.millis(pub.accept, 50))
                .put("publishP99Ms", PhaseStats.millis(pub.accept, 99))
                .put("publishMaxMs", PhaseStats.millis(pub.accept, 100))
                .put("deliveries", stats.deliveries)
                .put("deliveriesPerSec", Report.round(stats.deliveries / (double) seconds, 1))
                .put("deliveryP50Ms", PhaseStats.millis(stats.delivery, 50))
                .put("deliveryP99Ms", PhaseStats.millis(stats.delivery, 99))
                .put("deliveryMaxMs", PhaseStats.millis(stats.delivery, 100));
        if (o.binary) {
            Histogram text = stats.delivery.copy();
            text.subtract(stats.deliveryBinary);
            r.put("binaryDeliveries", binaryDeliveries)
                    .put("binaryDeliveryP50Ms", PhaseStats.millis(stats.deliveryBinary, 50))
                    .put("binaryDeliveryP99Ms", PhaseStats.millis(stats.deliveryBinary, 99))
                    .put("textDeliveryP50Ms", PhaseStats.millis(text, 50))
                    .put("textDeliveryP99Ms", PhaseStats.millis(text, 99));
        }
        r.put("expectedDeliveries", ledger[0])
                .put("missing", ledger[1])
                .put("missingPct", Report.round(ledger[0] == 0 ? 0 : 100.0 * ledger[1] / ledger[0], 4))
                .put("duplicates", stats.duplicates)
                .put("deliveriesOfUnaccepted", ledger[2])
                .put("misrouted", stats.misrouted)
                .put("stale", stats.stale)
                .put("foreign", stats.foreign)
                .put("connectionErrors", closes)
                .put("closes", stats.closes)
                .put("errorFrames", stats.errors)
                .put("connectFailures", connected.failed)
                .put("connectFailureReasons", connected.failures)
                .put("connectSeconds", Report.round(connectSeconds, 3))
                .put("connectionsPerSec", Report.ratio(connected.connected, connectSeconds, 0))
                .put("cpuSeconds", cpu)
                .put("serverCpuUsPerDelivery", Report.ratio(chatSum(cpu) * 1e6, stats.deliveries, 2))
                .put("serverCpuUsPerPublication", Report.ratio(chatSum(cpu) * 1e6, pub.accepted, 1))
                .put("generatorCpuUsPerDelivery", Report.ratio(nonNull(cpu.get(ProcStats.SELF)) * 1e6, stats.deliveries, 2))
                .put("rssKb", rss);
        jitAndGc(r, threads0, threads1, window);
        common(r);
        return r;
    }

    /**
     * Unmeasured traffic before the window: the first half at a third of the rate (a cold JVM spends a third of its
     * CPU compiling on this machine and would fall behind), the second half at the measured rate itself, so the code
     * that only gets hot at that rate (bigger batches, fuller pipelines) is compiled before the window, not in it —
     * as the references get an unmeasured step at the same rate.
     */
    private void warmUp(double rate) throws Exception {
        if (o.warmupSeconds > 0) {
            warmUpIn(rate, "msg/s per sender", this::phase);
        }
    }

    /** A warm-up phase at a rate, for so many seconds. */
    @FunctionalInterface
    private interface WarmUpPhase {
        Report run(double rate, int seconds) throws Exception;
    }

    private void warmUpIn(double rate, String unit, WarmUpPhase phase) throws Exception {
        int slow = o.warmupSeconds / 2;
        if (slow > 0) {
            System.err.printf("warming up for %d s at %.1f %s (not measured)%n", slow, rate / 3, unit);
            phase.run(rate / 3, slow);
        }
        System.err.printf("warming up for %d s at %.1f %s (not measured)%n", o.warmupSeconds - slow, rate, unit);
        Report last = phase.run(rate, o.warmupSeconds - slow);
        // code that runs a few hundred times a second per node (the send path of a fan-out) reaches C2 only after a
        // couple of minutes, and a C2 compile of it takes a second of CPU: wait for the JIT itself, not a fixed time
        for (int extra = 0; extra + JIT_STEP_SECONDS <= o.warmupExtraMaxSeconds && stillCompiling(last);
             extra += JIT_STEP_SECONDS) {
            System.err.printf("JIT still busy (compiler threads %s %% of the nodes' CPU, at least %.0f %%): %d s more "
                    + "at %.1f %s (not measured)%n", last.fields().get("compilerCpuPct"), o.warmupJitPct,
                    JIT_STEP_SECONDS, rate, unit);
            last = phase.run(rate, JIT_STEP_SECONDS);
        }
        warmedUp(last);
    }

    /** Whether a node's compiler threads took at least --warmup-jit-pct of its CPU in this (warm-up) phase. */
    @SuppressWarnings("unchecked")
    private boolean stillCompiling(Report warmup) {
        if (o.warmupJitPct <= 0 || !(warmup.fields().get("compilerCpuPct") instanceof Map<?, ?> pct)) {
            return false;
        }
        return ((Map<String, Double>) pct).values().stream().anyMatch(p -> p != null && p >= o.warmupJitPct);
    }

    @SuppressWarnings("unchecked")
    private void warmedUp(Report warmup) {
        warmupCompilerPct = (Map<String, Double>) warmup.fields().get("compilerCpuPct");
        System.err.printf("warm-up done: compiler threads took %s %% of the nodes' CPU, GC threads %s %%%n",
                warmupCompilerPct, warmup.fields().get("gcCpuPct"));
    }

    /** One measured phase: send for {@code seconds} at {@code rate} per sender, drain, measure, report. */
    private Report phase(double rate, int seconds) throws Exception {
        Map<String, RedisCommandStats.Totals> redis0 = o.redisPort > 0 ? RedisCommandStats.read(o.redisPort) : null;
        Map<String, Double> cpu0 = proc.cpuSeconds();
        Map<String, JvmThreadCpu.Sample> threads0 = threads.sample(chatPids);
        long t0 = System.nanoTime();
        long start = t0 + 20_000_000L;
        long end = start + seconds * 1_000_000_000L;
        Map<Integer, Long> firstN = new HashMap<>();
        int openSenders = 0;
        for (Lane lane : lanes) {
            firstN.putAll(lane.call(() -> lane.beginPhase(rate, start, end)));
            openSenders += lane.call(lane::openSenders);
        }
        sleepUntil(end + 4L * o.tickMillis * 1_000_000L);
        long stillSending = System.nanoTime() + 5_000_000_000L;
        while (lanes.stream().anyMatch(l -> l.call(l::isSending)) && System.nanoTime() < stillSending) {
            Thread.sleep(o.tickMillis);
        }
        // drain: until every confirmed message reached every connected recipient and every send was answered
        long drainEnd = System.nanoTime() + o.drainSeconds * 1_000_000_000L;
        Ledger.Outcome outcome;
        PhaseStats stats;
        while (true) {
            outcome = ledger(firstN);
            stats = merged();
            boolean settled = outcome.lost() == 0 && stats.confirmed + stats.rejected >= stats.written;
            if (settled || System.nanoTime() >= drainEnd) {
                break;
            }
            Thread.sleep(100);
        }
        awaitCoalescedAcks();
        long t1 = System.nanoTime();
        Map<String, Double> cpu = ProcStats.delta(cpu0, proc.cpuSeconds());
        Map<String, RedisCommandStats.Totals> redis1 = o.redisPort > 0 ? RedisCommandStats.read(o.redisPort) : null;
        Map<String, JvmThreadCpu.Sample> threads1 = threads.sample(chatPids);
        Map<String, Long> rss = proc.rssKb();
        double window = (t1 - t0) / 1e9;
        long closes = stats.closes.values().stream().mapToLong(Long::longValue).sum();

        Report r = new Report().put("scenario", o.scenario)
                .put("clients", connected.connected)
                .put("senders", openSenders)
                .put("sendersConfigured", senders)
                .put("ratePerSender", rate)
                .put("bodyBytes", o.bodyBytes)
                .put("durationSeconds", seconds)
                .put("windowSeconds", Report.round(window, 3))
                .put("messagesSent", stats.written)
                .put("messagesConfirmed", stats.confirmed)
                .put("messagesPerSec", Report.round(stats.written / (double) seconds, 1))
                .put("deliveries", stats.deliveries)
                .put("deliveriesPerSec", Report.round(stats.deliveries / (double) seconds, 1))
                .put("deliveryP50Ms", PhaseStats.millis(stats.delivery, 50))
                .put("deliveryP99Ms", PhaseStats.millis(stats.delivery, 99))
                .put("deliveryMaxMs", PhaseStats.millis(stats.delivery, 100))
                .put("sentP50Ms", PhaseStats.millis(stats.sent, 50))
                .put("sentP99Ms", PhaseStats.millis(stats.sent, 99))
                .put("sentMaxMs", PhaseStats.millis(stats.sent, 100))
                .put("expectedDeliveries", outcome.expected())
                .put("lost", outcome.lost())
                .put("lossPct", Report.round(outcome.lossPercent(), 4))
                .put("rejectedSends", stats.rejected)
                .put("unansweredSends", stats.written - stats.confirmed - stats.rejected)
                .put("duplicates", stats.duplicates)
                .put("echoes", stats.echoes)
                .put("acksSent", stats.acksSent)
                .put("acksPerDelivery", Report.ratio(stats.acksSent, stats.deliveries, 3))
                .put("ackGapsSteppedOver", stats.ackGapsSteppedOver)
                .put("connectionErrors", closes)
                .put("closes", stats.closes)
                .put("errorFrames", stats.errors)
                .put("connectFailures", connected.failed)
                .put("connectFailureReasons", connected.failures)
                .put("connectSeconds", Report.round(connectSeconds, 3))
                .put("connectionsPerSec", Report.ratio(connected.connected, connectSeconds, 0))
                .put("cpuSeconds", cpu)
                .put("serverCpuUsPerDelivery", Report.ratio(chatSum(cpu) * 1e6, stats.deliveries, 2))
                .put("generatorCpuUsPerDelivery", Report.ratio(nonNull(cpu.get(ProcStats.SELF)) * 1e6, stats.deliveries, 2))
                .put("rssKb", rss);
        if (redis0 != null && redis1 != null) {
            r.put("redisPerMessage", RedisCommandStats.perMessage(redis0, redis1, stats.confirmed, 15));
        }
        jitAndGc(r, threads0, threads1, window);
        common(r);
        return r;
    }

    /**
     * Coalesced acks: the last messages' acks leave up to one ack-delay after they arrived; wait for them, so the
     * window holds the server's work for every ack of its messages, as with per-message acks.
     */
    private void awaitCoalescedAcks() throws InterruptedException {
        if (o.ackPolicy == Options.AckPolicy.COALESCED) {
            Thread.sleep(o.ackDelayMillis + 2L * CoalescedAcks.tickMillis(o.ackDelayMillis));
        }
    }

    /**
     * The chat nodes' compiler and GC thread shares of their CPU in the window (and the warm-up's compiler share), and
     * each node's event loops' CPU (percent of a core, busiest first: one loop at 100 % is a node's ceiling).
     */
    private void jitAndGc(Report r, Map<String, JvmThreadCpu.Sample> before, Map<String, JvmThreadCpu.Sample> after,
                          double windowSeconds) {
        r.put("compilerCpuPct", JvmThreadCpu.percentByProcess(before, after, JvmThreadCpu.Kind.COMPILER))
                .put("gcCpuPct", JvmThreadCpu.percentByProcess(before, after, JvmThreadCpu.Kind.GC))
                .put("eventLoopCorePct", JvmThreadCpu.eventLoopCorePctByProcess(before, after, windowSeconds,
                        o.clockTicks));
        if (warmupCompilerPct != null) {
            r.put("warmupCompilerCpuPct", warmupCompilerPct);
        }
    }

    private void common(Report r) {
        r.put("ackPolicy", o.ackPolicy.flag);
        if (o.ackPolicy == Options.AckPolicy.COALESCED) {
            r.put("ackDelayMs", o.ackDelayMillis);
        }
        r.put("deflate", o.deflate);
        if (o.deflate && connected != null) {
            // null: Vert.x did not show the upgrade response, so acceptance is unknown
            r.put("deflateAccepted", connected.handshakeUnseen > 0 ? null : connected.deflateAccepted);
        }
        r.put("setup", setup);
        r.put("env", o.meta);
    }

    private Ledger.Outcome ledger(Map<Integer, Long> firstN) {
        List<Ledger.SenderLog> logs = new ArrayList<>();
        Map<Integer, Map<Integer, BitSet>> received = new HashMap<>();
        for (Lane lane : lanes) {
            logs.addAll(lane.call(lane::senderLogs));
            received.putAll(lane.call(() -> lane.received(firstN)));
        }
        return Ledger.count(logs, received);
    }

    private PhaseStats merged() {
        PhaseStats all = new PhaseStats();
        for (Lane lane : lanes) {
            all.add(lane.call(lane::stats));
        }
        return all;
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, Math.min(500, left / 1_000_000)));
        }
    }

    private static double nonNull(Double d) {
        return d == null ? -1 : d;
    }

    /** Sum over the processes named {@code chat*} (the chat-service nodes). */
    private static double chatSum(Map<String, ? extends Number> perProcess) {
        double sum = 0;
        boolean any = false;
        for (Map.Entry<String, ? extends Number> e : perProcess.entrySet()) {
            if (e.getKey().startsWith("chat") && e.getValue() != null && e.getValue().doubleValue() >= 0) {
                sum += e.getValue().doubleValue();
                any = true;
            }
        }
        return any ? sum : -1;
    }

    /** The first {@code nodes} chat processes, in the order of --pid (which is the order of --chat-urls). */
    private static <V> Map<String, V> firstChat(Map<String, V> perProcess, int nodes) {
        Map<String, V> first = new LinkedHashMap<>();
        for (Map.Entry<String, V> e : chatOnly(perProcess).entrySet()) {
            if (first.size() < nodes) {
                first.put(e.getKey(), e.getValue());
            }
        }
        return first;
    }

    private static <V> Map<String, V> chatOnly(Map<String, V> perProcess) {
        Map<String, V> chat = new LinkedHashMap<>();
        perProcess.forEach((k, v) -> {
            if (k.startsWith("chat")) {
                chat.put(k, v);
            }
        });
        return chat;
    }
}
