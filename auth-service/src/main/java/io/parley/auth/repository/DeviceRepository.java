package io.parley.auth.repository;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

@ApplicationScoped
public class DeviceRepository implements PanacheRepositoryBase<DeviceEntity, DeviceEntity.Key> {

    /** Records that the user signed in from the device now. Runs inside the caller's transaction. */
    public void touch(long userId, String deviceId, Instant now) {
        DeviceEntity.Key key = new DeviceEntity.Key(userId, deviceId);
        DeviceEntity device = findById(key);
        if (device == null) {
            device = new DeviceEntity();
            device.key = key;
            device.firstSeenAt = now;
            device.lastSeenAt = now;
            persist(device);
        } else {
            device.lastSeenAt = now;
        }
    }
}
