package io.parley.auth;

import static io.parley.auth.AuthTestSupport.register;
import static io.parley.auth.AuthTestSupport.uniqueName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.parley.auth.redis.RedisKeys;
import io.parley.auth.service.UserIdFloor;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * MySQL restored from a backup while Redis kept its data: the accounts created after the backup are gone, and
 * {@code users.id}'s counter is back at its backup value. A new account must not get one of their ids (Redis still
 * holds their sessions and conversations, which it would inherit).
 */
@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_auth"))
class UserIdFloorTest {

    @Inject
    UserIdFloor floor;

    @Inject
    RedisDataSource redis;

    @Inject
    AgroalDataSource db;

    @Test
    void anAccountLostWithARestoreShouldNeverHaveItsIdHandedOutAgain() throws SQLException {
        long lost = register(uniqueName("lost"));
        assertEquals(Long.toString(lost), redis.value(String.class).get(RedisKeys.USER_ID_HIGH_WATER),
                "every registration raises the mark");

        // the restore: the account's row is gone and the counter is back where the backup had it
        try (Connection connection = db.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DELETE FROM devices WHERE user_id = " + lost);
            statement.execute("DELETE FROM users WHERE id = " + lost);
            statement.execute("ALTER TABLE users AUTO_INCREMENT = 1"); // MariaDB takes MAX(id) + 1
        }

        assertEquals(lost, floor.raise(), "what the service does as it starts after the restore");
        long next = register(uniqueName("after"));
        assertTrue(next > lost, "the new account got " + next + ", the lost one had " + lost);
    }
}
