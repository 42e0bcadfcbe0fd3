package io.parley.auth;

import static io.parley.auth.AuthTestSupport.PASSWORD;
import static io.parley.auth.AuthTestSupport.register;
import static io.parley.auth.AuthTestSupport.uniqueName;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.auth.service.DeletedAccountRetention;
import io.parley.common.retention.BatchedPurge;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A deleted account's personal data is erased once the retention age has passed — the clock moved, not waited for. */
@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_auth"))
class DeletedAccountRetentionTest {

    @Inject
    DeletedAccountRetention retention;

    @Inject
    MovableClock clock;

    @Inject
    AgroalDataSource db;

    @Inject
    MeterRegistry metrics;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    @Test
    void shouldEraseADeletedAccountsPersonalDataOnceTheAgeHasPassed() throws SQLException {
        String leaverName = uniqueName("gone");
        long leaver = register(leaverName);
        long stayer = register(uniqueName("stays"));
        String token = AuthTestSupport.login(leaverName, PASSWORD, AuthTestSupport.uniqueAddress()).statusCode(201)
                .extract().path("accessToken");
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("password", PASSWORD))
                .delete("/api/v1/users/me").then().statusCode(204);
        double before = metrics.get("parley.retention.purged").tag("what", "deleted-account-data").counter().count();

        erase();
        assertNull(row(leaver).get("personal_data_erased_at"), "deleted today: kept for 30 days (the default)");
        assertNotEquals("", row(leaver).get("password_hash"));
        assertEquals(1L, devices(leaver));

        clock.advance(Duration.ofDays(31));
        erase();
        Map<String, Object> erased = row(leaver);
        assertNotNull(erased.get("personal_data_erased_at"));
        assertEquals("", erased.get("display_name"));
        assertEquals("", erased.get("password_hash"));
        assertEquals(leaverName, erased.get("username"), "the name stays taken");
        assertEquals(0L, devices(leaver));
        assertNull(row(stayer).get("personal_data_erased_at"), "an account not deleted is untouched");
        assertNotEquals("", row(stayer).get("password_hash"));
        assertTrue(metrics.get("parley.retention.purged").tag("what", "deleted-account-data").counter().count() >= before + 1);
        // the name is still refused to a newcomer
        given().contentType(ContentType.JSON).body(Map.of("username", leaverName, "password", PASSWORD))
                .post("/api/v1/users").then().statusCode(409);
    }

    private void erase() {
        AtomicReference<BatchedPurge.Round> round = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> { // the loop's own first round may hold the lock
            round.set(retention.erase());
            return !round.get().skipped();
        });
    }

    private Map<String, Object> row(long id) throws SQLException {
        try (Connection connection = db.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT username, display_name, password_hash, personal_data_erased_at FROM users WHERE id = ?")) {
            select.setLong(1, id);
            try (ResultSet rows = select.executeQuery()) {
                assertTrue(rows.next());
                Map<String, Object> out = new HashMap<>();
                for (String column : new String[] {"username", "display_name", "password_hash", "personal_data_erased_at"}) {
                    out.put(column, rows.getObject(column));
                }
                return out;
            }
        }
    }

    private long devices(long user) throws SQLException {
        try (Connection connection = db.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT COUNT(*) FROM devices WHERE user_id = ?")) {
            select.setLong(1, user);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
