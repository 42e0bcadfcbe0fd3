package io.parley.auth.service;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.auth.config.AuthConfig;
import io.parley.common.retention.BatchedPurge;
import io.parley.common.thread.BackgroundLoop;
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
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Erases a deleted account's personal data once {@code parley.auth.retention.deleted-account-data-age} has passed:
 * display name and password hash emptied, devices deleted, {@code personal_data_erased_at} set. The row, its id and
 * username stay (history keeps resolving the id; the name stays taken). Small batches, one replica at a time
 * ({@link BatchedPurge}). Metric: {@code parley_retention_purged_total{what="deleted-account-data"}}.
 */
@ApplicationScoped
public class DeletedAccountRetention {

    private static final Logger LOG = Logger.getLogger(DeletedAccountRetention.class);

    private final Clock clock;
    private final Duration age;
    private final BatchedPurge purge;
    private final Counter erased;
    private final BackgroundLoop loop;
    private volatile boolean stopping;

    public DeletedAccountRetention(AgroalDataSource db, Clock clock, AuthConfig config, MeterRegistry metrics) {
        AuthConfig.Retention retention = config.retention();
        this.clock = clock;
        this.age = retention.deletedAccountDataAge();
        this.purge = new BatchedPurge(db, "parley-auth-retention-deleted-accounts", retention.batchSize(),
                retention.maxBatchesPerRound(), retention.pauseBetweenBatches());
        this.erased = Counter.builder("parley.retention.purged").tag("what", "deleted-account-data")
                .description("Rows the retention purge deleted (here: deleted accounts whose personal data was erased)")
                .register(metrics);
        this.loop = new BackgroundLoop("deleted-account-retention", "deleted account erasure", LOG,
                () -> erase().more()).idle(retention.interval()).maxBackoff(Duration.ofMinutes(1));
    }

    void start(@Observes StartupEvent event) {
        if (!age.isZero() && !age.isNegative()) {
            loop.start();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        loop.stop(Duration.ofSeconds(5));
    }

    /** One round now (also what the loop runs). Blocking. */
    public BatchedPurge.Round erase() {
        if (age.isZero() || age.isNegative()) {
            return new BatchedPurge.Round(false, 0, 0, false);
        }
        Timestamp cutoff = new Timestamp(clock.millis() - age.toMillis());
        try {
            BatchedPurge.Round round = purge.run((connection, limit) -> batch(connection, cutoff, limit), () -> !stopping);
            if (round.deleted() > 0) {
                LOG.infof("retention: personal data of %d deleted accounts erased", round.deleted());
            }
            return round;
        } catch (SQLException e) {
            throw new IllegalStateException("erasing deleted accounts' personal data failed: " + e.getMessage(), e);
        }
    }

    private BatchedPurge.Batch batch(Connection connection, Timestamp cutoff, int limit) throws SQLException {
        List<Long> due = new ArrayList<>(limit);
        try (PreparedStatement select = connection.prepareStatement("SELECT id FROM users WHERE personal_data_erased_at "
                + "IS NULL AND deleted_at < ? ORDER BY deleted_at LIMIT ?")) {
            select.setTimestamp(1, cutoff);
            select.setInt(2, limit);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    due.add(rows.getLong(1));
                }
            }
        }
        if (due.isEmpty()) {
            return new BatchedPurge.Batch(0, 0);
        }
        String ids = String.join(", ", Collections.nCopies(due.size(), "?"));
        // one short transaction per batch: the devices and the row change together
        connection.setAutoCommit(false);
        try {
            try (PreparedStatement devices = connection.prepareStatement("DELETE FROM devices WHERE user_id IN (" + ids + ")")) {
                bind(devices, due);
                devices.executeUpdate();
            }
            int changed;
            try (PreparedStatement scrub = connection.prepareStatement("UPDATE users SET display_name = '', password_hash = '', "
                    + "personal_data_erased_at = CURRENT_TIMESTAMP(3) WHERE personal_data_erased_at IS NULL AND id IN (" + ids + ")")) {
                bind(scrub, due);
                changed = scrub.executeUpdate();
            }
            connection.commit();
            erased.increment(changed);
            return new BatchedPurge.Batch(due.size(), changed);
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private static void bind(PreparedStatement statement, List<Long> ids) throws SQLException {
        for (int i = 0; i < ids.size(); i++) {
            statement.setLong(i + 1, ids.get(i));
        }
    }
}
