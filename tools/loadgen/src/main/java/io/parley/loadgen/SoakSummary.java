package io.parley.loadgen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The soak's Redis arithmetic: bytes of Redis per hot conversation, and whether a figure levelled off — its growth
 * over the last third of the run against its growth over the first third. Series are indexed by minute, index 0
 * being the baseline (after setup, before the traffic).
 */
final class SoakSummary {

    /** Last-third growth at most this share of the first third's: levelled off. */
    static final double LEVELLED_SHARE = 0.10;

    private SoakSummary() {
    }

    /**
     * {@code (usedMemory - baseline) / hotConversations}, rounded; null without hot conversations (a conversation is
     * hot while its log is in Redis).
     */
    static Long bytesPerHotConversation(long usedMemory, long baseline, long hotConversations) {
        return hotConversations <= 0 ? null : Math.round((double) (usedMemory - baseline) / hotConversations);
    }

    /** Minutes in a third of a run of {@code minutes} (at least 1, rounded up). */
    static int third(int minutes) {
        return Math.max(1, (minutes + 2) / 3);
    }

    /**
     * For a series {@code v[0..n]} (0: the baseline): {@code firstThird} = v[k] − v[0], {@code lastThird} = v[n] −
     * v[n−k] (k = {@link #third}), both also per minute; {@code lastOverFirst} their ratio (null if the first third did
     * not grow); {@code levelledOff}: the last third grew by at most {@value #LEVELLED_SHARE} of the first (or, if the
     * first did not grow, not at all). Null for a series of fewer than two values.
     */
    static Map<String, Object> levelling(List<Long> series) {
        int n = series.size() - 1;
        if (n < 1) {
            return null;
        }
        int k = third(n);
        long first = series.get(Math.min(k, n)) - series.get(0);
        long last = series.get(n) - series.get(Math.max(0, n - k));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("start", series.get(0));
        f.put("end", series.get(n));
        f.put("thirdMinutes", k);
        f.put("firstThird", first);
        f.put("lastThird", last);
        f.put("firstThirdPerMinute", Report.round((double) first / k, 1));
        f.put("lastThirdPerMinute", Report.round((double) last / k, 1));
        f.put("lastOverFirst", first > 0 ? Report.round((double) last / first, 3) : null);
        f.put("levelledOff", first > 0 ? last <= LEVELLED_SHARE * first : last <= 0);
        return f;
    }

    /**
     * Per key kind, of census maps by minute (index 0: the baseline): the kinds whose count grew over the last
     * third, with that growth ({@code kind → lastThird}), largest first.
     */
    static Map<String, Long> growingKinds(List<Map<String, Long>> censuses) {
        int n = censuses.size() - 1;
        if (n < 1) {
            return Map.of();
        }
        int k = third(n);
        Map<String, Long> before = censuses.get(Math.max(0, n - k));
        Map<String, Long> after = censuses.get(n);
        Map<String, Long> growth = new TreeMap<>();
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long g = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (g > 0) {
                growth.put(e.getKey(), g);
            }
        }
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(growth.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        Map<String, Long> ordered = new LinkedHashMap<>();
        sorted.forEach(e -> ordered.put(e.getKey(), e.getValue()));
        return ordered;
    }
}
