package io.parley.auth.service;

import io.agroal.api.AgroalDataSource;
import io.parley.auth.redis.RedisKeys;
import io.parley.auth.redis.RedisScripts;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * A user id is never handed out twice, even after MySQL is restored from a backup while Redis kept its data. Ids come
 * from {@code users.id AUTO_INCREMENT}, which a restore takes back to its backup value: the next account would get the
 * id of one lost with the restore, and with it that account's sessions and conversations still in Redis (found by
 * {@code scripts/backup-restore-trial.sh}: a lost account's old token signed in as the new user). So every registration
 * raises a high-water mark in Redis ({@link RedisKeys#USER_ID_HIGH_WATER}), and at start-up — a restore stops the
 * services first — the table's counter is raised above it. After a Redis wipe there is no mark, and nothing in Redis
 * for a reused id to inherit.
 */
@ApplicationScoped
public class UserIdFloor {

    private static final Logger LOG = Logger.getLogger(UserIdFloor.class);

    private final RedisDataSource redis;
    private final AgroalDataSource db;

    public UserIdFloor(RedisDataSource redis, AgroalDataSource db) {
        this.redis = redis;
        this.db = db;
    }

    void onStart(@Observes StartupEvent event) {
        try {
            raise();
        } catch (RuntimeException e) {
            // Redis or MySQL not there yet: the service starts anyway (readiness reports them); the next start checks
            LOG.warnf("user id floor not checked at start-up: %s", e.getMessage());
        }
    }

    /** A new account's id, after its insert committed. Best effort: the registration has happened either way. */
    public void handedOut(long userId) {
        try {
            RedisScripts.USER_ID_SEEN.run(redis, List.of(RedisKeys.USER_ID_HIGH_WATER), Long.toString(userId));
        } catch (RuntimeException e) {
            LOG.warnf("user id %d not recorded in the high-water mark: %s", userId, e.getMessage());
        }
    }

    /** Raises {@code users}' AUTO_INCREMENT above the mark if it is below it. Returns the mark (0: none). */
    public long raise() {
        String mark = redis.value(String.class).get(RedisKeys.USER_ID_HIGH_WATER);
        if (mark == null) {
            return 0;
        }
        long highWater = Long.parseLong(mark);
        try (Connection connection = db.getConnection(); Statement statement = connection.createStatement()) {
            long next;
            try (ResultSet rows = statement.executeQuery("SELECT COALESCE(MAX(id), 0) + 1 FROM users")) {
                rows.next();
                next = rows.getLong(1);
            }
            if (next <= highWater) {
                // MariaDB/MySQL never set it below MAX(id) + 1, so this only ever raises it
                statement.execute("ALTER TABLE users AUTO_INCREMENT = " + (highWater + 1));
                LOG.warnf("users.id continued above %d, the highest id Redis has seen: MySQL's table was behind it "
                        + "(restored from a backup?), and its ids would have been handed out again", highWater);
            }
            return highWater;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot raise users.id above " + highWater + ": " + e.getMessage(), e);
        }
    }
}
