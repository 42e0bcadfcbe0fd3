package io.parley.loadgen;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The soak scenario: moderate 1:1 and group traffic of {@link CheckingClient}s (acks, connection churn) for
 * {@code --duration} minutes, one JSON line a minute with what would show a leak: each chat node's RSS, live heap
 * after a full GC, open file descriptors and threads; Redis's used memory, key count and stream lengths; MySQL's
 * message rows; and the traffic of the minute (acknowledged, delivered, lost, reconnects). Redis is also broken down
 * by key kind ({@link RedisCensus}) and set against what is hot: its used memory above the baseline (taken after
 * setup, before the traffic) per conversation with a log in Redis. A last line ({@code "summary": true}) says whether
 * Redis levelled off ({@link SoakSummary}).
 */
final class Soak {

    private final ResilienceOptions o;
    private final PrintStream out;
    private final Control control;
    private final String runId = "s" + Long.toString(System.currentTimeMillis() % 2_176_782_336L, 36);
    /** Keys of each kind whose MEMORY USAGE is read every minute. */
    private static final int SAMPLES_PER_KIND = 5;
    private final Random random = new Random(1);

    // Redis by minute, index 0: the baseline
    private final List<Long> usedMemory = new ArrayList<>();
    private final List<Long> keys = new ArrayList<>();
    private final List<Long> hotConversations = new ArrayList<>();
    private final List<Map<String, Long>> censuses = new ArrayList<>();
    private final List<Long> bytesPerHot = new ArrayList<>();
    private Map<String, Long> lastCensusBytes = Map.of();

    Soak(ResilienceOptions o, PrintStream out) {
        this.o = o;
        this.out = out;
        this.control = new Control(o.control);
    }

    int run() throws Exception {
        Traffic traffic = Faults.setUp(o, runId, true);
        Map<String, Integer> nodes = new LinkedHashMap<>();
        for (int i = 1; i <= o.chatUrls.size(); i++) {
            nodes.put("chat-" + i, control.pid("chat-" + i));
        }
        long lost = 0;
        try {
            traffic.newConversations(o.newConversationsShare);
            // the baseline: users, groups, sessions and connections set up, no message yet
            Map<String, Object> baseline = redisFigures(null);
            long baselineMemory = usedMemory.isEmpty() ? 0 : usedMemory.get(0);
            traffic.churn(o.churnPerMinute, 500);
            traffic.startSending("soak");
            long start = System.nanoTime();
            for (int minute = 1; minute <= o.durationMinutes; minute++) {
                long due = start + minute * 60_000_000_000L;
                long wait = (due - System.nanoTime()) / 1_000_000;
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                long now = System.nanoTime();
                // a delivery still missing a minute after its sent is lost (retransmission is every 10 s)
                long cutoff = now - 60_000_000_000L;
                Map<String, Object> traffic0 = traffic.call(() -> {
                    Map<String, Object> f = new LinkedHashMap<>();
                    Map<String, Long> c = traffic.counters;
                    f.put("acknowledged", c.getOrDefault("acknowledged", 0L));
                    f.put("deliveries", c.getOrDefault("deliveries", 0L));
                    f.put("duplicatesSeen", c.getOrDefault("duplicatesSeen", 0L));
                    f.put("churned", c.getOrDefault("churned", 0L));
                    f.put("unanswered", (long) traffic.unanswered());
                    f.put("pendingDeliveries", (long) traffic.undeliveredSince(Long.MAX_VALUE));
                    long late = 0;
                    for (Traffic.Msg m : traffic.undelivered.values()) {
                        late += m.sentNanos < cutoff ? m.missing.size() : 0;
                    }
                    f.put("lateDeliveries", late);
                    f.put("rejected", new LinkedHashMap<>(traffic.rejectedByCode));
                    f.putAll(traffic.clientFigures());
                    f.put("generatorLedger", (long) traffic.receivedKept() + traffic.undelivered.size());
                    traffic.resetClientFigures();
                    return f;
                });
                Report r = new Report().put("scenario", "soak").put("minute", minute)
                        .put("clients", traffic.size()).put("ratePerClient", o.rate)
                        .put("newConversationsShare", o.newConversationsShare);
                r.fields().putAll(traffic0);
                r.put("nodes", nodeFigures(nodes));
                r.put("redis", safe(() -> redisFigures(baselineMemory)));
                r.put("mysqlRows", safe(() -> control.sqlLong("SELECT COUNT(*) FROM messages")));
                r.put("env", o.meta);
                out.println(r.toJson());
                out.flush();
                lost = (long) traffic0.get("lateDeliveries");
            }
            out.println(summary(traffic.size(), baseline).toJson());
            out.flush();
        } finally {
            traffic.close();
        }
        return lost == 0 ? 0 : 4;
    }

    /**
     * The redis-stats figures, the key census (count and estimated bytes per kind) and, given the baseline, used
     * memory above it and per hot conversation; recorded for the summary. {@code baseline} null: this is it.
     */
    private Map<String, Object> redisFigures(Long baseline) {
        long t0 = System.nanoTime();
        Map<String, Object> f = new LinkedHashMap<>(control.redisStats());
        RedisCensus census = RedisCensus.of(control.scanKeys(), SAMPLES_PER_KIND, random);
        Map<String, Long> bytes = census.estimatedBytes(control.memoryUsage(census.sampleKeys()));
        long used = ((Number) f.getOrDefault("usedMemory", 0L)).longValue();
        long hot = ((Number) f.getOrDefault("logStreams", 0L)).longValue();
        if (baseline != null) {
            f.put("baselineUsedMemory", baseline);
            f.put("usedMemoryAboveBaseline", used - baseline);
            Long perHot = SoakSummary.bytesPerHotConversation(used, baseline, hot);
            f.put("bytesPerHotConversation", perHot);
            bytesPerHot.add(perHot);
        }
        f.put("census", census.counts);
        f.put("censusBytes", bytes);
        f.put("censusMs", (System.nanoTime() - t0) / 1_000_000);
        usedMemory.add(used);
        keys.add(((Number) f.getOrDefault("keys", 0L)).longValue());
        hotConversations.add(hot);
        censuses.add(census.counts);
        lastCensusBytes = bytes;
        return f;
    }

    /** The last line: did Redis level off, and what a hot conversation costs it. */
    private Report summary(int clients, Map<String, Object> baseline) {
        Map<String, Object> redis = new LinkedHashMap<>();
        redis.put("baseline", Map.of("usedMemory", baseline.getOrDefault("usedMemory", 0L),
                "keys", baseline.getOrDefault("keys", 0L), "census", baseline.getOrDefault("census", Map.of())));
        redis.put("usedMemory", SoakSummary.levelling(usedMemory));
        redis.put("keys", SoakSummary.levelling(keys));
        redis.put("hotConversations", SoakSummary.levelling(hotConversations));
        redis.put("bytesPerHotConversation", bytesPerHot.isEmpty() ? null : bytesPerHot.get(bytesPerHot.size() - 1));
        redis.put("bytesPerHotConversationByMinute", bytesPerHot);
        redis.put("growingKindsLastThird", SoakSummary.growingKinds(censuses));
        redis.put("censusBytes", lastCensusBytes);
        return new Report().put("scenario", "soak").put("summary", true).put("minutes", usedMemory.size() - 1)
                .put("clients", clients).put("ratePerClient", o.rate)
                .put("newConversationsShare", o.newConversationsShare).put("redis", redis).put("env", o.meta);
    }

    private static Map<String, Object> nodeFigures(Map<String, Integer> nodes) throws InterruptedException {
        Map<String, Object> all = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> node : nodes.entrySet()) {
            int pid = node.getValue();
            Map<String, Object> f = new LinkedHashMap<>();
            Path proc = Path.of("/proc", Integer.toString(pid));
            f.put("rssKb", ProcStats.rssKb(proc.resolve("status")));
            try {
                // GC.class_histogram runs a full GC first: its total is the live heap
                f.put("heapAfterGcBytes", JvmMemory.histogram(Jcmd.run(pid, "GC.class_histogram")).totalBytes());
            } catch (IOException | RuntimeException e) {
                f.put("heapAfterGcBytes", null);
                f.put("heapError", String.valueOf(e.getMessage()));
            }
            f.put("rssAfterGcKb", ProcStats.rssKb(proc.resolve("status")));
            try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
                f.put("openFds", fds.count());
            } catch (IOException e) {
                f.put("openFds", null);
            }
            f.put("threads", threads(proc.resolve("status")));
            all.put(node.getKey(), f);
        }
        return all;
    }

    private static Long threads(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("Threads:")) {
                    return Long.parseLong(line.substring(8).strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return null;
    }

    private interface Source {
        Object get() throws Exception;
    }

    private static Object safe(Source source) {
        try {
            return source.get();
        } catch (Exception e) {
            return Map.of("error", String.valueOf(e.getMessage()));
        }
    }
}
