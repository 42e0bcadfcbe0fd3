package io.parley.loadgen;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line flags. Every size, rate and duration of a scenario can be overridden, so each scenario can be
 * scaled down for a quick check; {@link #forScenario} fills in the scenario's defaults for what was not given.
 */
final class Options {

    static final String USAGE = """
            usage: LoadgenMain [fanout|direct|idle|saturation|topics] [flags]

              --auth-url URL          auth-service (default http://127.0.0.1:8081)
              --chat-urls URL,URL     chat-service nodes; clients are spread over them (default http://127.0.0.1:8080)
              --clients N             connected clients (fanout/direct/saturation/topics: 2000, idle: 18000)
              --groups N              groups in the fan-out topology (default 20); members = clients / groups
              --rate R                messages/s per sender (fanout: 50, direct: 2)
              --steps R,R,...         saturation rates per sender (default 5,10,12,14,16,20,25,30,40,50,60,80,100,120,160,200)
              --duration S            seconds of sending per scenario or step (fanout/direct/topics: 20, saturation: 10);
                                      idle: seconds the connections are held, covering a server ping (default 30)
              --drain S               at most this long after sending stops to wait for outstanding deliveries (default 5)
              --warmup S              unmeasured traffic before the measured window, the first half at a third of the
                                      rate, the second at the rate (default 30; compilerCpuPct shows the JIT finished)
              --warmup-jit-pct P      after --warmup, 10 s more at the rate while a node's compiler threads took at least
                                      P % of its CPU over the last stretch (default 5; 0: never)
              --warmup-extra-max S    at most this many seconds of that (default 180)
              --ack POLICY            coalesced (default): one cumulative ack per conversation at most every --ack-delay-ms,
                                      the highest contiguous seq; per-message: one ack frame per message
              --ack-delay-ms MS       coalesced acks: the delay started by a conversation's first unacknowledged seq (default 150)
              --deflate               clients offer permessage-deflate (as browsers do); the line counts who accepted
              --body-bytes N          message body size; topics: publication data size (default 100)
              --topics N              topics: topics of the app, client i subscribes to topic i mod N (default 10)
              --pub-rate R            topics: publications/s in total, round-robin over the topics (default 200)
              --pub-concurrency N     topics: publish requests in flight at most (default 32)
              --binary                topics: every other client pair takes the parley.cbor.v1 subprotocol (CBOR frames)
              --admin-key KEY         topics: auth-service X-Admin-Key to create the app (default: $LOADGEN_ADMIN_KEY)
              --max-p99-ms MS         saturation stops after the first step whose delivery p99 exceeds this (default 100)
              --idle-nodes N          idle: how many chat nodes take the connections (default 1: "what one node holds")
              --idle-warmup-clients N idle: connections opened and closed on those nodes before the "before" memory
                                      reading, so the figures are what one more connection costs a warm node
                                      (default min(clients, 4000); 0: no warm-up, the cold node's figures)
              --event-loops N         generator event-loop threads (default 2)
              --connect-concurrency N WebSocket upgrades in flight (default 200)
              --setup-concurrency N   register/login requests in flight (default 32)
              --tick-ms MS            sender scheduler tick (default 5)
              --ping-seconds S        each client sends {"type":"ping"} this often (default 20)
              --settle-ms MS          pause between connecting and measuring, for subscriptions to settle (default 1000)
              --pid NAME=PID          a server process whose CPU and RSS are reported; NAME chat-* counts as chat-service
              --clk-tck N             clock ticks per second of /proc/<pid>/stat (default 100; getconf CLK_TCK)
              --redis-port P          the platform's Redis on 127.0.0.1: redisPerMessage (INFO commandstats per message)
              --meta KEY=VALUE        copied into every JSON line under "env" (durability, bcrypt cost, ...)
              --max-seconds S         hard bound on the whole run; past it the generator prints an error line and exits
            """;

    /** The idle warm-up round's default size, when --clients is larger. */
    static final int DEFAULT_IDLE_WARMUP = 4000;

    String scenario = "fanout";
    String authUrl = "http://127.0.0.1:8081";
    List<String> chatUrls = List.of("http://127.0.0.1:8080");
    Integer clients;
    int groups = 20;
    Double rate;
    double[] steps = {5, 10, 12, 14, 16, 20, 25, 30, 40, 50, 60, 80, 100, 120, 160, 200};
    Integer durationSeconds;
    int drainSeconds = 5;
    /** Unmeasured traffic before the measured window, so the servers are past JIT warm-up (default 30 s). */
    Integer warmupSeconds;
    /** A node whose JIT took at least this share of its CPU is not at steady state yet: warm up longer (0: never). */
    double warmupJitPct = 5;
    int warmupExtraMaxSeconds = 180;
    AckPolicy ackPolicy = AckPolicy.COALESCED;
    int ackDelayMillis = 150;
    boolean deflate;
    int bodyBytes = 100;
    double maxP99Millis = 100;
    int idleNodes = 1;
    /** idle: the warm-up round's connections (default min(clients, 4000); 0: none). */
    Integer idleWarmupClients;
    int eventLoops = 2;
    int connectConcurrency = 200;
    int setupConcurrency = 32;
    int tickMillis = 5;
    int pingSeconds = 20;
    int settleMillis = 1000;
    final Map<String, Integer> pids = new LinkedHashMap<>();
    int clockTicks = 100;
    /** The platform's Redis on 127.0.0.1 (0: none): its INFO commandstats per message in each measured window. */
    int redisPort = 0;
    final Map<String, String> meta = new LinkedHashMap<>();
    Integer maxSeconds;
    int topics = 10;
    double pubRate = 200;
    int pubConcurrency = 32;
    boolean binary;
    String adminKey = System.getenv("LOADGEN_ADMIN_KEY");

    static Options parse(String[] args) {
        Options o = new Options();
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        if (!rest.isEmpty() && !rest.get(0).startsWith("--")) {
            o.scenario = rest.remove(0);
        }
        for (int i = 0; i < rest.size(); i++) {
            String flag = rest.get(i);
            if (flag.equals("--help") || flag.equals("-h")) {
                throw new IllegalArgumentException("help");
            }
            if (flag.equals("--binary") || flag.equals("--deflate")) { // the flags without a value
                o.binary |= flag.equals("--binary");
                o.deflate |= flag.equals("--deflate");
                continue;
            }
            if (i + 1 >= rest.size()) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String v = rest.get(++i);
            switch (flag) {
                case "--scenario" -> o.scenario = v;
                case "--auth-url" -> o.authUrl = v;
                case "--chat-urls" -> o.chatUrls = List.of(v.split(","));
                case "--clients" -> o.clients = positive(flag, Integer.parseInt(v));
                case "--groups" -> o.groups = positive(flag, Integer.parseInt(v));
                case "--rate" -> o.rate = Double.parseDouble(v);
                case "--steps" -> o.steps = Arrays.stream(v.split(",")).mapToDouble(Double::parseDouble).toArray();
                case "--duration" -> o.durationSeconds = positive(flag, Integer.parseInt(v));
                case "--drain" -> o.drainSeconds = Integer.parseInt(v);
                case "--warmup" -> o.warmupSeconds = Integer.parseInt(v);
                case "--warmup-jit-pct" -> o.warmupJitPct = Double.parseDouble(v);
                case "--warmup-extra-max" -> o.warmupExtraMaxSeconds = Integer.parseInt(v);
                case "--ack" -> o.ackPolicy = AckPolicy.parse(v);
                case "--ack-delay-ms" -> o.ackDelayMillis = positive(flag, Integer.parseInt(v));
                case "--body-bytes" -> o.bodyBytes = positive(flag, Integer.parseInt(v));
                case "--max-p99-ms" -> o.maxP99Millis = Double.parseDouble(v);
                case "--idle-nodes" -> o.idleNodes = positive(flag, Integer.parseInt(v));
                case "--idle-warmup-clients" -> {
                    o.idleWarmupClients = Integer.parseInt(v);
                    if (o.idleWarmupClients < 0) {
                        throw new IllegalArgumentException(flag + " must be 0 or more");
                    }
                }
                case "--event-loops" -> o.eventLoops = positive(flag, Integer.parseInt(v));
                case "--connect-concurrency" -> o.connectConcurrency = positive(flag, Integer.parseInt(v));
                case "--setup-concurrency" -> o.setupConcurrency = positive(flag, Integer.parseInt(v));
                case "--tick-ms" -> o.tickMillis = positive(flag, Integer.parseInt(v));
                case "--ping-seconds" -> o.pingSeconds = positive(flag, Integer.parseInt(v));
                case "--settle-ms" -> o.settleMillis = Integer.parseInt(v);
                case "--pid" -> {
                    String[] kv = keyValue(flag, v);
                    if (!kv[1].isBlank()) {
                        o.pids.put(kv[0], Integer.parseInt(kv[1]));
                    }
                }
                case "--clk-tck" -> o.clockTicks = positive(flag, Integer.parseInt(v));
                case "--redis-port" -> o.redisPort = positive(flag, Integer.parseInt(v));
                case "--meta" -> {
                    String[] kv = keyValue(flag, v);
                    o.meta.put(kv[0], kv[1]);
                }
                case "--max-seconds" -> o.maxSeconds = positive(flag, Integer.parseInt(v));
                case "--topics" -> o.topics = positive(flag, Integer.parseInt(v));
                case "--pub-rate" -> {
                    o.pubRate = Double.parseDouble(v);
                    if (!(o.pubRate > 0)) {
                        throw new IllegalArgumentException(flag + " must be positive");
                    }
                }
                case "--pub-concurrency" -> o.pubConcurrency = positive(flag, Integer.parseInt(v));
                case "--admin-key" -> o.adminKey = v;
                default -> throw new IllegalArgumentException("unknown flag " + flag);
            }
        }
        return o.forScenario();
    }

    private Options forScenario() {
        switch (scenario) {
            case "fanout" -> {
                clients = clients == null ? 2000 : clients;
                rate = rate == null ? 50 : rate;
                durationSeconds = durationSeconds == null ? 20 : durationSeconds;
            }
            case "direct" -> {
                clients = clients == null ? 2000 : clients;
                rate = rate == null ? 2 : rate;
                durationSeconds = durationSeconds == null ? 20 : durationSeconds;
            }
            case "idle" -> {
                // 18,000: what one node should hold under the 20,000 open-file limit per process
                clients = clients == null ? 18_000 : clients;
                rate = 0.0;
                // the hold covers the server's 20 s ping interval, so its CPU figure includes the periodic work
                durationSeconds = durationSeconds == null ? 30 : durationSeconds;
                warmupSeconds = 0;
                // the warm-up round reuses the first clients (already registered), so it cannot exceed them
                idleWarmupClients = Math.min(clients, idleWarmupClients == null ? DEFAULT_IDLE_WARMUP : idleWarmupClients);
            }
            case "saturation" -> {
                clients = clients == null ? 2000 : clients;
                rate = steps[0];
                durationSeconds = durationSeconds == null ? 10 : durationSeconds;
            }
            case "topics" -> {
                clients = clients == null ? 2000 : clients;
                rate = pubRate;
                durationSeconds = durationSeconds == null ? 20 : durationSeconds;
                if (adminKey == null || adminKey.isBlank()) {
                    throw new IllegalArgumentException("topics needs auth-service's admin key: --admin-key or $LOADGEN_ADMIN_KEY");
                }
                if (topics > 100_000) {
                    throw new IllegalArgumentException("--topics at most 100000");
                }
            }
            default -> throw new IllegalArgumentException("unknown scenario " + scenario
                    + " (fanout, direct, idle, saturation, topics)");
        }
        warmupSeconds = warmupSeconds == null ? 30 : warmupSeconds;
        if (usesGroups() && clients < groups * 2) {
            throw new IllegalArgumentException("--clients must be at least 2 x --groups");
        }
        if (maxSeconds == null) {
            // generous: setup of 10,000 users, every step, drains; still a bound the run cannot outlive
            int phases = scenario.equals("saturation") ? steps.length : 1;
            maxSeconds = 300 + clients / 20 + warmupSeconds + (warmupSeconds > 0 ? warmupExtraMaxSeconds + 30 : 0) + (scenario.equals("idle") ? 120 + 60 + idleWarmupClients / 20 : 0) + drainSeconds + phases * (durationSeconds + drainSeconds + 5);
        }
        return this;
    }

    /** How received messages are acknowledged. */
    enum AckPolicy {
        COALESCED("coalesced"), PER_MESSAGE("per-message");

        final String flag;

        AckPolicy(String flag) {
            this.flag = flag;
        }

        static AckPolicy parse(String v) {
            for (AckPolicy p : values()) {
                if (p.flag.equals(v)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("--ack takes coalesced or per-message");
        }
    }

    boolean usesGroups() {
        return scenario.equals("fanout") || scenario.equals("saturation");
    }

    int groupSize() {
        return clients / groups;
    }

    private static int positive(String flag, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(flag + " must be positive");
        }
        return value;
    }

    private static String[] keyValue(String flag, String v) {
        int eq = v.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException(flag + " takes KEY=VALUE");
        }
        return new String[] {v.substring(0, eq), v.substring(eq + 1)};
    }
}
