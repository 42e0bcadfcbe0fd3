package io.parley.loadgen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Flags of the faults and soak scenarios (the traffic scenarios' flags are {@link Options}). */
final class ResilienceOptions {

    static final List<String> ALL_FAULTS = List.of("chat-node-kill", "redis-restart-aof", "redis-restart-memory",
            "mariadb-outage", "subscription-cut", "auth-outage", "id-outage");

    static final String USAGE = """
            usage: LoadgenMain faults|soak [flags]

              --auth-url URL          auth-service (default http://127.0.0.1:8081)
              --chat-urls URL,URL     chat-service nodes (client i's home node is i mod nodes)
              --control SCRIPT        the platform's control script (scripts/loadtest-control.sh; loadtest.sh passes it)
              --clients N             checking clients, one user each (faults: 24, soak: 100)
              --group-size N          clients per group; every 4th message of a client goes to its group (faults: 6, soak: 10)
              --rate R                messages/s per client (faults: 2, soak: 1)
              --max-in-flight N       sends without `sent` a client keeps before it stops adding more (default 20)
              --resend-ms MS          also resend (same clientMsgId) a send without any answer after this (default 0: never,
                                      as the JS client: it resends after a reconnect and 1 s after UNAVAILABLE/RATE_LIMITED)
              faults:
              --faults A,B,...        which, in this order, repeats allowed (default all: %s)
              --outage S              seconds a stopped dependency stays down (MariaDB, auth, id; default 60)
              --before S              traffic before each fault (default 10)
              --after S               traffic after recovery, before the window's sends stop (default 10)
              --recovery-timeout S    at most this long to wait for full recovery (default 120)
              --drain S               at most this long, sends stopped, for the last answers and deliveries (default 60)
              soak:
              --duration MIN          minutes of traffic (default 30); one JSON line per minute
              --churn-per-minute N    connections closed (1000) and reopened per minute (default clients / 10)
              --new-conversations-share F
                                      share of a client's 1:1 messages sent to a random other client instead of
                                      client i+1, so new conversations keep starting and others go quiet (default 0)
              both:
              --meta KEY=VALUE        copied into every JSON line under "env"
              --max-seconds S         hard bound on the whole run (default: faults 3600, soak duration + 600)
            """.formatted(String.join(",", ALL_FAULTS));

    String scenario;
    String authUrl = "http://127.0.0.1:8081";
    List<String> chatUrls = List.of("http://127.0.0.1:8080");
    String control;
    Integer clients;
    Integer groupSize;
    Double rate;
    int maxInFlight = 20;
    long resendMillis = 0;
    List<String> faults = ALL_FAULTS;
    int outageSeconds = 60;
    int beforeSeconds = 10;
    int afterSeconds = 10;
    int recoveryTimeoutSeconds = 120;
    int drainSeconds = 60;
    int durationMinutes = 30;
    Double churnPerMinute;
    double newConversationsShare = 0;
    Integer maxSeconds;
    final Map<String, String> meta = new LinkedHashMap<>();

    static ResilienceOptions parse(String[] args) {
        ResilienceOptions o = new ResilienceOptions();
        o.scenario = args[0];
        for (int i = 1; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("-h") || flag.equals("--help")) {
                throw new IllegalArgumentException("help");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String v = args[++i];
            switch (flag) {
                case "--auth-url" -> o.authUrl = v;
                case "--chat-urls" -> o.chatUrls = List.of(v.split(","));
                case "--control" -> o.control = v;
                case "--clients" -> o.clients = positive(flag, v);
                case "--group-size" -> o.groupSize = positive(flag, v);
                case "--rate" -> o.rate = Double.parseDouble(v);
                case "--max-in-flight" -> o.maxInFlight = positive(flag, v);
                case "--resend-ms" -> o.resendMillis = Integer.parseInt(v);
                case "--faults" -> {
                    List<String> chosen = new ArrayList<>();
                    for (String f : v.split(",")) {
                        if (!ALL_FAULTS.contains(f)) {
                            throw new IllegalArgumentException("unknown fault " + f + " (" + ALL_FAULTS + ")");
                        }
                        chosen.add(f);
                    }
                    o.faults = chosen;
                }
                case "--outage" -> o.outageSeconds = positive(flag, v);
                case "--before" -> o.beforeSeconds = positive(flag, v);
                case "--after" -> o.afterSeconds = positive(flag, v);
                case "--recovery-timeout" -> o.recoveryTimeoutSeconds = positive(flag, v);
                case "--drain" -> o.drainSeconds = positive(flag, v);
                case "--duration" -> o.durationMinutes = positive(flag, v);
                case "--churn-per-minute" -> o.churnPerMinute = Double.parseDouble(v);
                case "--new-conversations-share" -> {
                    o.newConversationsShare = Double.parseDouble(v);
                    if (!(o.newConversationsShare >= 0 && o.newConversationsShare <= 1)) {
                        throw new IllegalArgumentException("--new-conversations-share must be between 0 and 1");
                    }
                }
                case "--meta" -> {
                    int eq = v.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--meta wants KEY=VALUE");
                    }
                    o.meta.put(v.substring(0, eq), v.substring(eq + 1));
                }
                case "--max-seconds" -> o.maxSeconds = positive(flag, v);
                // the traffic scenarios' process flags, passed by loadtest.sh to every scenario: not used here
                case "--pid", "--clk-tck", "--redis-port" -> { }
                default -> throw new IllegalArgumentException("unknown flag " + flag);
            }
        }
        boolean soak = o.scenario.equals("soak");
        if (o.clients == null) {
            o.clients = soak ? 100 : 24;
        }
        if (o.groupSize == null) {
            o.groupSize = soak ? 10 : 6;
        }
        if (o.rate == null) {
            o.rate = soak ? 1.0 : 2.0;
        }
        if (o.churnPerMinute == null) {
            o.churnPerMinute = o.clients / 10.0;
        }
        if (o.maxSeconds == null) {
            o.maxSeconds = soak ? o.durationMinutes * 60 + 600 : 3600;
        }
        if (o.clients < 2 || o.groupSize < 2) {
            throw new IllegalArgumentException("--clients and --group-size must be at least 2");
        }
        return o;
    }

    private static int positive(String flag, String v) {
        int n = Integer.parseInt(v);
        if (n <= 0) {
            throw new IllegalArgumentException(flag + " must be positive");
        }
        return n;
    }
}
