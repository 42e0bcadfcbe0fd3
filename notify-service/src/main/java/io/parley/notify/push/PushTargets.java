package io.parley.notify.push;

import io.parley.common.redis.SharedKeys;
import io.parley.common.token.SessionKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The push devices of users whose registering session is still live. {@link PushSessionEnds} removes a device as
 * its session ends, but that hears auth-service over pub/sub, which is at most once; so before a push is planned the
 * device's session key ({@link SessionKeys#session}) is checked too, and a device whose session is gone (a missed
 * announcement, an expired session) is removed instead of pushed to. One {@code EXISTS} per device asked: pushes
 * are planned per outbox batch and each one costs a provider call anyway.
 *
 * <p>It also re-adds the users' live device ids to Redis's copy ({@link SharedKeys#pushDevices}, one idempotent
 * {@code SADD} per user): after Redis lost its data, a user's first push restores what chat-service's relay needs to
 * push to their phone while their laptop is online. Blocking: worker threads only.
 */
@ApplicationScoped
public class PushTargets {

    private static final Logger LOG = Logger.getLogger(PushTargets.class);

    private final PushDeviceRepository devices;
    private final RedisDataSource redis;

    public PushTargets(PushDeviceRepository devices, RedisDataSource redis) {
        this.devices = devices;
        this.redis = redis;
    }

    /** The registered devices of {@code users} whose session is live (muted ones included), by user. */
    public Map<Long, List<PushDevice>> liveDevicesOf(Collection<Long> users) {
        Map<Long, List<PushDevice>> out = new HashMap<>();
        Map<String, Boolean> liveSessions = new HashMap<>();
        devices.ofUsers(users).forEach((user, registered) -> {
            List<PushDevice> live = new ArrayList<>(registered.size());
            for (PushDevice device : registered) {
                if (device.sessionId() == null || liveSessions.computeIfAbsent(device.sessionId(),
                        sid -> redis.key().exists(SessionKeys.session(sid)))) {
                    live.add(device);
                } else if (devices.deleteIfSession(device)) {
                    LOG.infof("push device %s of user %d removed: its session ended", device.deviceId(), user);
                }
            }
            if (!live.isEmpty()) {
                out.put(user, live);
                redis.set(String.class).sadd(SharedKeys.pushDevices(user),
                        live.stream().map(PushDevice::deviceId).toArray(String[]::new));
            }
        });
        return out;
    }
}
