package io.parley.notify.delivery;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.common.retention.BatchedPurge;
import io.parley.common.thread.BackgroundLoop;
import io.parley.notify.config.NotifyConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Retention of the delivery log: finished deliveries older than their app's age (or the global one) are deleted,
 * and a notification with no delivery left goes with them. A delivery still due (pending, sending, retrying) is
 * never touched. Walks {@code ix_deliveries_created} (created_at, id) from the oldest row up to the latest cutoff,
 * in small batches, one replica at a time ({@link BatchedPurge}), with a cursor so kept rows are stepped over once
 * a round. Metrics:
 * {@code parley_retention_purged_total{what="deliveries"}} and {@code {what="notifications"}}.
 */
@ApplicationScoped
public class DeliveryLogRetention {

    private static final Logger LOG = Logger.getLogger(DeliveryLogRetention.class);
    private static final Set<String> FINISHED = Set.of(Delivery.DELIVERED, Delivery.DEAD, Delivery.NO_CHANNEL,
            Delivery.SKIPPED_ONLINE);

    private final Clock clock;
    private final NotifyConfig.Retention config;
    private final BatchedPurge purge;
    private final Counter deliveries;
    private final Counter notifications;
    private final BackgroundLoop loop;
    private volatile boolean stopping;

    public DeliveryLogRetention(AgroalDataSource db, Clock clock, NotifyConfig config, MeterRegistry metrics) {
        this.clock = clock;
        this.config = config.retention();
        this.purge = new BatchedPurge(db, "parley-notify-retention-deliveries", this.config.batchSize(),
                this.config.maxBatchesPerRound(), this.config.pauseBetweenBatches());
        this.deliveries = counter(metrics, "deliveries");
        this.notifications = counter(metrics, "notifications");
        this.loop = new BackgroundLoop("delivery-log-retention", "delivery log retention purge", LOG,
                () -> purgeOnce().more()).idle(this.config.interval()).maxBackoff(Duration.ofMinutes(1));
    }

    private static Counter counter(MeterRegistry metrics, String what) {
        return Counter.builder("parley.retention.purged").tag("what", what)
                .description("Rows the retention purge deleted").register(metrics);
    }

    void start(@Observes StartupEvent event) {
        if (enabled()) {
            loop.start();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        loop.stop(Duration.ofSeconds(5));
    }

    private boolean enabled() {
        return kept(config.deliveryLogAge()) != null
                || config.apps().values().stream().anyMatch(app -> kept(app.deliveryLogAge()) != null);
    }

    /** One round now (also what the loop runs). Blocking. */
    public BatchedPurge.Round purgeOnce() {
        if (!enabled()) {
            return new BatchedPurge.Round(false, 0, 0, false);
        }
        long now = clock.millis();
        Duration global = kept(config.deliveryLogAge());
        long globalCutoff = global == null ? Long.MIN_VALUE : now - global.toMillis();
        Map<String, Long> appCutoffs = new HashMap<>();
        long latest = globalCutoff;
        for (Map.Entry<String, NotifyConfig.Retention.AppRetention> app : config.apps().entrySet()) {
            Duration age = kept(app.getValue().deliveryLogAge());
            long cutoff = age == null ? Long.MIN_VALUE : now - age.toMillis();
            appCutoffs.put(app.getKey(), cutoff);
            latest = Math.max(latest, cutoff);
        }
        Walk walk = new Walk(globalCutoff, appCutoffs, latest);
        try {
            BatchedPurge.Round round = purge.run(walk, () -> !stopping);
            if (round.deleted() > 0) {
                LOG.infof("retention: %d deliveries and %d notifications past their age deleted", round.deleted(),
                        walk.notificationsDeleted);
            }
            return round;
        } catch (SQLException e) {
            throw new IllegalStateException("the delivery log retention purge failed: " + e.getMessage(), e);
        }
    }

    private static Duration kept(Duration age) {
        return age.isZero() || age.isNegative() ? null : age;
    }

    /** One round's walk along the primary key. */
    private final class Walk implements BatchedPurge.BatchStep {

        private final long globalCutoff;
        private final Map<String, Long> appCutoffs;
        private final long latestCutoff;
        private Timestamp afterCreated = new Timestamp(0);
        private long afterId;
        long notificationsDeleted;

        Walk(long globalCutoff, Map<String, Long> appCutoffs, long latestCutoff) {
            this.globalCutoff = globalCutoff;
            this.appCutoffs = appCutoffs;
            this.latestCutoff = latestCutoff;
        }

        @Override
        public BatchedPurge.Batch next(Connection connection, int limit) throws SQLException {
            List<Long> expired = new ArrayList<>();
            Set<String> notificationIds = new LinkedHashSet<>();
            int examined = 0;
            try (PreparedStatement select = connection.prepareStatement("SELECT id, app_id, status, created_at, "
                    + "notification_id FROM deliveries FORCE INDEX (ix_deliveries_created) WHERE created_at < ? AND "
                    + "(created_at > ? OR (created_at = ? AND id > ?)) ORDER BY created_at, id LIMIT ?")) {
                select.setTimestamp(1, new Timestamp(latestCutoff));
                select.setTimestamp(2, afterCreated);
                select.setTimestamp(3, afterCreated);
                select.setLong(4, afterId);
                select.setInt(5, limit);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        examined++;
                        afterId = rows.getLong(1);
                        afterCreated = rows.getTimestamp(4);
                        long created = afterCreated.getTime();
                        String app = rows.getString(2);
                        long cutoff = app == null ? globalCutoff : appCutoffs.getOrDefault(app, globalCutoff);
                        if (created < cutoff && FINISHED.contains(rows.getString(3))) {
                            expired.add(afterId);
                            String notification = rows.getString(5);
                            if (notification != null) {
                                notificationIds.add(notification);
                            }
                        }
                    }
                }
            }
            int deleted = deleteIn(connection, "DELETE FROM deliveries WHERE id IN (%s)", expired);
            deliveries.increment(deleted);
            int gone = deleteIn(connection, "DELETE FROM notifications WHERE id IN (%s) AND NOT EXISTS "
                    + "(SELECT 1 FROM deliveries d WHERE d.notification_id = notifications.id)", new ArrayList<>(notificationIds));
            notifications.increment(gone);
            notificationsDeleted += gone;
            return new BatchedPurge.Batch(examined, deleted);
        }

        private int deleteIn(Connection connection, String sql, List<?> ids) throws SQLException {
            if (ids.isEmpty()) {
                return 0;
            }
            try (PreparedStatement delete = connection.prepareStatement(
                    String.format(sql, String.join(", ", Collections.nCopies(ids.size(), "?"))))) {
                for (int i = 0; i < ids.size(); i++) {
                    delete.setObject(i + 1, ids.get(i));
                }
                return delete.executeUpdate();
            }
        }
    }
}
