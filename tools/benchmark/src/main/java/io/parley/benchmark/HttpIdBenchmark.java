package io.parley.benchmark;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Ids over HTTP from the running id-service: single ids (one caller, then several) and batches, each caller on
 * its own keep-alive connection ({@link KeepAliveHttpConnection} — the JDK's HttpClient cost more than the server
 * per single-id request and was what the count=1 figure used to measure).
 */
final class HttpIdBenchmark implements Benchmark {

    private static final int CALLERS = 4;
    private static final int[] BATCHES = {100, 1000};
    private final URI idUrl;

    HttpIdBenchmark(String idUrl) {
        this.idUrl = URI.create(idUrl);
    }

    @Override
    public String name() {
        return "ids-http";
    }

    @Override
    public void run(int seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
        try {
            String single = "/api/v1/ids?user=7&count=1";
            measure(pool, single, 1, CALLERS, seconds); // warm-up: the JIT of both sides, first on the hot path
            Result alone = measure(pool, single, 1, 1, seconds);
            Benchmark.report("34-char ids over HTTP, count=1, 1 caller", alone.perSecond, "ids/s", null);
            reportLatency(alone, "< 1 ms");
            Result shared = measure(pool, single, 1, CALLERS, seconds);
            Benchmark.report("34-char ids over HTTP, count=1, " + CALLERS + " callers", shared.perSecond, "ids/s", null);
            reportLatency(shared, "< 1 ms");
            for (int batch : BATCHES) {
                String path = "/api/v1/ids?user=7&count=" + batch;
                measure(pool, path, batch, CALLERS, 1); // warm-up
                Result ids = measure(pool, path, batch, CALLERS, seconds);
                Benchmark.report("34-char ids over HTTP, count=" + batch + ", " + CALLERS + " callers",
                        ids.perSecond, "ids/s", batch == 1000 ? ">= 20,000 ids/s" : null);
                reportLatency(ids, null);
            }
            String snowflakes = "/api/v1/snowflakes?count=1000";
            measure(pool, snowflakes, 1000, CALLERS, 1); // warm-up
            Result flakes = measure(pool, snowflakes, 1000, CALLERS, seconds);
            Benchmark.report("snowflakes over HTTP, count=1000, " + CALLERS + " callers", flakes.perSecond, "ids/s", null);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void reportLatency(Result result, String meanTarget) {
        System.out.printf("%-52s %14.3f %-8s %s%n", "  request latency, mean", result.meanMillis, "ms",
                meanTarget == null ? "" : "(target " + meanTarget + ")");
        System.out.printf("%-52s %14.3f %-8s%n", "  request latency, p99", result.p99Millis, "ms");
    }

    private record Result(double perSecond, double meanMillis, double p99Millis) {
    }

    /** {@code callers} threads, each on its own connection, requesting {@code path} back to back. */
    private Result measure(ExecutorService pool, String path, int idsPerRequest, int callers, int seconds)
            throws Exception {
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        List<Future<long[]>> running = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            running.add(pool.submit(() -> call(path, end)));
        }
        List<long[]> latencies = new ArrayList<>();
        for (Future<long[]> caller : running) {
            latencies.add(caller.get());
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        long requests = Math.max(1, all.length);
        double mean = Arrays.stream(all).sum() / 1e6 / requests;
        double p99 = all.length == 0 ? 0 : all[(int) Math.min(all.length - 1, Math.ceil(all.length * 0.99) - 1)] / 1e6;
        return new Result(all.length * (double) idsPerRequest / elapsed, mean, p99);
    }

    /** One caller: requests until {@code end}; returns each request's latency in nanoseconds. */
    private long[] call(String path, long end) throws Exception {
        long[] latencies = new long[1 << 14];
        int n = 0;
        try (KeepAliveHttpConnection connection = new KeepAliveHttpConnection(idUrl)) {
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                KeepAliveHttpConnection.Response response = connection.get(path);
                long took = System.nanoTime() - t0;
                if (response.status() != 200 || !response.body().startsWith("{\"ids\":[")) {
                    throw new IllegalStateException(path + " answered " + response.status() + ": " + response.body());
                }
                if (n == latencies.length) {
                    latencies = Arrays.copyOf(latencies, n * 2);
                }
                latencies[n++] = took;
            }
        }
        return Arrays.copyOf(latencies, n);
    }
}
