package io.parley.notify.push;

import io.agroal.api.AgroalDataSource;
import io.parley.common.crypto.Secrets;
import io.parley.notify.support.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code push_devices} table. A token is unique across users ({@code token_hash}): registering it again under
 * another user or device moves it there. Blocking (JDBC): worker threads only.
 */
@ApplicationScoped
public class PushDeviceRepository {

    private static final String COLUMNS = "id, user_id, device_id, session_id, provider, token, p256dh, auth, muted_until, preview, "
            + "created_at";

    private final AgroalDataSource db;
    private final Event<PushDevicesChanged> changes;

    public PushDeviceRepository(AgroalDataSource db, Event<PushDevicesChanged> changes) {
        this.db = db;
        this.changes = changes;
    }

    /**
     * Registers (or replaces) the device's token in one transaction: the same token under any other (user, device)
     * is removed first, then the (user, device) row is inserted or updated; its id stays, so pending pushes follow
     * a new token. Announces the users whose devices changed ({@link PushDevicesChanged}).
     *
     * @return the stored row
     */
    public PushDevice upsert(PushDevice device) {
        String tokenHash = tokenHash(device.provider(), device.token());
        Set<Long> changed = new HashSet<>(Set.of(device.userId()));
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement owners = c.prepareStatement(
                         "SELECT user_id FROM push_devices WHERE token_hash = ? AND NOT (user_id = ? AND device_id = ?)");
                 PreparedStatement moved = c.prepareStatement(
                         "DELETE FROM push_devices WHERE token_hash = ? AND NOT (user_id = ? AND device_id = ?)");
                 PreparedStatement upsert = c.prepareStatement("INSERT INTO push_devices (id, user_id, device_id, "
                         + "provider, token, token_hash, p256dh, auth, muted_until, preview, session_id) "
                         + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                         + "ON DUPLICATE KEY UPDATE session_id = VALUES(session_id), provider = VALUES(provider), token = VALUES(token), "
                         + "token_hash = VALUES(token_hash), p256dh = VALUES(p256dh), auth = VALUES(auth), "
                         + "muted_until = VALUES(muted_until), preview = VALUES(preview), updated_at = NOW(3)")) {
                owners.setString(1, tokenHash);
                owners.setLong(2, device.userId());
                owners.setString(3, device.deviceId());
                try (ResultSet rs = owners.executeQuery()) {
                    while (rs.next()) {
                        changed.add(rs.getLong(1));
                    }
                }
                moved.setString(1, tokenHash);
                moved.setLong(2, device.userId());
                moved.setString(3, device.deviceId());
                moved.executeUpdate();
                upsert.setString(1, device.id());
                upsert.setLong(2, device.userId());
                upsert.setString(3, device.deviceId());
                upsert.setString(4, device.provider().wire());
                upsert.setString(5, device.token());
                upsert.setString(6, tokenHash);
                upsert.setString(7, device.p256dh());
                upsert.setString(8, device.auth());
                upsert.setTimestamp(9, Jdbc.timestamp(device.mutedUntil()));
                upsert.setString(10, device.preview().wire());
                upsert.setString(11, device.sessionId());
                upsert.executeUpdate();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw Jdbc.failure("register push device", e);
        }
        changes.fire(new PushDevicesChanged(changed));
        return ofDevice(device.userId(), device.deviceId()).orElseThrow();
    }

    public Optional<PushDevice> find(String id) {
        return query("SELECT " + COLUMNS + " FROM push_devices WHERE id = ?", ps -> ps.setString(1, id)).stream().findFirst();
    }

    public Optional<PushDevice> ofDevice(long user, String deviceId) {
        return query("SELECT " + COLUMNS + " FROM push_devices WHERE user_id = ? AND device_id = ?", ps -> {
            ps.setLong(1, user);
            ps.setString(2, deviceId);
        }).stream().findFirst();
    }

    public List<PushDevice> ofUser(long user) {
        return query("SELECT " + COLUMNS + " FROM push_devices WHERE user_id = ? ORDER BY created_at, id",
                ps -> ps.setLong(1, user));
    }

    /** The devices of many users, by user. */
    public Map<Long, List<PushDevice>> ofUsers(Collection<Long> users) {
        if (users.isEmpty()) {
            return Map.of();
        }
        String in = users.stream().map(String::valueOf).collect(Collectors.joining(","));
        Map<Long, List<PushDevice>> out = new HashMap<>();
        for (PushDevice d : query("SELECT " + COLUMNS + " FROM push_devices WHERE user_id IN (" + in + ") ORDER BY id",
                ps -> { })) {
            out.computeIfAbsent(d.userId(), u -> new java.util.ArrayList<>()).add(d);
        }
        return out;
    }

    public int count(long user) {
        return query("SELECT " + COLUMNS + " FROM push_devices WHERE user_id = ?", ps -> ps.setLong(1, user)).size();
    }

    public boolean delete(long user, String deviceId) {
        return announced(user, Jdbc.update(db, "delete push device",
                "DELETE FROM push_devices WHERE user_id = ? AND device_id = ?", ps -> {
                    ps.setLong(1, user);
                    ps.setString(2, deviceId);
                }) == 1);
    }

    /** Removes a registration the provider declared dead, unless it was registered again with a new token meanwhile. */
    public boolean deleteIfToken(PushDevice device) {
        return announced(device.userId(), Jdbc.update(db, "delete push device",
                "DELETE FROM push_devices WHERE id = ? AND token = ?", ps -> {
                    ps.setString(1, device.id());
                    ps.setString(2, device.token());
                }) == 1);
    }

    /** Removes the registrations made by a session that ended; returns how many. */
    public int deleteOfSession(long user, String sessionId) {
        int deleted = Jdbc.update(db, "delete push devices of a session",
                "DELETE FROM push_devices WHERE user_id = ? AND session_id = ?", ps -> {
                    ps.setLong(1, user);
                    ps.setString(2, sessionId);
                });
        announced(user, deleted > 0);
        return deleted;
    }

    /** Removes a registration whose session was found ended, unless the device registered again under a new one. */
    public boolean deleteIfSession(PushDevice device) {
        return announced(device.userId(), Jdbc.update(db, "delete push device",
                "DELETE FROM push_devices WHERE id = ? AND session_id = ?", ps -> {
                    ps.setString(1, device.id());
                    ps.setString(2, device.sessionId());
                }) == 1);
    }

    private boolean announced(long user, boolean changed) {
        if (changed) {
            changes.fire(new PushDevicesChanged(Set.of(user)));
        }
        return changed;
    }

    static String tokenHash(PushProvider provider, String token) {
        return Secrets.sha256Hex(provider.wire() + ":" + token);
    }

    private List<PushDevice> query(String sql, Jdbc.Binder binder) {
        return Jdbc.query(db, "read push devices", sql, binder, PushDeviceRepository::read);
    }

    private static PushDevice read(ResultSet rs) throws SQLException {
        return new PushDevice(rs.getString("id"), rs.getLong("user_id"), rs.getString("device_id"),
                rs.getString("session_id"), PushProvider.parse(rs.getString("provider")), rs.getString("token"), rs.getString("p256dh"),
                rs.getString("auth"), Jdbc.instant(rs.getTimestamp("muted_until")), Preview.parse(rs.getString("preview")),
                Jdbc.instant(rs.getTimestamp("created_at")));
    }
}
