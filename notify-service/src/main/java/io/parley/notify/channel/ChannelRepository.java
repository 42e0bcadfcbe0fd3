package io.parley.notify.channel;

import io.agroal.api.AgroalDataSource;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.notify.support.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The {@code channels} table. Blocking (JDBC): worker threads only. */
@ApplicationScoped
public class ChannelRepository {

    private static final String COLUMNS = "id, user_id, type, address, secret, verified, code_hash, code_expires_at, "
            + "verify_attempts, created_at";

    private final AgroalDataSource db;

    public ChannelRepository(AgroalDataSource db) {
        this.db = db;
    }

    /** Stores a new channel; 409 if the user already bound this address for this type. */
    public void insert(Channel channel) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO channels (id, user_id, type, address, secret, "
                     + "verified, code_hash, code_expires_at, verify_attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)")) {
            ps.setString(1, channel.id());
            ps.setLong(2, channel.userId());
            ps.setString(3, channel.type().wire());
            ps.setString(4, channel.address());
            ps.setString(5, channel.secret());
            ps.setBoolean(6, channel.verified());
            ps.setString(7, channel.codeHash());
            ps.setTimestamp(8, Jdbc.timestamp(channel.codeExpiresAt()));
            ps.executeUpdate();
        } catch (SQLException e) {
            if (Jdbc.isDuplicate(e)) {
                throw new ApiException(ErrorCode.CONFLICT, "this " + channel.type().wire() + " address is already bound");
            }
            throw Jdbc.failure("insert channel", e);
        }
    }

    public Optional<Channel> find(String id) {
        List<Channel> found = query("SELECT " + COLUMNS + " FROM channels WHERE id = ?", ps -> ps.setString(1, id));
        return found.stream().findFirst();
    }

    public List<Channel> ofUser(long user) {
        return query("SELECT " + COLUMNS + " FROM channels WHERE user_id = ? ORDER BY created_at, id",
                ps -> ps.setLong(1, user));
    }

    /** The user's verified channels of the given types: the only ones anything is ever sent to. */
    public List<Channel> verifiedOf(long user, Collection<ChannelType> types) {
        if (types.isEmpty()) {
            return List.of();
        }
        String in = types.stream().map(t -> "'" + t.wire() + "'").collect(Collectors.joining(","));
        return query("SELECT " + COLUMNS + " FROM channels WHERE user_id = ? AND verified = TRUE AND type IN (" + in
                + ") ORDER BY created_at, id", ps -> ps.setLong(1, user));
    }

    /** The verified channels of the given types of many users at once, by user. */
    public Map<Long, List<Channel>> verifiedOfUsers(Collection<Long> users, Collection<ChannelType> types) {
        if (users.isEmpty() || types.isEmpty()) {
            return Map.of();
        }
        String in = types.stream().map(t -> "'" + t.wire() + "'").collect(Collectors.joining(","));
        String userList = users.stream().map(String::valueOf).collect(Collectors.joining(","));
        return query("SELECT " + COLUMNS + " FROM channels WHERE user_id IN (" + userList + ") AND verified = TRUE "
                + "AND type IN (" + in + ") ORDER BY created_at, id", ps -> { })
                .stream().collect(Collectors.groupingBy(Channel::userId));
    }

    public int countOfUser(long user) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM channels WHERE user_id = ?")) {
            ps.setLong(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw Jdbc.failure("count channels", e);
        }
    }

    /** Marks the channel verified and forgets its code; false if it was not waiting for this code hash. */
    public boolean markVerified(String id, String codeHash) {
        return update("UPDATE channels SET verified = TRUE, code_hash = NULL, code_expires_at = NULL "
                + "WHERE id = ? AND code_hash = ?", ps -> {
            ps.setString(1, id);
            ps.setString(2, codeHash);
        }) == 1;
    }

    /** Counts a wrong code; at {@code maxAttempts} the code is void. */
    public void recordWrongCode(String id, int maxAttempts) {
        update("UPDATE channels SET verify_attempts = verify_attempts + 1, "
                + "code_hash = IF(verify_attempts >= ?, NULL, code_hash) WHERE id = ?", ps -> {
            ps.setInt(1, maxAttempts);
            ps.setString(2, id);
        });
    }

    public boolean delete(String id, long user) {
        return update("DELETE FROM channels WHERE id = ? AND user_id = ?", ps -> {
            ps.setString(1, id);
            ps.setLong(2, user);
        }) == 1;
    }

    private int update(String sql, Jdbc.Binder binder) {
        return Jdbc.update(db, "update channels", sql, binder);
    }

    private List<Channel> query(String sql, Jdbc.Binder binder) {
        return Jdbc.query(db, "read channels", sql, binder, ChannelRepository::read);
    }

    private static Channel read(ResultSet rs) throws SQLException {
        Instant created = Jdbc.instant(rs.getTimestamp("created_at"));
        return new Channel(rs.getString("id"), rs.getLong("user_id"), ChannelType.parse(rs.getString("type")),
                rs.getString("address"), rs.getString("secret"), rs.getBoolean("verified"), rs.getString("code_hash"),
                Jdbc.instant(rs.getTimestamp("code_expires_at")), rs.getInt("verify_attempts"), created);
    }
}
