package io.parley.loadgen;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The idle scenario's memory figures of the chat nodes, each read after a full GC so garbage is not counted:
 * RSS ({@code VmRSS}, once it stops moving), the live heap by class ({@code GC.class_histogram}) and Native
 * Memory Tracking's committed kB per category ({@code VM.native_memory summary}; the nodes run with
 * {@code -XX:NativeMemoryTracking=summary}). {@link #perConnection} turns a reading before connecting and one
 * after the hold into per-connection figures.
 */
final class NodeMemory {

    /** How many classes the per-connection heap breakdown lists (the biggest growers; only those that grew). */
    private static final int TOP_CLASSES = 12;
    private static final long RSS_STABLE_KB = 256;

    /** One node after a full GC; a field is null (and {@code error} says why) where jcmd could not read it. */
    record Snapshot(long rssKb, JvmMemory.Histogram heap, Map<String, Long> nmtKb, String error) {
    }

    private NodeMemory() {
    }

    /** Full GC, then RSS once stable, the live heap and the NMT summary of {@code pid}. */
    static Snapshot afterFullGc(int pid) throws InterruptedException {
        List<String> errors = new ArrayList<>();
        try {
            Jcmd.run(pid, "GC.run");
        } catch (Exception e) {
            errors.add(e.getMessage());
        }
        long rss = stableRssKb(pid);
        JvmMemory.Histogram heap = null;
        Map<String, Long> nmt = null;
        try {
            heap = JvmMemory.histogram(Jcmd.run(pid, "GC.class_histogram"));
        } catch (Exception e) {
            errors.add(e.getMessage());
        }
        try {
            nmt = JvmMemory.nmtCommittedKb(Jcmd.run(pid, "VM.native_memory", "summary", "scale=KB"));
        } catch (Exception e) {
            errors.add(e.getMessage());
        }
        return new Snapshot(rss, heap, nmt, errors.isEmpty() ? null : String.join("; ", errors));
    }

    /** VmRSS once four readings 250 ms apart stay within 256 kB of each other (at most 20 s). */
    private static long stableRssKb(int pid) throws InterruptedException {
        Path status = Path.of("/proc", Integer.toString(pid), "status");
        long deadline = System.nanoTime() + 20_000_000_000L;
        long[] last = new long[4];
        int n = 0;
        while (true) {
            long rss = ProcStats.rssKb(status);
            last[n++ % last.length] = rss;
            if (n >= last.length || System.nanoTime() > deadline) {
                long min = Long.MAX_VALUE;
                long max = Long.MIN_VALUE;
                for (long v : last) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                if (max - min <= RSS_STABLE_KB || System.nanoTime() > deadline) {
                    return rss;
                }
            }
            Thread.sleep(250);
        }
    }

    /** Snapshots of several nodes by name. */
    static Map<String, Snapshot> afterFullGc(Map<String, Integer> pids) throws InterruptedException {
        Map<String, Snapshot> out = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : pids.entrySet()) {
            out.put(e.getKey(), afterFullGc(e.getValue()));
        }
        return out;
    }

    /**
     * Puts the per-connection figures of the nodes in {@code before}/{@code after} (the ones that took the
     * {@code connections}) into {@code r}.
     */
    static void perConnection(Map<String, Snapshot> before, Map<String, Snapshot> after, long connections, Report r) {
        Map<String, Long> rssBefore = new LinkedHashMap<>();
        Map<String, Long> rssAfter = new LinkedHashMap<>();
        Map<String, Long> heapBefore = new LinkedHashMap<>();
        Map<String, Long> heapAfter = new LinkedHashMap<>();
        Map<String, Long> classDelta = new LinkedHashMap<>();
        Map<String, Long> nmtDelta = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        long rssDeltaKb = 0;
        long heapDelta = 0;
        boolean heapKnown = true;
        boolean nmtKnown = true;
        for (Map.Entry<String, Snapshot> e : before.entrySet()) {
            Snapshot b = e.getValue();
            Snapshot a = after.get(e.getKey());
            rssBefore.put(e.getKey(), b.rssKb());
            rssAfter.put(e.getKey(), a.rssKb());
            rssDeltaKb += a.rssKb() - b.rssKb();
            if (b.heap() != null && a.heap() != null) {
                heapBefore.put(e.getKey(), b.heap().totalBytes());
                heapAfter.put(e.getKey(), a.heap().totalBytes());
                heapDelta += a.heap().totalBytes() - b.heap().totalBytes();
                JvmMemory.delta(b.heap().bytesByClass(), a.heap().bytesByClass()).forEach((k, v) -> classDelta.merge(k, v, Long::sum));
            } else {
                heapKnown = false;
            }
            if (b.nmtKb() != null && a.nmtKb() != null) {
                JvmMemory.delta(b.nmtKb(), a.nmtKb()).forEach((k, v) -> nmtDelta.merge(k, v, Long::sum));
            } else {
                nmtKnown = false;
            }
            for (Snapshot s : new Snapshot[] {b, a}) {
                if (s.error() != null) {
                    errors.add(e.getKey() + ": " + s.error());
                }
            }
        }
        r.put("rssAfterGcKbBefore", rssBefore)
                .put("rssAfterGcKbAfter", rssAfter)
                .put("rssAfterGcBytesPerConnection", signedRatio(rssDeltaKb * 1024.0, connections, 0))
                .put("liveHeapBytesBefore", heapKnown ? heapBefore : null)
                .put("liveHeapBytesAfter", heapKnown ? heapAfter : null)
                .put("liveHeapBytesPerConnection", heapKnown ? signedRatio(heapDelta, connections, 0) : null)
                .put("liveHeapTopClassesBytesPerConnection", heapKnown ? topPerConnection(classDelta, connections) : null)
                .put("nmtCommittedKbDelta", nmtKnown ? nmtDelta : null)
                .put("nmtCommittedBytesPerConnection", nmtKnown ? perConnection(nmtDelta, connections) : null);
        if (!errors.isEmpty()) {
            r.put("memoryErrors", errors);
        }
    }

    private static Map<String, Double> topPerConnection(Map<String, Long> classDelta, long connections) {
        Map<String, Double> top = new LinkedHashMap<>();
        classDelta.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted(Comparator.comparingLong((Map.Entry<String, Long> e) -> e.getValue()).reversed())
                .limit(TOP_CLASSES)
                .forEach(e -> top.put(e.getKey(), signedRatio(e.getValue(), connections, 1)));
        return top;
    }

    private static Map<String, Double> perConnection(Map<String, Long> kb, long connections) {
        Map<String, Double> bytes = new LinkedHashMap<>();
        kb.forEach((k, v) -> bytes.put(k, signedRatio(v * 1024.0, connections, 1)));
        return bytes;
    }

    /** Like {@link Report#ratio} but a delta may be negative (memory given back). */
    private static Double signedRatio(double part, long connections, int decimals) {
        return connections <= 0 ? null : Report.round(part / connections, decimals);
    }
}
