package io.parley.benchmark;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/** Ids over HTTP from the running id-service, in batches, from several concurrent callers. */
final class HttpIdBenchmark implements Benchmark {

    private static final int CALLERS = 4;
    private static final int[] BATCHES = {1, 100, 1000};
    private final String idUrl;

    HttpIdBenchmark(String idUrl) {
        this.idUrl = idUrl;
    }

    @Override
    public String name() {
        return "ids-http";
    }

    @Override
    public void run(int seconds) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
        try {
            for (int batch : BATCHES) {
                measure(http, pool, "/api/v1/ids?user=7&count=" + batch, batch, 1); // warm-up
                Result ids = measure(http, pool, "/api/v1/ids?user=7&count=" + batch, batch, seconds);
                Benchmark.report("34-char ids over HTTP, count=" + batch + ", " + CALLERS + " callers",
                        ids.perSecond, "ids/s", batch == 1000 ? ">= 20,000 ids/s" : null);
                Benchmark.report("  request latency, mean", ids.meanMillis, "ms", null);
            }
            Result snowflakes = measure(http, pool, "/api/v1/snowflakes?count=1000", 1000, seconds);
            Benchmark.report("snowflakes over HTTP, count=1000, " + CALLERS + " callers", snowflakes.perSecond, "ids/s", null);
        } finally {
            pool.shutdownNow();
        }
    }

    private record Result(double perSecond, double meanMillis) {
    }

    private Result measure(HttpClient http, ExecutorService pool, String path, int batch, int seconds) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(idUrl + path)).GET().build();
        AtomicLong requests = new AtomicLong();
        AtomicLong nanos = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Future<?>> callers = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < CALLERS; c++) {
            callers.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
                    }
                    nanos.addAndGet(System.nanoTime() - t0);
                    requests.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> caller : callers) {
            caller.get();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Result(requests.get() * batch / elapsed, nanos.get() / 1e6 / Math.max(1, requests.get()));
    }
}
