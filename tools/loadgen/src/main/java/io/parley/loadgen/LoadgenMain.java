package io.parley.loadgen;

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
            resilience(args);
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            if (!"help".equals(e.getMessage())) {
                System.err.println("error: " + e.getMessage());
            }
            System.err.print(Options.USAGE);
            System.exit("help".equals(e.getMessage()) ? 0 : 2);
            return;
        }
        watchdog(options.scenario, options.maxSeconds);
        int code;
        try {
            code = new Loadgen(options, System.out).run();
        } catch (Exception e) {
            System.out.println(new Report().put("scenario", options.scenario)
                    .put("error", String.valueOf(e.getMessage())).toJson());
            e.printStackTrace();
            code = 1;
        }
        System.out.flush();
        System.exit(code);
    }

    /** The faults and soak scenarios: checking clients, their own flags. */
    private static void resilience(String[] args) {
        ResilienceOptions options;
        try {
            options = ResilienceOptions.parse(args);
        } catch (IllegalArgumentException e) {
            if (!"help".equals(e.getMessage())) {
                System.err.println("error: " + e.getMessage());
            }
            System.err.print(ResilienceOptions.USAGE);
            System.exit("help".equals(e.getMessage()) ? 0 : 2);
            return;
        }
        watchdog(options.scenario, options.maxSeconds);
        int code;
        try {
            code = options.scenario.equals("soak") ? new Soak(options, System.out).run()
                    : new Faults(options, System.out).run();
        } catch (Exception e) {
            System.out.println(new Report().put("scenario", options.scenario)
                    .put("error", String.valueOf(e.getMessage())).toJson());
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
