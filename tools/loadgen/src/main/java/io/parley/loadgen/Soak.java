package io.parley.loadgen;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The soak scenario: moderate 1:1 and group traffic of {@link CheckingClient}s (acks, connection churn) for
 * {@code --duration} minutes, one JSON line a minute with what would show a leak: each chat node's RSS, live heap
 * after a full GC, open file descriptors and threads; Redis's used memory, key count and stream lengths; MySQL's
 * message rows; and the traffic of the minute (acknowledged, delivered, lost, reconnects).
 */
final class Soak {

    private final ResilienceOptions o;
    private final PrintStream out;
    private final Control control;
    private final String runId = "s" + Long.toString(System.currentTimeMillis() % 2_176_782_336L, 36);

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
                        .put("clients", traffic.size()).put("ratePerClient", o.rate);
                r.fields().putAll(traffic0);
                r.put("nodes", nodeFigures(nodes));
                r.put("redis", safe(control::redisStats));
                r.put("mysqlRows", safe(() -> control.sqlLong("SELECT COUNT(*) FROM messages")));
                r.put("env", o.meta);
                out.println(r.toJson());
                out.flush();
                lost = (long) traffic0.get("lateDeliveries");
            }
        } finally {
            traffic.close();
        }
        return lost == 0 ? 0 : 4;
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
