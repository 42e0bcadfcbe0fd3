package io.parley.notify.delivery;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.common.retention.BatchedPurge;
import io.parley.notify.support.GreenMailResource;
import io.parley.notify.support.MovableClock;
import io.parley.notify.support.ReceiverResource;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The delivery log's retention, global and per app, with the clock moved forward instead of waiting. */
@QuarkusTest
@TestProfile(DeliveryLogRetentionTest.ThirtyDaysOneAppAYear.class)
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_notify"))
@QuarkusTestResource(GreenMailResource.class)
@QuarkusTestResource(ReceiverResource.class)
class DeliveryLogRetentionTest {

    static final String LONG_APP = "retention-long-app";

    /** The log kept 30 days, one app's a year; 2 rows per batch. */
    public static class ThirtyDaysOneAppAYear implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "parley.notify.retention.delivery-log-age", "30D",
                    "parley.notify.retention.apps.\"" + LONG_APP + "\".delivery-log-age", "365D",
                    "parley.notify.retention.batch-size", "2",
                    "parley.notify.retention.pause-between-batches", "0S",
                    "parley.notify.retention.interval", "1H");
        }
    }

    @Inject
    DeliveryLogRetention retention;

    @Inject
    MovableClock clock;

    @Inject
    AgroalDataSource db;

    @Inject
    MeterRegistry metrics;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    @Test
    void shouldDeleteFinishedDeliveriesPastTheirAppsAgeAndNeverOneStillDue() throws SQLException {
        String app = "retention-app-" + UUID.randomUUID().toString().substring(0, 8);
        long now = clock.millis();
        long fortyDaysAgo = now - Duration.ofDays(40).toMillis();
        for (int i = 0; i < 3; i++) { // young rows with lower ids than the old ones: the walk goes by time, not id
            delivery(app, null, Delivery.DELIVERED, now);
        }
        String oldNotification = notification(app, fortyDaysAgo);
        long oldDelivered = delivery(app, oldNotification, Delivery.DELIVERED, fortyDaysAgo);
        long oldDead = delivery(app, oldNotification, Delivery.DEAD, fortyDaysAgo);
        long oldStillDue = delivery(app, null, Delivery.RETRYING, fortyDaysAgo);
        long recent = delivery(app, null, Delivery.DELIVERED, now - Duration.ofDays(1).toMillis());
        long longKept = delivery(LONG_APP, null, Delivery.DELIVERED, fortyDaysAgo);
        double before = purged("deliveries");

        purgeOnce();
        assertEquals(List.of(oldStillDue, recent, longKept), existing(oldDelivered, oldDead, oldStillDue, recent, longKept));
        assertEquals(0, count("SELECT COUNT(*) FROM notifications WHERE id = ?", oldNotification),
                "a notification with no delivery left goes too");
        assertTrue(purged("deliveries") - before >= 2);

        clock.advance(Duration.ofDays(400));
        purgeOnce();
        assertEquals(List.of(oldStillDue), existing(oldDelivered, oldDead, oldStillDue, recent, longKept),
                "a year later the long-kept app's row goes too; a delivery still due never does");
    }

    private void purgeOnce() {
        AtomicReference<BatchedPurge.Round> round = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> { // the loop's first round may hold the lock
            round.set(retention.purgeOnce());
            return !round.get().skipped();
        });
    }

    private double purged(String what) {
        return metrics.get("parley.retention.purged").tag("what", what).counter().count();
    }

    private String notification(String app, long created) throws SQLException {
        String id = UUID.randomUUID().toString().replace("-", "");
        try (Connection connection = db.getConnection();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO notifications (id, app_id, title, body, created_at) VALUES (?, ?, 't', 'b', ?)")) {
            insert.setString(1, id);
            insert.setString(2, app);
            insert.setTimestamp(3, new Timestamp(created));
            insert.executeUpdate();
        }
        return id;
    }

    private long delivery(String app, String notification, String status, long created) throws SQLException {
        try (Connection connection = db.getConnection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO deliveries (idem_key, kind, notification_id, "
                     + "app_id, user_id, channel_type, status, payload, created_at, updated_at) "
                     + "VALUES (?, 'notification', ?, ?, 42, 'email', ?, '{}', ?, ?)", new String[] {"id"})) {
            insert.setString(1, (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", ""));
            insert.setString(2, notification);
            insert.setString(3, app);
            insert.setString(4, status);
            insert.setTimestamp(5, new Timestamp(created));
            insert.setTimestamp(6, new Timestamp(created));
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    private List<Long> existing(long... ids) throws SQLException {
        List<Long> out = new ArrayList<>();
        for (long id : ids) {
            if (count("SELECT COUNT(*) FROM deliveries WHERE id = ?", id) == 1) {
                out.add(id);
            }
        }
        return out;
    }

    private long count(String sql, Object key) throws SQLException {
        try (Connection connection = db.getConnection(); PreparedStatement select = connection.prepareStatement(sql)) {
            select.setObject(1, key);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
