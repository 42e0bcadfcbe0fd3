package io.parley.loadgen;

import java.util.function.Function;

/**
 * The chat load generator. Run through {@code ./parley loadtest [scenario] [flags]} (scripts/loadtest.sh), which
 * starts an isolated platform with two chat-service nodes and passes the process ids to measure. Prints one JSON
 * line per scenario (and per saturation step) on stdout; progress and errors go to stderr.
 */
public final class LoadgenMain {

    private LoadgenMain() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("faults") || args[0].equals("soak"))) {
            // the faults and soak scenarios: checking clients, their own flags
            ResilienceOptions options = parse(ResilienceOptions::parse, args, ResilienceOptions.USAGE);
            run(options.scenario, options.maxSeconds, () -> options.scenario.equals("soak")
                    ? new Soak(options, System.out).run() : new Faults(options, System.out).run());
            return;
        }
        Options options = parse(Options::parse, args, Options.USAGE);
        run(options.scenario, options.maxSeconds, () -> new Loadgen(options, System.out).run());
    }

    /** A scenario run: returns the process's exit code. */
    @FunctionalInterface
    private interface Scenario {
        int run() throws Exception;
    }

    /** The flags, or the usage on stderr and an exit: 0 for {@code help}, 2 for a bad flag. */
    private static <T> T parse(Function<String[], T> parser, String[] args, String usage) {
        try {
            return parser.apply(args);
        } catch (IllegalArgumentException e) {
            if (!"help".equals(e.getMessage())) {
                System.err.println("error: " + e.getMessage());
            }
            System.err.print(usage);
            System.exit("help".equals(e.getMessage()) ? 0 : 2);
            throw e; // not reached
        }
    }

    /** Runs a scenario under the watchdog; a failure is reported as a JSON line with {@code error}, exit code 1. */
    private static void run(String scenario, int maxSeconds, Scenario body) {
        watchdog(scenario, maxSeconds);
        int code;
        try {
            code = body.run();
        } catch (Exception e) {
            System.out.println(new Report().put("scenario", scenario).put("error", String.valueOf(e.getMessage())).toJson());
            e.printStackTrace();
            code = 1;
        }
        System.out.flush();
        System.exit(code);
    }

    /** The generator always ends by itself: past --max-seconds it reports and exits, whatever it was doing. */
    private static void watchdog(String scenario, int maxSeconds) {
        Thread dog = new Thread(() -> {
            try {
                Thread.sleep(maxSeconds * 1000L);
            } catch (InterruptedException e) {
                return;
            }
            System.out.println(new Report().put("scenario", scenario)
                    .put("error", "timed out after " + maxSeconds + " s (--max-seconds)").toJson());
            System.out.flush();
            Runtime.getRuntime().halt(3);
        }, "loadgen-watchdog");
        dog.setDaemon(true);
        dog.start();
    }
}
