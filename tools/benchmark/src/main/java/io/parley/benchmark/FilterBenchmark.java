package io.parley.benchmark;

import io.parley.common.text.WordMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Cost of the sensitive-word filter per message (what chat-service adds to every {@code send}): an Aho–Corasick
 * automaton over 10,000 words, masking 100-character messages — clean ones (the common case) and ones with a
 * listed word — on one thread.
 */
final class FilterBenchmark implements Benchmark {

    private static final int WORDS = 10_000;
    private static final int MESSAGES = 4_096;

    @Override
    public String name() {
        return "filter";
    }

    @Override
    public void run(int seconds) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<String> words = new ArrayList<>(WORDS);
        for (int i = 0; i < WORDS; i++) {
            words.add(randomWord(random, 4 + random.nextInt(6)));
        }
        long buildStart = System.nanoTime();
        WordMatcher matcher = new WordMatcher(words);
        double buildMillis = (System.nanoTime() - buildStart) / 1e6;

        String[] clean = new String[MESSAGES];
        String[] dirty = new String[MESSAGES];
        for (int i = 0; i < MESSAGES; i++) {
            // digits never appear in the (letter-only) word list: clean by construction
            StringBuilder text = new StringBuilder();
            while (text.length() < 100) {
                text.append(randomWord(random, 3 + random.nextInt(6))).append(random.nextInt(10)).append(' ');
            }
            clean[i] = text.substring(0, 100);
            dirty[i] = clean[i].substring(0, 50) + words.get(random.nextInt(WORDS)) + clean[i].substring(50 + 6);
        }
        double cleanNanos = measure(matcher, clean, seconds);
        double dirtyNanos = measure(matcher, dirty, seconds);
        Benchmark.report("filter: 10,000 words, clean 100-char message", cleanNanos / 1000, "µs", null);
        Benchmark.report("filter: 10,000 words, message with a listed word", dirtyNanos / 1000, "µs", null);
        Benchmark.report("filter: messages per second, one thread (clean)", 1e9 / cleanNanos, "/s", null);
        Benchmark.report("filter: building the automaton from 10,000 words", buildMillis, "ms", null);
    }

    private static double measure(WordMatcher matcher, String[] texts, int seconds) {
        long sink = 0;
        long warmEnd = System.nanoTime() + Math.max(1, seconds / 2) * 1_000_000_000L;
        int i = 0;
        while (System.nanoTime() < warmEnd) {
            sink += matcher.mask(texts[i++ & (MESSAGES - 1)], '*').length();
        }
        long count = 0;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            for (int k = 0; k < 1000; k++) {
                sink += matcher.mask(texts[i++ & (MESSAGES - 1)], '*').length();
            }
            count += 1000;
        }
        if (sink == 42) {
            System.out.print("");
        }
        return (System.nanoTime() - start) / (double) count;
    }

    private static String randomWord(ThreadLocalRandom random, int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = (char) ('a' + random.nextInt(26));
        }
        return new String(chars);
    }
}
