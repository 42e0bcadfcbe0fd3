package io.parley.notify.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.common.redis.OutboxEvent;
import io.parley.common.redis.SharedKeys;
import io.parley.notify.support.FcmStandIn;
import io.parley.notify.support.PushResource;
import io.parley.notify.support.TestTokens;
import io.parley.testsupport.MariaDbServer;
import io.parley.testsupport.RedisServer;
import io.parley.testsupport.ServiceProcess;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A push registration ends with its session, across the real services: auth-service and notify-service run from
 * their packaged jars on the shared Redis and MariaDB, a user signs in on two devices and registers both for push
 * (FCM stand-in). Signing out one device at auth-service removes that device's registration, and the next message
 * pushes only to the other; deleting the account removes the rest.
 */
class PushSignOutIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void shouldStopPushingToADeviceSignedOutOrOfADeletedAccount() throws Exception {
        RedisServer redis = RedisServer.shared();
        MariaDbServer db = MariaDbServer.shared();
        Map<String, String> common = new HashMap<>();
        common.put("QUARKUS_REDIS_HOSTS", redis.uri());
        common.put("PARLEY_TOKEN_KEY", TestTokens.TOKEN_KEY);
        common.put("QUARKUS_DATASOURCE_USERNAME", MariaDbServer.USER);
        common.put("QUARKUS_DATASOURCE_PASSWORD", MariaDbServer.PASSWORD);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> authEnv = new HashMap<>(common);
        authEnv.put("QUARKUS_DATASOURCE_JDBC_URL", db.createDatabase("parley_auth_push_" + suffix));
        authEnv.put("PARLEY_AUTH_ADMIN_KEY", "test-admin-key");
        authEnv.put("PARLEY_AUTH_BCRYPT_COST", "4");
        String notifyJdbc = db.createDatabase("parley_notify_push_" + suffix);
        Map<String, String> notifyEnv = new HashMap<>(common);
        notifyEnv.put("QUARKUS_DATASOURCE_JDBC_URL", notifyJdbc);
        notifyEnv.put("PARLEY_NOTIFY_DELIVERY_POLL_INTERVAL", "50ms");
        notifyEnv.put("PARLEY_NOTIFY_OUTBOX_BLOCK", "200ms");
        new PushResource().start().forEach((property, value) -> notifyEnv.put(envName(property), value));

        try (ServiceProcess auth = ServiceProcess.start("auth-service",
                Path.of("../auth-service/target/quarkus-app/quarkus-run.jar"), authEnv);
             ServiceProcess notify = ServiceProcess.start("notify-push", notifyEnv)) {
            String username = "push_" + suffix;
            given().baseUri(auth.baseUrl()).contentType(ContentType.JSON)
                    .body(Map.of("username", username, "password", "secret-password"))
                    .post("/api/v1/users").then().statusCode(201);
            JsonPath phone = signIn(auth, username, "phone");
            JsonPath tablet = signIn(auth, username, "tablet");
            long user = phone.getLong("userId");
            String phoneToken = "fcm-" + UUID.randomUUID() + ":phone";
            String tabletToken = "fcm-" + UUID.randomUUID() + ":tablet";
            register(notify, phone.getString("accessToken"), phoneToken);
            register(notify, tablet.getString("accessToken"), tabletToken);

            given().baseUri(auth.baseUrl()).auth().oauth2(phone.getString("accessToken"))
                    .delete("/api/v1/sessions/current").then().statusCode(204);
            await().atMost(WAIT).until(() -> given().baseUri(notify.baseUrl()).auth().oauth2(tablet.getString("accessToken"))
                    .get("/api/v1/push/devices").then().statusCode(200).extract().jsonPath().getList("deviceId")
                    .equals(List.of("tablet")));

            redis.commandArgs("XADD", SharedKeys.OUTBOX_STREAM, "*", SharedKeys.OUTBOX_EVENT_FIELD,
                    OutboxEvent.message(user, "20260101000000" + String.format("%010d", 7) + "0000000001",
                            "d:7:" + user, 1, 7, "after sign-out", "text", System.currentTimeMillis()).json());
            FcmStandIn fcm = PushResource.fcm();
            await().atMost(WAIT).until(() -> fcm.sendsTo(tabletToken).size() == 1);
            assertEquals(0, fcm.sendsTo(phoneToken).size(), "the signed-out phone got no push");

            given().baseUri(auth.baseUrl()).auth().oauth2(tablet.getString("accessToken")).contentType(ContentType.JSON)
                    .body(Map.of("password", "secret-password")).delete("/api/v1/users/me").then().statusCode(204);
            await().atMost(WAIT).until(() -> registrations(notifyJdbc, user) == 0);
        }
    }

    private static JsonPath signIn(ServiceProcess auth, String username, String device) {
        return given().baseUri(auth.baseUrl()).contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", "secret-password", "deviceId", device))
                .post("/api/v1/sessions").then().statusCode(201).extract().jsonPath();
    }

    private static void register(ServiceProcess notify, String accessToken, String fcmToken) {
        given().baseUri(notify.baseUrl()).auth().oauth2(accessToken).contentType(ContentType.JSON)
                .body(Map.of("provider", "fcm", "token", fcmToken)).put("/api/v1/push/devices/current")
                .then().statusCode(200);
    }

    private static long registrations(String jdbc, long user) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, MariaDbServer.USER, MariaDbServer.PASSWORD);
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM push_devices WHERE user_id = ?")) {
            ps.setLong(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** A configuration property as the environment variable Quarkus reads it from. */
    private static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }
}
