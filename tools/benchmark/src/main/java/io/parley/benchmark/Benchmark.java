package io.parley.benchmark;

/** One measured part of the platform. */
interface Benchmark {

    String name();

    /** Measures for about {@code seconds} and prints the figures. */
    void run(int seconds) throws Exception;

    static void report(String what, double value, String unit, String target) {
        System.out.printf("%-52s %14.2f %-8s %s%n", what, value, unit, target == null ? "" : "(target " + target + ")");
    }
}
