package io.parley.loadgen;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * The soak's key census: every Redis key (from {@code SCAN}) counted under its <em>kind</em> — its name with ids,
 * bucket numbers, user ids, device ids and hash-tag contents replaced by {@code *}, so
 * {@code chat:{s17}:d:42:97:sent:42:old} is {@code chat:{s*}:d:*:*:sent:*:old}. A kind is also a valid
 * {@code SCAN MATCH} pattern for its keys. A few keys of each kind are kept as samples for {@code MEMORY USAGE}.
 *
 * <p>The names are those of chat-service's {@code RedisKeys} (conversation keys {@code chat:{s<bucket>}:<conv>:…},
 * bucket keys {@code chat:{s<bucket>}:dirty|seqs-whole|writer|…}, user keys {@code chat:{u:<user>}:…}, nodes,
 * topics, apps, {@code notify:{u:<user>}:…}), common's {@code SharedKeys} ({@code presence:{<user>}…},
 * {@code notify:outbox}, {@code parley:send-blocked}) and {@code SessionKeys} ({@code auth:session:{<id>}}),
 * auth-service's ({@code auth:user:{<id>}:sessions}, {@code auth:ratelimit:login:…:{<who>}}) and id-service's
 * ({@code parley:id:{worker:<n>}:lease|hwm}); a key of any other name is normalised by the same rules.
 */
final class RedisCensus {

    /** Kind → keys of that kind. */
    final Map<String, Long> counts = new TreeMap<>();
    /** Kind → up to {@code samplesPerKind} of its keys, chosen uniformly (reservoir). */
    final Map<String, List<String>> samples = new TreeMap<>();

    private RedisCensus() {
    }

    /** Counts {@code keys} (duplicates, which SCAN may return, counted once) by kind. */
    static RedisCensus of(Collection<String> keys, int samplesPerKind, Random random) {
        RedisCensus c = new RedisCensus();
        Set<String> seen = new HashSet<>(keys.size() * 2);
        for (String key : keys) {
            if (key.isEmpty() || !seen.add(key)) {
                continue;
            }
            String kind = kind(key);
            long n = c.counts.merge(kind, 1L, Long::sum);
            if (samplesPerKind > 0) {
                List<String> s = c.samples.computeIfAbsent(kind, k -> new ArrayList<>());
                if (s.size() < samplesPerKind) {
                    s.add(key);
                } else {
                    long slot = (long) (random.nextDouble() * n);
                    if (slot < samplesPerKind) {
                        s.set((int) slot, key);
                    }
                }
            }
        }
        return c;
    }

    /**
     * Estimated bytes per kind: the mean {@code MEMORY USAGE} of its samples × its key count (samples that had
     * gone, null, are left out; a kind with no measured sample is left out).
     */
    Map<String, Long> estimatedBytes(Map<String, Long> usageByKey) {
        Map<String, Long> bytes = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : samples.entrySet()) {
            long sum = 0;
            int measured = 0;
            for (String key : e.getValue()) {
                Long b = usageByKey.get(key);
                if (b != null) {
                    sum += b;
                    measured++;
                }
            }
            if (measured > 0) {
                bytes.put(e.getKey(), Math.round((double) sum / measured * counts.get(e.getKey())));
            }
        }
        return bytes;
    }

    /** Every sample key, in kind order. */
    List<String> sampleKeys() {
        List<String> all = new ArrayList<>();
        samples.values().forEach(all::addAll);
        return all;
    }

    /**
     * The kind of a key: hash tags {@code {s<digits>}} and {@code {<letters>:<digits>}} keep their letters
     * ({@code {s*}}, {@code {u:*}}, {@code {worker:*}}), any other tag becomes {@code {*}}; outside tags, a segment (between colons) that is a
     * number or looks like a generated id (UUID, long hex) becomes {@code *}, as do the segment after {@code dev}
     * (a device id) and the two after {@code posted} (an app and a notification id).
     */
    static String kind(String key) {
        List<String> segments = segments(key);
        StringBuilder out = new StringBuilder(key.length());
        int wildcardNext = 0;
        for (int i = 0; i < segments.size(); i++) {
            String s = segments.get(i);
            String n;
            if (wildcardNext > 0) {
                n = s.startsWith("{") ? "{*}" : "*";
                wildcardNext--;
            } else if (s.startsWith("{") && s.endsWith("}")) {
                n = tag(s.substring(1, s.length() - 1));
            } else if (looksLikeId(s)) {
                n = "*";
            } else {
                n = s;
                if (i > 0 && s.equals("dev")) {
                    wildcardNext = 1;
                } else if (i > 0 && s.equals("posted")) {
                    wildcardNext = 2;
                }
            }
            if (i > 0) {
                out.append(':');
            }
            out.append(n);
        }
        return out.toString();
    }

    /** Splits at the colons outside hash tags ({@code {u:1}} stays one segment). */
    private static List<String> segments(String key) {
        List<String> segments = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < key.length(); i++) {
            char ch = key.charAt(i);
            if (ch == '{') {
                depth++;
            } else if (ch == '}' && depth > 0) {
                depth--;
            } else if (ch == ':' && depth == 0) {
                segments.add(key.substring(start, i));
                start = i + 1;
            }
        }
        segments.add(key.substring(start));
        return segments;
    }

    private static String tag(String inner) {
        int digits = inner.length();
        while (digits > 0 && Character.isDigit(inner.charAt(digits - 1))) {
            digits--;
        }
        if (digits < inner.length()) {
            String prefix = inner.substring(0, digits);
            if (prefix.equals("s") || prefix.matches("[a-z]{1,10}:")) {
                return "{" + prefix + "*}";
            }
        }
        return "{*}";
    }

    private static boolean looksLikeId(String s) {
        if (s.isEmpty()) {
            return false;
        }
        boolean digitsOnly = true;
        boolean hasDigit = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            digitsOnly &= Character.isDigit(ch);
            hasDigit |= Character.isDigit(ch);
        }
        if (digitsOnly) {
            return true;
        }
        // a UUID or a hash (hex with dashes), or a long token with digits
        return hasDigit && (s.length() >= 16 && s.matches("[0-9a-fA-F-]+") || s.length() >= 20);
    }
}
