package io.parley.chat.fanout;

import io.parley.chat.store.RedisPipeline;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Every PUBLISH of the service goes through here: frames that are not stored (typing, read receipts, presence, control
 * notices, in-app notifications, access and group changes), on the event loop's pipelined connection. At most once.
 * Two publish elsewhere, by design: {@code message_append.lua} publishes a message in the same atomic step that
 * stores it, and {@code PublicationPusher} publishes a buffer's batch on its own connection to keep buffer order.
 */
@Singleton
public class Publisher {

    private static final Logger LOG = Logger.getLogger(Publisher.class);

    private final RedisPipeline pipeline;

    public Publisher(RedisPipeline pipeline) {
        this.pipeline = pipeline;
    }

    public Uni<Void> publish(String channel, String payload) {
        return pipeline.uni("PUBLISH", channel, payload).replaceWithVoid();
    }

    /** Publishes to each channel (pipelined by the client); failures are logged, not raised. */
    public Uni<Void> publishAll(Collection<String> channels, String payload) {
        List<Uni<Void>> sends = new ArrayList<>(channels.size());
        for (String channel : channels) {
            sends.add(publish(channel, payload));
        }
        if (sends.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.join().all(sends).andCollectFailures().replaceWithVoid()
                .onFailure().invoke(e -> LOG.debugf("publishing to %d channels failed: %s", channels.size(), e.getMessage()))
                .onFailure().recoverWithNull();
    }

    /** Fire and forget (the caller has nothing to wait for). */
    public void fire(String channel, String payload) {
        pipeline.send((reply, e) -> {
            if (e != null) {
                LOG.debugf("PUBLISH to %s failed: %s", channel, e.getMessage());
            }
        }, "PUBLISH", channel, payload);
    }
}
