package io.parley.notify.relay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.common.thread.BackgroundLoop;
import io.parley.notify.channel.Channel;
import io.parley.notify.channel.ChannelRepository;
import io.parley.notify.config.NotifyConfig;
import io.parley.notify.delivery.Delivery;
import io.parley.notify.delivery.DeliveryDispatcher;
import io.parley.notify.delivery.DeliveryRepository;
import io.parley.notify.preference.PreferenceService;
import io.parley.notify.preference.Preferences;
import io.parley.notify.sender.SendFailure;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Closes digest windows when they are due: checks presence at that moment (a user who came online gets no relay:
 * {@code skipped_online}), reads the user's preferences and verified channels, and writes the planned deliveries
 * and the events' digest mark in one transaction ({@link RelayStore#closeWindow}); then wakes the dispatcher.
 * One loop per instance on its own thread; instances share the work through the window row lock.
 */
@ApplicationScoped
public class DigestFlusher {

    private static final Logger LOG = Logger.getLogger(DigestFlusher.class);
    private static final long PURGE_EVERY_MS = 60_000;
    /** Windows closed per round; a full page means more are due, and the next round starts at once. */
    private static final int PAGE = 100;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final RelayStore store;
    private final RelayPlanner planner;
    private final Presence presence;
    private final PreferenceService preferences;
    private final ChannelRepository channels;
    private final DeliveryRepository deliveries;
    private final DeliveryDispatcher dispatcher;
    private final NotifyConfig.Relay config;
    private final Counter skippedOnline;
    private final Counter digests;

    private final BackgroundLoop loop;
    private long nextPurgeAt;

    public DigestFlusher(RelayStore store, RelayPlanner planner, Presence presence, PreferenceService preferences,
                         ChannelRepository channels, DeliveryRepository deliveries, DeliveryDispatcher dispatcher,
                         NotifyConfig config, MeterRegistry metrics) {
        this.store = store;
        this.planner = planner;
        this.presence = presence;
        this.preferences = preferences;
        this.channels = channels;
        this.deliveries = deliveries;
        this.dispatcher = dispatcher;
        this.config = config.relay();
        this.skippedOnline = Counter.builder("parley.notify.relay.skipped.online")
                .description("digests not relayed because the user was online when the window closed").register(metrics);
        this.digests = Counter.builder("parley.notify.relay.digests")
                .description("digest windows closed").register(metrics);
        this.loop = new BackgroundLoop("notify-digest", "digest", LOG, this::round)
                .idle(this.config.flushInterval()).describedBy(SendFailure::describe);
    }

    void onStart(@Observes StartupEvent event) {
        loop.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        loop.stop(STOP_TIMEOUT);
    }

    /** One round: closes up to a page of due windows, purges old events now and then; true if a full page was due. */
    private boolean round() {
        List<Long> due = store.dueWindows(PAGE);
        for (long user : due) {
            if (!loop.running()) {
                break;
            }
            flush(user);
        }
        if (System.nanoTime() - nextPurgeAt >= 0) {
            store.purgeDigested();
            nextPurgeAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PURGE_EVERY_MS);
        }
        return due.size() >= PAGE;
    }

    /** Closes one user's window. Presence is read before the transaction: the moment of relay is now. */
    void flush(long user) {
        boolean online = presence.isOnline(user);
        Preferences prefs = preferences.of(user);
        List<Channel> targets = online || !prefs.relay() ? List.of() : channels.verifiedOf(user, prefs.channels());
        boolean closed = store.closeWindow(user, (c, events) -> {
            String digestKey = RelayPlanner.digestKey(user, events.get(0).messageId());
            if (!prefs.relay()) {
                return digestKey; // relay switched off: the events are marked and nothing is sent
            }
            for (Delivery.New row : planner.plan(user, events, online, targets)) {
                deliveries.insertIgnore(c, row);
            }
            return digestKey;
        });
        if (closed) {
            digests.increment();
            if (online) {
                skippedOnline.increment();
            } else if (!targets.isEmpty()) {
                dispatcher.kick();
            }
        }
    }
}
