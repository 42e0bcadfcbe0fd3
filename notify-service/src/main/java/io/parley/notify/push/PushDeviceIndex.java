package io.parley.notify.push;

import io.parley.common.redis.SharedKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Keeps Redis's copy of each user's push device ids ({@link SharedKeys#pushDevices}) equal to MySQL's, rewriting a
 * user's set from MySQL after every change. chat-service's relay reads it to decide whether a message to an online
 * user must still be pushed to a device of theirs that has no open connection (an open laptop must not silence the
 * phone). MySQL stays the truth: a set lost with Redis's data comes back when the user's devices next change or
 * the user is next pushed to ({@link PushTargets}); until then only that user's online-with-another-device pushes
 * are missed. Blocking: worker threads only.
 */
@ApplicationScoped
public class PushDeviceIndex {

    private static final Logger LOG = Logger.getLogger(PushDeviceIndex.class);

    private final PushDeviceRepository devices;
    private final RedisDataSource redis;

    public PushDeviceIndex(PushDeviceRepository devices, RedisDataSource redis) {
        this.devices = devices;
        this.redis = redis;
    }

    void onChange(@Observes PushDevicesChanged change) {
        for (long user : change.users()) {
            try {
                rewrite(user);
            } catch (RuntimeException e) {
                // the registration itself succeeded; only pushes to this user's offline devices while another is
                // online depend on the copy, and the next change rewrites it
                LOG.warnf("push device ids of user %d not copied to Redis: %s", user, e.getMessage());
            }
        }
    }

    /** Replaces the user's set with what MySQL holds, in one MULTI/EXEC so a reader never sees it half written. */
    public void rewrite(long user) {
        String key = SharedKeys.pushDevices(user);
        List<String> ids = devices.ofUser(user).stream().map(PushDevice::deviceId).toList();
        redis.withTransaction(tx -> {
            tx.key().del(key);
            if (!ids.isEmpty()) {
                tx.set(String.class).sadd(key, ids.toArray(String[]::new));
            }
        });
    }
}
