package io.parley.chat.presence;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Counter;
import io.parley.chat.contacts.ContactService;
import io.parley.chat.fanout.Envelope;
import io.parley.chat.fanout.Publisher;
import io.parley.chat.protocol.ServerFrames;
import io.parley.chat.store.RedisKeys;
import io.parley.chat.store.RedisPipeline;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/** Going online or offline is itself a message to one's mutual contacts: one PUBLISH to each contact's channel. */
@ApplicationScoped
public class PresenceAnnouncer {

    private static final Logger LOG = Logger.getLogger(PresenceAnnouncer.class);

    private final ContactService contacts;
    private final Publisher publisher;
    private final ServerFrames frames;
    private final Counter online;
    private final Counter offline;

    private final RedisPipeline pipeline;

    public PresenceAnnouncer(ContactService contacts, Publisher publisher, ServerFrames frames, MeterRegistry metrics,
                             RedisPipeline pipeline) {
        this.pipeline = pipeline;
        this.contacts = contacts;
        this.publisher = publisher;
        this.frames = frames;
        this.online = metrics.counter("parley.chat.presence.changes", "status", "online");
        this.offline = metrics.counter("parley.chat.presence.changes", "status", "offline");
    }

    /**
     * Announces on a worker thread (contacts may need MySQL); never blocks the caller. A user who never had a contact
     * change (no contacts version: most users when they first connect) has nobody to tell, which one GET on the
     * caller's pipelined connection says without the hop to a worker.
     */
    public void announceLater(long user, boolean isOnline, long lastSeen) {
        pipeline.send((version, failure) -> {
            if (failure == null && version == null) {
                (isOnline ? online : offline).increment();
                return;
            }
            Infrastructure.getDefaultWorkerPool().execute(() -> announce(user, isOnline, lastSeen));
        }, "GET", RedisKeys.contactsVersion(user));
    }

    /**
     * Tells {@code recipient} where {@code user} stands now: they have just become mutual contacts (the user added
     * the recipient back), and the recipient's contact list should show the user's dot at once rather than at the
     * user's next change. Blocking (one PUBLISH).
     */
    public void announceTo(long recipient, long user, PresenceService.Status status) {
        try {
            boolean isOnline = status != null && status.online();
            long lastSeen = status == null ? 0 : status.lastSeen();
            String payload = Envelope.transientFrame(0, frames.presence(user, isOnline, lastSeen));
            publisher.publishAll(List.of(RedisKeys.userChannel(recipient)), payload).await().atMost(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            LOG.warnf("presence of user %d not told to new mutual contact %d: %s", user, recipient, e.getMessage());
        }
    }

    /** Blocking. */
    public void announce(long user, boolean isOnline, long lastSeen) {
        try {
            long[] mutual = contacts.mutualOf(user);
            (isOnline ? online : offline).increment();
            if (mutual.length == 0) {
                return;
            }
            String payload = Envelope.transientFrame(0, frames.presence(user, isOnline, lastSeen));
            List<String> channels = new ArrayList<>(mutual.length);
            for (long contact : mutual) {
                channels.add(RedisKeys.userChannel(contact));
            }
            publisher.publishAll(channels, payload).await().atMost(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            LOG.warnf("presence of user %d (%s) not announced: %s", user, isOnline ? "online" : "offline", e.getMessage());
        }
    }
}
