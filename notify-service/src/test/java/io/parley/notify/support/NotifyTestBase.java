package io.parley.notify.support;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMailUtil;
import io.agroal.api.AgroalDataSource;
import io.parley.common.redis.SharedKeys;
import io.parley.common.token.AccessTokenIssuer;
import io.quarkus.redis.datasource.RedisDataSource;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the notify-service tests share: tokens, channel binding, outbox events, mail and the delivery log. */
public abstract class NotifyTestBase {

    protected static final Duration WAIT = Duration.ofSeconds(15);
    private static final Pattern CODE = Pattern.compile("\\b(\\d{6})\\b");
    private static final AtomicLong SEQ = new AtomicLong();

    @Inject
    protected AccessTokenIssuer issuer;

    @Inject
    protected RedisDataSource redis;

    @Inject
    protected AgroalDataSource db;

    /** One row of the delivery log, as the tests read it. */
    public record Row(long id, String kind, String channel, String status, int attempts, String lastError,
                      String idemKey, String payload) {
    }

    protected String userToken(long user) {
        return TestTokens.user(issuer, user);
    }

    protected HttpReceiver receiver() {
        return ReceiverResource.receiver();
    }

    /** Binds a webhook that echoes its challenge and waits until it is verified; returns {id, secret}. */
    protected String[] bindVerifiedWebhook(long user, WebhookEndpoint endpoint) {
        String token = userToken(user);
        var answer = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("type", "webhook", "address", endpoint.url()))
                .post("/api/v1/channels").then().statusCode(201).extract();
        String id = answer.path("id");
        String secret = answer.path("secret");
        await().atMost(WAIT).until(() -> Boolean.TRUE.equals(given().auth().oauth2(token).get("/api/v1/channels")
                .then().statusCode(200).extract().path("find { it.id == '" + id + "' }.verified")));
        return new String[] {id, secret};
    }

    /** Binds an email address, reads the mailed code and verifies; returns the channel id. */
    protected String bindVerifiedEmail(long user, String address) {
        String token = userToken(user);
        String id = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("type", "email", "address", address))
                .post("/api/v1/channels").then().statusCode(201).extract().path("id");
        String code = awaitCode(address);
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", code))
                .post("/api/v1/channels/" + id + "/verify").then().statusCode(200);
        return id;
    }

    protected static String newAddress() {
        return "u" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
    }

    /** Waits for the verification mail to {@code address} and returns its six-digit code. */
    protected static String awaitCode(String address) {
        await().atMost(WAIT).until(() -> !mailsTo(address).isEmpty());
        Matcher m = CODE.matcher(body(mailsTo(address).get(0)));
        if (!m.find()) {
            throw new AssertionError("no code in the mail to " + address);
        }
        return m.group(1);
    }

    protected static List<MimeMessage> mailsTo(String address) {
        List<MimeMessage> out = new ArrayList<>();
        for (MimeMessage message : GreenMailResource.mail().getReceivedMessages()) {
            try {
                if (Arrays.stream(message.getRecipients(Message.RecipientType.TO))
                        .anyMatch(a -> a.toString().contains(address))) {
                    out.add(message);
                }
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    protected static String body(MimeMessage message) {
        return GreenMailUtil.getBody(message);
    }

    protected static String subject(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The outbox event chat-service would append for a message to an offline recipient. */
    protected static String event(long recipient, long from, String body) {
        long seq = SEQ.incrementAndGet();
        String id = "20260101000000" + String.format("%010d", from) + String.format("%010d", seq);
        long a = Math.min(recipient, from);
        long b = Math.max(recipient, from);
        return new JsonObject().put("type", "message").put("user", recipient).put("id", id)
                .put("conversation", "d:" + a + ":" + b).put("seq", seq).put("from", from).put("body", body)
                .put("kind", "text").put("ts", System.currentTimeMillis()).encode();
    }

    protected String append(String eventJson) {
        return redis.stream(String.class).xadd(SharedKeys.OUTBOX_STREAM, Map.of(SharedKeys.OUTBOX_EVENT_FIELD, eventJson));
    }

    /** The delivery log rows of a user, oldest first. */
    protected List<Row> rowsOf(long user) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id, kind, channel_type, status, attempts, last_error, "
                     + "idem_key, payload FROM deliveries WHERE user_id = ? ORDER BY id")) {
            ps.setLong(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                List<Row> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                            rs.getString(6), rs.getString(7), rs.getString(8)));
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    protected long count(String sql, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
