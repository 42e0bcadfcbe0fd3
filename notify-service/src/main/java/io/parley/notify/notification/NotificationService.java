package io.parley.notify.notification;

import com.fasterxml.jackson.databind.JsonNode;
import io.agroal.api.AgroalDataSource;
import io.parley.common.crypto.Secrets;
import io.parley.common.error.ApiException;
import io.parley.common.error.ErrorCode;
import io.parley.notify.channel.Channel;
import io.parley.notify.channel.ChannelRepository;
import io.parley.notify.channel.ChannelType;
import io.parley.notify.config.NotifyConfig;
import io.parley.notify.delivery.Delivery;
import io.parley.notify.delivery.DeliveryDispatcher;
import io.parley.notify.delivery.DeliveryRepository;
import io.parley.notify.push.PushDevice;
import io.parley.notify.push.PushTargets;
import io.parley.notify.push.PushPlanner;
import io.parley.notify.support.Jdbc;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Notifications from tenant apps: validated, then stored with one delivery row per user and requested channel in
 * one transaction ({@code pending}, or {@code no_channel} for a user without a verified channel of that type), and
 * handed to the {@link DeliveryDispatcher}. Blocking (JDBC): worker threads only.
 */
@ApplicationScoped
public class NotificationService {

    public static final String INAPP = Delivery.INAPP;
    /** Pushes to the user's registered devices (FCM, APNs, Web Push). */
    public static final String PUSH = Delivery.PUSH;
    private static final long MAX_USER_ID = 9_999_999_999L;

    /** A stored notification. */
    public record Notification(String id, String appId, String title, Instant createdAt) {
    }

    private final AgroalDataSource db;
    private final ChannelRepository channels;
    private final DeliveryRepository deliveries;
    private final DeliveryDispatcher dispatcher;
    private final NotifyConfig.Notifications limits;
    private final PushTargets pushDevices;
    private final int maxPushDataBytes;
    private final PushPlanner pushPlanner;

    public NotificationService(AgroalDataSource db, ChannelRepository channels, DeliveryRepository deliveries,
                               DeliveryDispatcher dispatcher, PushTargets pushDevices, PushPlanner pushPlanner,
                               NotifyConfig config) {
        this.pushDevices = pushDevices;
        this.pushPlanner = pushPlanner;
        this.db = db;
        this.channels = channels;
        this.deliveries = deliveries;
        this.dispatcher = dispatcher;
        this.limits = config.notifications();
        this.maxPushDataBytes = config.push().maxDataBytes();
    }

    /**
     * Records a notification and its deliveries. {@code silent}: its pushes are data-only (the app's {@code data}
     * fields, no text); it needs {@code push} among the channels and {@code data}, if any, must be a JSON object.
     */
    public String create(String appId, List<Long> users, String title, String body, JsonNode data, List<String> channelNames,
                         boolean silent) {
        Set<Long> recipients = recipients(users);
        if (title == null || title.isBlank()) {
            throw ApiException.invalid("title is required");
        }
        if (title.length() > limits.maxTitleChars()) {
            throw ApiException.invalid("title is longer than " + limits.maxTitleChars() + " characters");
        }
        if (body == null) {
            throw ApiException.invalid("body is required");
        }
        if (body.length() > limits.maxBodyChars()) {
            throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "body is longer than " + limits.maxBodyChars() + " characters");
        }
        Set<String> requested = channelTypes(channelNames);
        Map<String, String> silentData = silent ? silentData(requested, data) : null;
        String id = Secrets.hex(16);
        JsonObject payload = new JsonObject().put("type", "notification").put("id", id).put("title", title)
                .put("body", body).put("ts", System.currentTimeMillis());
        String dataJson = data == null || data.isNull() ? null : data.toString();
        if (dataJson != null) {
            payload.put("data", Json.decodeValue(dataJson));
        }
        List<ChannelType> types = requested.stream().filter(t -> !t.equals(INAPP) && !t.equals(PUSH))
                .map(ChannelType::parse).toList();
        Map<Long, List<PushDevice>> devices = requested.contains(PUSH) ? pushDevices.liveDevicesOf(recipients) : Map.of();
        Instant now = Instant.now();
        Map<Long, List<Channel>> verified = channels.verifiedOfUsers(recipients, types);
        List<Delivery.New> rows = new ArrayList<>();
        String encoded = payload.encode();
        for (long user : recipients) {
            for (String type : requested) {
                if (type.equals(INAPP)) {
                    rows.add(row(id, appId, user, INAPP, null, Delivery.PENDING, encoded));
                    continue;
                }
                if (type.equals(PUSH)) {
                    List<PushDevice> ofUser = devices.getOrDefault(user, List.of());
                    if (ofUser.isEmpty()) {
                        rows.add(row(id, appId, user, PUSH, null, Delivery.NO_CHANNEL, encoded));
                    }
                    for (PushDevice device : PushPlanner.receiving(ofUser, now)) {
                        String push = (silent ? pushPlanner.silentNotification(id, silentData)
                                : pushPlanner.forNotification(id, title, body, device.preview())).toJson().encode();
                        rows.add(row(id, appId, user, PUSH, device.id(), Delivery.PENDING, push));
                    }
                    continue;
                }
                List<Channel> ofType = verified.getOrDefault(user, List.of()).stream()
                        .filter(c -> c.type().wire().equals(type)).toList();
                if (ofType.isEmpty()) {
                    rows.add(row(id, appId, user, type, null, Delivery.NO_CHANNEL, encoded));
                }
                for (Channel c : ofType) {
                    rows.add(row(id, appId, user, type, c.id(), Delivery.PENDING, encoded));
                }
            }
        }
        store(id, appId, title, body, dataJson, rows);
        dispatcher.kick();
        return id;
    }

    public Optional<Notification> find(String id) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id, app_id, title, created_at FROM notifications WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Notification(rs.getString(1), rs.getString(2), rs.getString(3),
                        Jdbc.instant(rs.getTimestamp(4))));
            }
        } catch (SQLException e) {
            throw Jdbc.failure("read notification", e);
        }
    }

    private void store(String id, String appId, String title, String body, String data, List<Delivery.New> rows) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO notifications (id, app_id, title, body, data) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, appId);
                ps.setString(3, title);
                ps.setString(4, body);
                ps.setString(5, data);
                ps.executeUpdate();
                for (Delivery.New row : rows) {
                    deliveries.insertIgnore(c, row);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw Jdbc.failure("store notification", e);
        }
    }

    private static Delivery.New row(String id, String appId, long user, String type, String channelId, String status,
                                    String payload) {
        String key = Secrets.sha256Hex("notification:" + id + ":" + user + ":" + (channelId == null ? type : channelId));
        return new Delivery.New(key, Delivery.NOTIFICATION, id, appId, user, type, channelId, status, payload);
    }

    private Set<Long> recipients(List<Long> users) {
        if (users == null || users.isEmpty()) {
            throw ApiException.invalid("users must list at least one user id");
        }
        if (users.size() > limits.maxUsers()) {
            throw ApiException.invalid("at most " + limits.maxUsers() + " users per notification");
        }
        Set<Long> out = new LinkedHashSet<>();
        for (Long user : users) {
            if (user == null || user <= 0 || user > MAX_USER_ID) {
                throw ApiException.invalid("users must be user ids (positive integers of at most 10 digits)");
            }
            out.add(user);
        }
        return out;
    }

    /** The fields of a silent push's {@code data} as strings; 400 without push or for data that is not an object. */
    private Map<String, String> silentData(Set<String> requested, JsonNode data) {
        if (!requested.contains(PUSH)) {
            throw ApiException.invalid("silent makes the push data-only: add \"push\" to channels");
        }
        if (data == null || data.isNull()) {
            return Map.of();
        }
        if (!data.isObject()) {
            throw ApiException.invalid("data of a silent push must be a JSON object (its fields are what the app gets)");
        }
        if (data.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > maxPushDataBytes) {
            throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "data of a silent push is larger than "
                    + maxPushDataBytes + " bytes (push services refuse payloads over 4 KB)");
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
        data.fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().isTextual() ? f.getValue().asText()
                : f.getValue().toString()));
        return out;
    }

    private static Set<String> channelTypes(List<String> names) {
        if (names == null || names.isEmpty()) {
            throw ApiException.invalid("channels must list at least one of inapp, push, email, webhook, wechat");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String name : names) {
            if (!INAPP.equals(name) && !PUSH.equals(name)) {
                ChannelType.parse(name); // 400 for an unknown type
            }
            out.add(name);
        }
        return out;
    }
}
