package io.parley.benchmark;

import java.util.ArrayList;
import java.util.List;

/**
 * Prints Parley's performance figures. Run through {@code ./parley bench}, which starts the platform
 * first. Each part prints its own lines; the targets from the issues are printed beside the figures.
 *
 * <pre>
 * usage: BenchmarkMain [--id-url http://127.0.0.1:8084] [--seconds 5] [--only tokens|filter|ids-local|ids-http|relay]
 * </pre>
 */
public final class BenchmarkMain {

    private BenchmarkMain() {
    }

    public static void main(String[] args) throws Exception {
        String idUrl = "http://127.0.0.1:8084";
        int seconds = 5;
        String only = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--id-url" -> idUrl = args[++i];
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--only" -> only = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        List<Benchmark> benchmarks = new ArrayList<>(List.of(
                new TokenVerifyBenchmark(),
                new FilterBenchmark(),
                new LocalIdBenchmark(idUrl),
                new HttpIdBenchmark(idUrl), new RelayBenchmark()));
        System.out.printf("Parley benchmark — %d cores, Java %s, %d s per measurement%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), seconds);
        for (Benchmark benchmark : benchmarks) {
            if (only == null || only.equals(benchmark.name())) {
                System.out.println();
                System.out.println("## " + benchmark.name());
                benchmark.run(seconds);
            }
        }
        System.exit(0);
    }
}
