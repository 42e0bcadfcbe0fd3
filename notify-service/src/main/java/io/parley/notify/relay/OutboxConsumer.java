package io.parley.notify.relay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.common.node.NodeName;
import io.parley.common.redis.OutboxEvent;
import io.parley.common.thread.BackgroundLoop;
import io.parley.notify.config.NotifyConfig;
import io.parley.notify.delivery.Delivery;
import io.parley.notify.delivery.DeliveryDispatcher;
import io.parley.notify.delivery.DeliveryRepository;
import io.parley.notify.preference.PreferenceService;
import io.parley.notify.preference.Preferences;
import io.parley.notify.sender.SendFailure;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.ClaimedMessages;
import io.quarkus.redis.datasource.stream.StreamCommands;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.XGroupCreateArgs;
import io.quarkus.redis.datasource.stream.XPendingSummary;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Consumes the outbox stream chat-service appends to (one entry per message and offline recipient) as a member of
 * the {@code notify-relay} consumer group.
 *
 * <p>Crash-safe: a batch is written to MySQL ({@link RelayStore#record}, one transaction, a repeat is a no-op) and
 * only then acknowledged ({@code XACK}) and deleted from the stream. Entries this consumer read before a failure
 * are read again (id {@code 0}); entries a dead consumer left pending are claimed with {@code XAUTOCLAIM} once idle
 * for {@code claimIdle}. Malformed or unknown entries are logged, counted and acknowledged, never retried forever.
 *
 * <p>One loop per instance on its own platform thread (blocking Redis and JDBC; never the event loop). On shutdown
 * it stops reading; the batch in hand finishes or stays pending for another instance.
 */
@ApplicationScoped
public class OutboxConsumer {

    private static final Logger LOG = Logger.getLogger(OutboxConsumer.class);
    private static final long MAX_BACKOFF_MS = 5000;
    private static final long GAUGE_EVERY_MS = 5000;

    private final RedisDataSource redis;
    private final StreamCommands<String, String, String> streams;
    private final RelayStore store;
    private final PreferenceService preferences;
    private final NotifyConfig.Outbox config;
    private final String consumer;
    private final Counter received;
    private final Counter malformed;
    private final Counter claimed;
    private final AtomicLong lag = new AtomicLong();
    private final PushRelay pushRelay;
    private final DeliveryRepository deliveries;
    private final DeliveryDispatcher dispatcher;
    private final AtomicLong pending = new AtomicLong();

    private final BackgroundLoop loop;
    private boolean groupReady;
    private boolean ownBacklog = true;
    private long nextClaimAt;
    private long nextGaugeAt;

    public OutboxConsumer(RedisDataSource redis, RelayStore store, PreferenceService preferences, PushRelay pushRelay,
                          DeliveryRepository deliveries, DeliveryDispatcher dispatcher, NotifyConfig config,
                          MeterRegistry metrics) {
        this.pushRelay = pushRelay;
        this.deliveries = deliveries;
        this.dispatcher = dispatcher;
        this.redis = redis;
        this.streams = redis.stream(String.class);
        this.store = store;
        this.preferences = preferences;
        this.config = config.outbox();
        this.consumer = this.config.consumer().filter(c -> !c.isBlank()).orElseGet(NodeName::unique);
        this.received = Counter.builder("parley.notify.outbox.events")
                .description("outbox events made durable in MySQL").register(metrics);
        this.malformed = Counter.builder("parley.notify.outbox.malformed")
                .description("outbox entries that could not be read (logged and acknowledged)").register(metrics);
        this.claimed = Counter.builder("parley.notify.outbox.claimed")
                .description("outbox entries claimed from a consumer that stopped acknowledging").register(metrics);
        Gauge.builder("parley.notify.outbox.lag", lag, AtomicLong::get)
                .description("outbox entries not yet handled (stream length; handled entries are deleted)")
                .register(metrics);
        Gauge.builder("parley.notify.outbox.pending", pending, AtomicLong::get)
                .description("outbox entries read by a consumer and not yet acknowledged").register(metrics);
        // no idle pause: the blocking read waits for entries
        this.loop = new BackgroundLoop("notify-outbox", "outbox", LOG, this::round)
                .maxBackoff(Duration.ofMillis(MAX_BACKOFF_MS)).describedBy(SendFailure::describe)
                .failureNote("; nothing is acknowledged before MySQL commits")
                .onFailure(e -> {
                    ownBacklog = true;
                    if (has(e, "NOGROUP")) {
                        groupReady = false;
                    }
                });
    }

    void onStart(@Observes StartupEvent event) {
        nextClaimAt = System.nanoTime();
        loop.start();
        LOG.infof("outbox consumer %s of group %s on %s started", consumer, config.group(), config.stream());
    }

    void onStop(@Observes ShutdownEvent event) {
        loop.stop(config.block().plusSeconds(5));
    }

    public String consumer() {
        return consumer;
    }

    /** One round: claims abandoned entries and updates the gauges now and then, then reads (blocking) a batch. */
    private boolean round() {
        ensureGroup();
        long now = System.nanoTime();
        if (now - nextClaimAt >= 0) {
            claimRound();
            nextClaimAt = System.nanoTime() + Math.max(TimeUnit.MILLISECONDS.toNanos(200),
                    config.claimIdle().toNanos() / 2);
        }
        if (now - nextGaugeAt >= 0) {
            updateGauges();
            nextGaugeAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GAUGE_EVERY_MS);
        }
        readRound();
        return true;
    }

    private void readRound() {
        if (ownBacklog) {
            // entries we read before a failed round (or before a restart under the same consumer name)
            List<StreamMessage<String, String, String>> mine = streams.xreadgroup(config.group(), consumer,
                    config.stream(), "0", new XReadGroupArgs().count(config.batchSize()));
            if (mine != null && !mine.isEmpty()) {
                handle(mine);
                return;
            }
            ownBacklog = false;
        }
        List<StreamMessage<String, String, String>> fresh = streams.xreadgroup(config.group(), consumer,
                config.stream(), ">", new XReadGroupArgs().count(config.batchSize()).block(config.block()));
        if (fresh != null && !fresh.isEmpty()) {
            handle(fresh);
        }
    }

    private void claimRound() {
        String cursor = "0-0";
        for (int page = 0; page < 10 && loop.running(); page++) {
            ClaimedMessages<String, String, String> taken = streams.xautoclaim(config.stream(), config.group(), consumer,
                    config.claimIdle(), cursor, config.batchSize());
            List<StreamMessage<String, String, String>> entries = taken.getMessages();
            if (entries != null && !entries.isEmpty()) {
                claimed.increment(entries.size());
                LOG.infof("claimed %d outbox entries left pending by another consumer", entries.size());
                handle(entries);
            }
            cursor = taken.getId();
            if (cursor == null || "0-0".equals(cursor)) {
                return;
            }
        }
    }

    /** Makes a batch durable, then acknowledges and deletes it. */
    void handle(List<StreamMessage<String, String, String>> entries) {
        List<OutboxEvent> events = new ArrayList<>(entries.size());
        List<OutboxEvent> parsed = new ArrayList<>(entries.size());
        Map<Long, Long> windows = new HashMap<>();
        String[] ids = new String[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            StreamMessage<String, String, String> entry = entries.get(i);
            ids[i] = entry.id();
            OutboxEvent event;
            try {
                event = OutboxEvent.parse(entry.payload() == null ? null : entry.payload().get(OutboxEvent.FIELD));
            } catch (IllegalArgumentException e) {
                malformed.increment();
                LOG.warnf("outbox entry %s is malformed and is dropped: %s (%s)", entry.id(), abbreviate(entry.payload()),
                        e.getMessage());
                continue;
            }
            parsed.add(event);
            if (event.recipientOnline()) {
                continue; // online on another device: only its unconnected push devices hear of it (PushRelay)
            }
            Preferences prefs = preferences.of(event.user());
            if (!prefs.relay()) {
                continue; // the user relays nothing: acknowledged, not stored
            }
            events.add(event);
            windows.putIfAbsent(event.user(), prefs.digestSeconds() * 1000L);
        }
        List<Delivery.New> pushes = pushRelay.plan(parsed);
        store.record(events, windows, pushes.isEmpty() ? null : c -> {
            for (Delivery.New row : pushes) {
                deliveries.insertIgnore(c, row);
            }
        });
        if (!pushes.isEmpty()) {
            dispatcher.kick();
        }
        // only now that MySQL has committed may Redis forget the entries
        streams.xack(config.stream(), config.group(), ids);
        streams.xdel(config.stream(), ids);
        received.increment(events.size());
    }

    private void ensureGroup() {
        if (groupReady) {
            return;
        }
        try {
            streams.xgroupCreate(config.stream(), config.group(), "0", new XGroupCreateArgs().mkstream());
        } catch (RuntimeException e) {
            if (!has(e, "BUSYGROUP")) {
                throw e;
            }
        }
        groupReady = true;
    }

    private void updateGauges() {
        lag.set(streams.xlen(config.stream()));
        XPendingSummary summary = streams.xpending(config.stream(), config.group());
        pending.set(summary == null ? 0 : summary.getPendingCount());
    }

    private static String abbreviate(Object payload) {
        String text = String.valueOf(payload);
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }

    private static boolean has(Throwable e, String marker) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(marker)) {
                return true;
            }
        }
        return false;
    }
}
