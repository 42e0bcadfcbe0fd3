package io.parley.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time and resident memory of processes, from {@code /proc}: {@code /proc/<pid>/stat} fields 14 and 15
 * (utime, stime: every thread of the process, in clock ticks) and {@code /proc/<pid>/status} {@code VmRSS}.
 * The generator reads its own through {@code /proc/self}.
 */
final class ProcStats {

    static final String SELF = "generator";

    private final Map<String, Integer> pids;
    private final int clockTicks;

    ProcStats(Map<String, Integer> pids, int clockTicks) {
        this.pids = pids;
        this.clockTicks = clockTicks;
    }

    /** CPU seconds used so far by each process (the generator last); -1 where it cannot be read. */
    Map<String, Double> cpuSeconds() {
        Map<String, Double> cpu = new LinkedHashMap<>();
        pids.forEach((name, pid) -> cpu.put(name, cpuSeconds(Path.of("/proc", pid.toString(), "stat"))));
        cpu.put(SELF, cpuSeconds(Path.of("/proc/self/stat")));
        return cpu;
    }

    /** Resident set size in kB of each process (the generator last); -1 where it cannot be read. */
    Map<String, Long> rssKb() {
        Map<String, Long> rss = new LinkedHashMap<>();
        pids.forEach((name, pid) -> rss.put(name, rssKb(Path.of("/proc", pid.toString(), "status"))));
        rss.put(SELF, rssKb(Path.of("/proc/self/status")));
        return rss;
    }

    private double cpuSeconds(Path stat) {
        try {
            return parseCpuTicks(Files.readString(stat)) / (double) clockTicks;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** utime + stime of a {@code stat} line; the command name may hold spaces, so fields count from its ')'. */
    static long parseCpuTicks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // fields[0] is field 3 (state): utime (14) is fields[11], stime (15) fields[12]
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    static long rssKb(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // process gone
        }
        return -1;
    }

    /** Per process, CPU seconds between two readings. */
    static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> d = new LinkedHashMap<>();
        before.forEach((name, start) -> {
            Double end = after.get(name);
            d.put(name, start < 0 || end == null || end < 0 ? null : Report.round(end - start, 3));
        });
        return d;
    }
}
