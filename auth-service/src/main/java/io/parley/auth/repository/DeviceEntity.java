package io.parley.auth.repository;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/** A device a user has signed in from; sessions are opened per device. */
@Entity
@Table(name = "devices")
public class DeviceEntity {

    @EmbeddedId
    public Key key;

    @Column(name = "first_seen_at", nullable = false)
    public Instant firstSeenAt;

    @Column(name = "last_seen_at", nullable = false)
    public Instant lastSeenAt;

    @Embeddable
    public static class Key implements Serializable {
        @Column(name = "user_id")
        public long userId;

        @Column(name = "device_id", length = 64)
        public String deviceId;

        public Key() {
        }

        public Key(long userId, String deviceId) {
            this.userId = userId;
            this.deviceId = deviceId;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.userId == userId && Objects.equals(k.deviceId, deviceId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(userId, deviceId);
        }
    }
}
