package io.parley.notify.delivery;

import io.agroal.api.AgroalDataSource;
import io.parley.notify.support.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The {@code deliveries} table: the delivery log and the durable retry schedule ({@code next_attempt_at}, polled by
 * {@link DeliveryDispatcher}), so a restart keeps every retry. All times come from the database clock. Blocking
 * (JDBC): worker threads only.
 */
@ApplicationScoped
public class DeliveryRepository {

    private static final String COLUMNS = "id, idem_key, kind, notification_id, app_id, user_id, channel_type, "
            + "channel_id, status, attempts, last_error, payload, updated_at";

    private final AgroalDataSource db;

    public DeliveryRepository(AgroalDataSource db) {
        this.db = db;
    }

    /**
     * Inserts in the caller's transaction unless a row with the same idempotency key exists.
     *
     * @return whether a row was inserted
     */
    public boolean insertIgnore(Connection c, Delivery.New row) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT IGNORE INTO deliveries (idem_key, kind, notification_id, "
                + "app_id, user_id, channel_type, channel_id, status, payload, next_attempt_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, IF(? = 'pending', NOW(3), NULL))")) {
            ps.setString(1, row.idemKey());
            ps.setString(2, row.kind());
            ps.setString(3, row.notificationId());
            ps.setString(4, row.appId());
            ps.setLong(5, row.userId());
            ps.setString(6, row.channelType());
            ps.setString(7, row.channelId());
            ps.setString(8, row.status());
            ps.setString(9, row.payload());
            ps.setString(10, row.status());
            return ps.executeUpdate() == 1;
        }
    }

    /** Pending and retrying rows whose time has come, oldest first. */
    public List<Delivery> due(int limit) {
        return query("SELECT " + COLUMNS + " FROM deliveries WHERE status IN ('pending', 'retrying') "
                + "AND next_attempt_at <= NOW(3) ORDER BY next_attempt_at LIMIT ?", ps -> ps.setInt(1, limit));
    }

    /** Takes a due row for sending (counts the attempt); false if another instance took it first. */
    public boolean claim(long id) {
        return update("UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated_at = NOW(3) "
                + "WHERE id = ? AND status IN ('pending', 'retrying') AND next_attempt_at <= NOW(3)",
                ps -> ps.setLong(1, id)) == 1;
    }

    /** Moves rows that could not start (their endpoint is busy) behind the others, without counting an attempt. */
    public void defer(Collection<Long> ids, long millis) {
        if (ids.isEmpty()) {
            return;
        }
        String in = ids.stream().map(String::valueOf).collect(Collectors.joining(","));
        update("UPDATE deliveries SET next_attempt_at = TIMESTAMPADD(MICROSECOND, ?, NOW(3)) WHERE id IN (" + in
                + ") AND status IN ('pending', 'retrying')", ps -> ps.setLong(1, millis * 1000));
    }

    public void markDelivered(long id) {
        update("UPDATE deliveries SET status = 'delivered', next_attempt_at = NULL, updated_at = NOW(3) "
                + "WHERE id = ? AND status = 'sending'", ps -> ps.setLong(1, id));
    }

    public void markRetry(long id, String error, long delayMillis) {
        update("UPDATE deliveries SET status = 'retrying', last_error = ?, updated_at = NOW(3), "
                + "next_attempt_at = TIMESTAMPADD(MICROSECOND, ?, NOW(3)) WHERE id = ? AND status = 'sending'", ps -> {
            ps.setString(1, truncate(error));
            ps.setLong(2, delayMillis * 1000);
            ps.setLong(3, id);
        });
    }

    public void markDead(long id, String error) {
        update("UPDATE deliveries SET status = 'dead', last_error = ?, next_attempt_at = NULL, updated_at = NOW(3) "
                + "WHERE id = ? AND status IN ('sending', 'pending', 'retrying')", ps -> {
            ps.setString(1, truncate(error));
            ps.setLong(2, id);
        });
    }

    /** Rows left {@code sending} longer than {@code millis} (their instance died mid-send) become due again. */
    public int reclaimStuck(long millis) {
        return update("UPDATE deliveries SET status = 'retrying', next_attempt_at = NOW(3), updated_at = NOW(3), "
                + "last_error = 'interrupted while sending (instance stopped); sent again with the same key' "
                + "WHERE status = 'sending' AND updated_at < TIMESTAMPADD(MICROSECOND, ?, NOW(3))",
                ps -> ps.setLong(1, -millis * 1000));
    }

    /** A dead letter becomes due again with a fresh attempt budget; false if it is not a dead letter. */
    public boolean replay(long id) {
        return update("UPDATE deliveries SET status = 'retrying', attempts = 0, next_attempt_at = NOW(3), "
                + "updated_at = NOW(3) WHERE id = ? AND status = 'dead'", ps -> ps.setLong(1, id)) == 1;
    }

    public Optional<Delivery> find(long id) {
        return query("SELECT " + COLUMNS + " FROM deliveries WHERE id = ?", ps -> ps.setLong(1, id)).stream().findFirst();
    }

    public List<Delivery> ofNotification(String notificationId) {
        return query("SELECT " + COLUMNS + " FROM deliveries WHERE notification_id = ? ORDER BY user_id, channel_type, id",
                ps -> ps.setString(1, notificationId));
    }

    public List<Delivery> ofUser(long user, String status, int limit) {
        return query("SELECT " + COLUMNS + " FROM deliveries WHERE user_id = ? AND status = ? ORDER BY id DESC LIMIT ?",
                ps -> {
                    ps.setLong(1, user);
                    ps.setString(2, status);
                    ps.setInt(3, limit);
                });
    }

    public List<Delivery> ofApp(String appId, String status, int limit) {
        return query("SELECT " + COLUMNS + " FROM deliveries WHERE app_id = ? AND status = ? ORDER BY id DESC LIMIT ?",
                ps -> {
                    ps.setString(1, appId);
                    ps.setString(2, status);
                    ps.setInt(3, limit);
                });
    }

    private static String truncate(String text) {
        return text == null || text.length() <= 500 ? text : text.substring(0, 500);
    }

    private int update(String sql, Jdbc.Binder binder) {
        return Jdbc.update(db, "update deliveries", sql, binder);
    }

    private List<Delivery> query(String sql, Jdbc.Binder binder) {
        return Jdbc.query(db, "read deliveries", sql, binder, DeliveryRepository::read);
    }

    private static Delivery read(ResultSet rs) throws SQLException {
        return new Delivery(rs.getLong("id"), rs.getString("idem_key"), rs.getString("kind"),
                rs.getString("notification_id"), rs.getString("app_id"), rs.getLong("user_id"),
                rs.getString("channel_type"), rs.getString("channel_id"), rs.getString("status"),
                rs.getInt("attempts"), rs.getString("last_error"), rs.getString("payload"),
                Jdbc.instant(rs.getTimestamp("updated_at")));
    }
}
