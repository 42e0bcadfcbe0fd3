package io.parley.notify.push;

import io.parley.common.token.SessionKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Removes a device's push registration when the session that registered it ends: auth-service announces every
 * ended session on {@link SessionKeys#ENDED_CHANNEL} ({@code <user>:<sid>}) in the same step as it deletes it — a
 * sign-out, a refresh-token reuse, and each session of a deleted account. Pub/sub is at most once: an announcement
 * missed while the subscription was down is caught by {@link PushTargets}, which checks the session before any push.
 * The subscription is taken again after a failure, with back-off. The deletes run on worker threads (JDBC).
 */
@ApplicationScoped
public class PushSessionEnds {

    private static final Logger LOG = Logger.getLogger(PushSessionEnds.class);

    private final ReactiveRedisDataSource redis;
    private final PushDeviceRepository devices;
    private Cancellable subscription;

    public PushSessionEnds(ReactiveRedisDataSource redis, PushDeviceRepository devices) {
        this.redis = redis;
        this.devices = devices;
    }

    void start(@Observes StartupEvent event) {
        subscription = redis.pubsub(String.class).subscribe(SessionKeys.ENDED_CHANNEL)
                .onFailure().invoke(e -> LOG.warnf("session-ended subscription lost (%s); taking it again", e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).indefinitely()
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .subscribe().with(this::ended, e -> LOG.errorf("session-ended subscription stopped: %s", e.getMessage()));
    }

    void stop(@Observes ShutdownEvent event) {
        if (subscription != null) {
            subscription.cancel();
        }
    }

    void ended(String message) {
        long user = SessionKeys.endedUser(message);
        String session = SessionKeys.endedSession(message);
        if (user <= 0 || session == null) {
            LOG.debugf("ignoring a malformed session-ended message: %s", message);
            return;
        }
        try {
            int removed = devices.deleteOfSession(user, session);
            if (removed > 0) {
                LOG.debugf("session of user %d ended: %d push registration(s) removed", user, removed);
            }
        } catch (RuntimeException e) {
            // the next push to this user checks the session and removes the registration then
            LOG.warnf("push registrations of an ended session of user %d not removed now: %s", user, e.getMessage());
        }
    }
}
