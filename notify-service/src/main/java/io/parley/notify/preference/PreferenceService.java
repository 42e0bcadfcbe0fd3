package io.parley.notify.preference;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agroal.api.AgroalDataSource;
import io.parley.common.error.ApiException;
import io.parley.notify.channel.ChannelType;
import io.parley.notify.config.NotifyConfig;
import io.parley.notify.support.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * Per-user relay preferences ({@code preferences} table), with the configured defaults for users who set none.
 * Read on the relay path, so kept in a short local cache (a change reaches other instances within seconds).
 * Blocking (JDBC): worker threads only.
 */
@ApplicationScoped
public class PreferenceService {

    private final AgroalDataSource db;
    private final NotifyConfig.Relay config;
    private final Cache<Long, Preferences> cache = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterWrite(Duration.ofSeconds(5)).build();

    public PreferenceService(AgroalDataSource db, NotifyConfig config) {
        this.db = db;
        this.config = config.relay();
    }

    public Preferences defaults() {
        return new Preferences(config.enabledByDefault(), (int) config.digestWindow().toSeconds(),
                config.defaultChannels().stream().map(ChannelType::parse).toList());
    }

    public Preferences of(long user) {
        return cache.get(user, u -> load(u).orElseGet(this::defaults));
    }

    /** Validates and stores; 400 for a window out of range or an unknown channel type. */
    public Preferences set(long user, Boolean relay, Integer digestSeconds, List<String> channels) {
        Preferences current = of(user);
        int window = digestSeconds == null ? current.digestSeconds() : digestSeconds;
        if (window < 0 || window > config.maxDigestSeconds()) {
            throw ApiException.invalid("digestSeconds must be 0-" + config.maxDigestSeconds());
        }
        List<ChannelType> types = current.channels();
        if (channels != null) {
            LinkedHashSet<ChannelType> parsed = new LinkedHashSet<>();
            for (String name : channels) {
                parsed.add(ChannelType.parse(name));
            }
            types = new ArrayList<>(parsed);
        }
        Preferences updated = new Preferences(relay == null ? current.relay() : relay, window, types);
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO preferences (user_id, relay, digest_seconds, channels) "
                     + "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE relay = VALUES(relay), "
                     + "digest_seconds = VALUES(digest_seconds), channels = VALUES(channels)")) {
            ps.setLong(1, user);
            ps.setBoolean(2, updated.relay());
            ps.setInt(3, updated.digestSeconds());
            ps.setString(4, String.join(",", updated.channelNames()));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw Jdbc.failure("store preferences", e);
        }
        cache.put(user, updated);
        return updated;
    }

    private Optional<Preferences> load(long user) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT relay, digest_seconds, channels FROM preferences WHERE user_id = ?")) {
            ps.setLong(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String names = rs.getString(3);
                List<ChannelType> types = names.isEmpty() ? List.of()
                        : Arrays.stream(names.split(",")).map(ChannelType::parse).toList();
                return Optional.of(new Preferences(rs.getBoolean(1), rs.getInt(2), types));
            }
        } catch (SQLException e) {
            throw Jdbc.failure("read preferences", e);
        }
    }
}
