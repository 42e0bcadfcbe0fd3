package io.parley.loadgen;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * The topics scenario's publisher: the app's side, over REST. On its own event loop it posts
 * {@code POST /api/v1/apps/{appId}/topics/{topic}/publications} on a fixed schedule (open loop, like the senders:
 * it does not wait for one answer before the next request) at a total rate, publication {@code g} to topic
 * {@code g mod topics}, alternating the chat nodes, at most {@code concurrency} requests in flight. Each
 * publication's data is {@code t=<nanoTime at the request>;g=<g>;} padded: the subscribers in this JVM compute the
 * publish → delivery latency from it and count missing and duplicated deliveries by {@code g}.
 */
final class Publisher extends AbstractVerticle {

    private final List<Integer> ports;
    private final String token;
    private final String[] paths;
    private final int topics;
    private final int concurrency;
    private final int dataBytes;
    private final String padding;
    private final int tickMillis;

    private Context context;
    private WebClient http;
    private final StringBuilder body = new StringBuilder(256);

    private long nextG;
    private long phaseFirstG;
    private double rate;
    private long phaseStart;
    private long phaseEnd;
    private boolean publishing;
    private int inFlight;
    /** Every publication answered 202 (absolute g; kept over the run). */
    private final BitSet accepted = new BitSet();
    private Stats stats = new Stats();

    /** What the publisher did in one phase. */
    static final class Stats {
        long sent;
        long accepted;
        /** 429 answers (the topic's buffer shard is full). */
        long rateLimited;
        /** Answers by HTTP status, and failures by exception. */
        final Map<String, Long> outcomes = new TreeMap<>();
        /** The first few answers other than 202 and 429: status and body. */
        final Map<String, String> firstErrors = new TreeMap<>();
        /** Request written → 202 read. */
        final Histogram accept = new Histogram(PhaseStats.HIGHEST_MICROS, 3);
        /** Publications due by the schedule but not sent by its end (all requests in flight the whole time). */
        long behindAtEnd;
        long maxBehind;

        Stats copy() {
            Stats c = new Stats();
            c.sent = sent;
            c.accepted = accepted;
            c.rateLimited = rateLimited;
            c.outcomes.putAll(outcomes);
            c.firstErrors.putAll(firstErrors);
            c.accept.add(accept);
            c.behindAtEnd = behindAtEnd;
            c.maxBehind = maxBehind;
            return c;
        }
    }

    Publisher(List<Integer> ports, String appId, String token, String[] topicNames, int concurrency, int dataBytes,
              int tickMillis) {
        this.ports = ports;
        this.token = "Bearer " + token;
        this.topics = topicNames.length;
        this.paths = new String[topics];
        for (int k = 0; k < topics; k++) {
            paths[k] = "/api/v1/apps/" + appId + "/topics/" + topicNames[k] + "/publications";
        }
        this.concurrency = concurrency;
        this.dataBytes = dataBytes;
        this.padding = "x".repeat(dataBytes);
        this.tickMillis = tickMillis;
    }

    @Override
    public void start() {
        context = vertx.getOrCreateContext();
        http = WebClient.create(vertx, new WebClientOptions()
                .setMaxPoolSize(concurrency).setKeepAlive(true).setConnectTimeout(10_000).setIdleTimeout(60));
        vertx.setPeriodic(tickMillis, t -> tick());
    }

    @Override
    public void stop() {
        http.close();
    }

    /** Runs {@code task} on the publisher's event loop and waits (bounded) for its result. */
    <T> T call(Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(v -> {
            try {
                result.complete(task.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the publisher did not answer", e);
        }
    }

    /** Starts a phase: publish at {@code rate} per second in total from {@code start} until {@code end}; returns its first g. */
    long beginPhase(double rate, long start, long end) {
        stats = new Stats();
        this.rate = rate;
        this.phaseStart = start;
        this.phaseEnd = end;
        this.phaseFirstG = nextG;
        this.publishing = rate > 0;
        return phaseFirstG;
    }

    private void tick() {
        if (!publishing) {
            return;
        }
        long now = System.nanoTime();
        long until = Math.min(now, phaseEnd);
        long elapsed = until - phaseStart;
        if (elapsed < 0) {
            return;
        }
        long due = (long) (elapsed * rate / 1e9) + 1;
        long done = nextG - phaseFirstG;
        while (done < due && inFlight < concurrency) {
            publish(nextG++);
            done++;
        }
        stats.maxBehind = Math.max(stats.maxBehind, due - done);
        if (now >= phaseEnd) {
            stats.behindAtEnd = due - done;
            publishing = false;
        }
    }

    private void publish(long g) {
        int topic = (int) (g % topics);
        // alternate the nodes per round over the topics, so every topic is published through both
        int port = ports.get((int) ((g / topics) % ports.size()));
        long sentAt = System.nanoTime();
        String json = Frames.publishBody(body, g, sentAt, padding, dataBytes);
        inFlight++;
        stats.sent++;
        Stats phase = stats;
        http.post(port, "127.0.0.1", paths[topic])
                .putHeader("Authorization", token)
                .putHeader("Content-Type", "application/json")
                .timeout(10_000)
                .sendBuffer(Buffer.buffer(json))
                .onComplete(ar -> {
                    inFlight--;
                    if (ar.failed()) {
                        phase.outcomes.merge(ar.cause().getClass().getSimpleName(), 1L, Long::sum);
                        return;
                    }
                    int status = ar.result().statusCode();
                    phase.outcomes.merge(String.valueOf(status), 1L, Long::sum);
                    if (status == 202) {
                        accepted.set((int) g);
                        phase.accepted++;
                        phase.accept.recordValue(Math.min(PhaseStats.HIGHEST_MICROS,
                                Math.max(0, (System.nanoTime() - sentAt) / 1000)));
                    } else if (status == 429) {
                        phase.rateLimited++;
                    } else if (phase.firstErrors.size() < 5) {
                        String text = ar.result().bodyAsString();
                        phase.firstErrors.putIfAbsent(String.valueOf(status),
                                text == null ? "" : text.substring(0, Math.min(200, text.length())));
                    }
                });
    }

    Stats stats() {
        return stats.copy();
    }

    /** Still publishing, or requests in flight. */
    boolean busy() {
        return publishing || inFlight > 0;
    }

    long firstG() {
        return phaseFirstG;
    }

    /** The next publication number: the phase's publications are [{@link #firstG}, this). */
    long nextG() {
        return nextG;
    }

    /** The accepted publications of the current phase (absolute g). */
    BitSet acceptedInPhase() {
        BitSet b = (BitSet) accepted.clone();
        b.clear(0, (int) phaseFirstG);
        return b;
    }
}
