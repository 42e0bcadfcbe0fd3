package io.parley.loadgen;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How much of a JVM's CPU its JIT compiler and its garbage collector took, from the per-thread counters in
 * {@code /proc/<pid>/task/<tid>/stat} (utime + stime) and the thread names in {@code .../comm} (HotSpot names its
 * threads; the kernel keeps 15 characters). Shows whether a measured window was steady state: a JVM still
 * compiling its hot path spends a visible share of its CPU in the compiler threads.
 *
 * <p>A thread that ends inside the window takes its CPU with it (HotSpot starts and stops compiler threads on
 * demand), so the compiler share is a lower bound; the process total in {@code /proc/<pid>/stat} keeps it.
 */
final class JvmThreadCpu {

    /** C2 and C1 compiler threads ("C2 CompilerThread0", cut to 15 characters). */
    static final List<String> COMPILER_THREADS = List.of("C2 CompilerThre", "C1 CompilerThre");

    /**
     * Garbage-collector threads of the HotSpot collectors: G1 ("GC Thread#n" parallel workers, "G1 Conc#n",
     * "G1 Main Marker", "G1 Refine#n", "G1 Service", ...), Parallel and Serial (whose collections run in the
     * "VM Thread", as do G1's safepoint operations), ZGC and Shenandoah.
     */
    static final List<String> GC_THREADS = List.of("GC Thread", "G1 ", "VM Thread", "ZDirector", "ZDriver", "ZStat",
            "ZWorker", "ZUnmapper", "ZUncommitter", "Shenandoah");

    /** Vert.x event loops ("vert.x-eventloop-thread-n", cut to 15 characters: told apart by thread id). */
    static final String EVENT_LOOP_THREAD = "vert.x-eventloo";

    enum Kind { COMPILER, GC, EVENT_LOOP, OTHER }

    /** One reading of one process: its total CPU ticks and, per thread id, its kind and ticks. */
    record Sample(long processTicks, Map<Integer, Kind> kinds, Map<Integer, Long> ticks) {
    }

    /** Per category, percent of the process's CPU between two readings. */
    record Shares(double compilerPct, double gcPct) {
    }

    private final Path proc;

    /** {@code proc}: {@code /proc}, or a directory shaped like it (tests). */
    JvmThreadCpu(Path proc) {
        this.proc = proc;
    }

    static Kind kindOf(String threadName) {
        if (COMPILER_THREADS.stream().anyMatch(threadName::startsWith)) {
            return Kind.COMPILER;
        }
        if (threadName.startsWith(EVENT_LOOP_THREAD)) {
            return Kind.EVENT_LOOP;
        }
        return GC_THREADS.stream().anyMatch(threadName::startsWith) ? Kind.GC : Kind.OTHER;
    }

    /** Reads one process's threads; null if the process cannot be read. */
    Sample sample(int pid) {
        Path dir = proc.resolve(Integer.toString(pid));
        Map<Integer, Kind> kinds = new HashMap<>();
        Map<Integer, Long> ticks = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(dir.resolve("task"))) {
            long total = ProcStats.parseCpuTicks(Files.readString(dir.resolve("stat")));
            for (Path task : tasks) {
                try {
                    int tid = Integer.parseInt(task.getFileName().toString());
                    String name = Files.readString(task.resolve("comm")).strip();
                    ticks.put(tid, ProcStats.parseCpuTicks(Files.readString(task.resolve("stat"))));
                    kinds.put(tid, kindOf(name));
                } catch (IOException | RuntimeException threadEnded) {
                    // the thread ended between the listing and the read: nothing to count
                }
            }
            return new Sample(total, kinds, ticks);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Samples of several processes by name (null where one cannot be read). */
    Map<String, Sample> sample(Map<String, Integer> pids) {
        Map<String, Sample> samples = new LinkedHashMap<>();
        pids.forEach((name, pid) -> samples.put(name, sample(pid)));
        return samples;
    }

    /** Compiler and GC share of the process's CPU from {@code before} to {@code after}; null if unknown. */
    static Shares shares(Sample before, Sample after) {
        if (before == null || after == null || after.processTicks <= before.processTicks) {
            return null;
        }
        long compiler = 0;
        long gc = 0;
        for (Map.Entry<Integer, Long> e : after.ticks.entrySet()) {
            // a thread started inside the window counts from zero
            long used = e.getValue() - before.ticks.getOrDefault(e.getKey(), 0L);
            switch (after.kinds.get(e.getKey())) {
                case COMPILER -> compiler += used;
                case GC -> gc += used;
                default -> { }
            }
        }
        double total = after.processTicks - before.processTicks;
        return new Shares(Report.round(100 * compiler / total, 2), Report.round(100 * gc / total, 2));
    }

    /** Per process name, the compiler (or GC) percent; null for a process that could not be read. */
    static Map<String, Double> percentByProcess(Map<String, Sample> before, Map<String, Sample> after, Kind kind) {
        Map<String, Double> pct = new LinkedHashMap<>();
        before.forEach((name, b) -> {
            Shares s = shares(b, after.get(name));
            pct.put(name, s == null ? null : kind == Kind.COMPILER ? s.compilerPct() : s.gcPct());
        });
        return pct;
    }

    /**
     * Each event loop's CPU in the window as a percent of one core (busiest first): a node whose work lands on one
     * loop saturates that core while the other idles. Empty if unknown.
     */
    static List<Double> eventLoopCorePct(Sample before, Sample after, double seconds, int clockTicks) {
        if (before == null || after == null || seconds <= 0) {
            return List.of();
        }
        List<Double> pct = new java.util.ArrayList<>();
        after.ticks.forEach((tid, ticks) -> {
            if (after.kinds.get(tid) == Kind.EVENT_LOOP) {
                long used = ticks - before.ticks.getOrDefault(tid, 0L);
                pct.add(Report.round(100.0 * used / clockTicks / seconds, 1));
            }
        });
        pct.sort(java.util.Comparator.reverseOrder());
        return pct;
    }

    /** {@link #eventLoopCorePct} per process name. */
    static Map<String, List<Double>> eventLoopCorePctByProcess(Map<String, Sample> before, Map<String, Sample> after,
                                                               double seconds, int clockTicks) {
        Map<String, List<Double>> pct = new LinkedHashMap<>();
        before.forEach((name, b) -> pct.put(name, eventLoopCorePct(b, after.get(name), seconds, clockTicks)));
        return pct;
    }
}
