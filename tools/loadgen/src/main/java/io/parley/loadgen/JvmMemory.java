package io.parley.loadgen;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the two jcmd reports behind the idle scenario's memory figures: the class histogram and the NMT summary. */
final class JvmMemory {

    private static final Pattern HISTOGRAM_ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)");
    private static final Pattern NMT_TOTAL = Pattern.compile("^Total: reserved=(\\d+)KB, committed=(\\d+)KB");
    private static final Pattern NMT_CATEGORY = Pattern.compile("^-\\s+(.+?) \\(reserved=(\\d+)KB, committed=(\\d+)KB");

    private JvmMemory() {
    }

    /** A class histogram ({@code GC.class_histogram}: live objects, after the full GC it runs itself). */
    record Histogram(long totalBytes, Map<String, Long> bytesByClass) {
    }

    static Histogram histogram(String jcmdOutput) {
        Map<String, Long> byClass = new LinkedHashMap<>();
        long total = -1;
        for (String line : jcmdOutput.split("\n")) {
            Matcher row = HISTOGRAM_ROW.matcher(line);
            if (row.find()) {
                byClass.merge(row.group(3), Long.parseLong(row.group(2)), Long::sum);
                continue;
            }
            Matcher t = HISTOGRAM_TOTAL.matcher(line);
            if (t.find()) {
                total = Long.parseLong(t.group(2));
            }
        }
        if (total < 0) {
            throw new IllegalArgumentException("no Total line in the class histogram");
        }
        return new Histogram(total, byClass);
    }

    /**
     * Committed kB per Native Memory Tracking category ({@code VM.native_memory summary scale=KB}), "Total" first.
     * Categories under 1 kB are left out by the JVM; a category missing on one side counts as 0.
     */
    static Map<String, Long> nmtCommittedKb(String jcmdOutput) {
        Map<String, Long> committed = new LinkedHashMap<>();
        for (String line : jcmdOutput.split("\n")) {
            Matcher total = NMT_TOTAL.matcher(line);
            if (total.find()) {
                committed.put("Total", Long.parseLong(total.group(2)));
                continue;
            }
            Matcher category = NMT_CATEGORY.matcher(line);
            if (category.find()) {
                committed.put(category.group(1).strip(), Long.parseLong(category.group(3)));
            }
        }
        if (!committed.containsKey("Total")) {
            throw new IllegalArgumentException("not an NMT summary (is -XX:NativeMemoryTracking=summary on?): "
                    + jcmdOutput.strip().lines().findFirst().orElse(""));
        }
        return committed;
    }

    /** {@code after − before} per key (keys of either side; a missing one is 0), in the order of {@code after}. */
    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new LinkedHashMap<>();
        after.forEach((k, v) -> d.put(k, v - before.getOrDefault(k, 0L)));
        before.forEach((k, v) -> d.putIfAbsent(k, -v));
        return d;
    }
}
