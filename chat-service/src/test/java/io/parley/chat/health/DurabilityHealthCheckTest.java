package io.parley.chat.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisServer;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Durability {@code aof} on a Redis that does not fsync every write: not ready, saying why; ready once it does. */
@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_chat"))
@TestProfile(DurabilityHealthCheckTest.AofDurability.class)
class DurabilityHealthCheckTest {

    public static class AofDurability implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.chat.durability.level", "aof");
        }
    }

    @AfterEach
    void restore() {
        RedisServer.shared().command("CONFIG SET appendonly no");
    }

    @Test
    void aofDurabilityShouldBeReadyOnlyWhileRedisFsyncsEveryWrite() {
        RedisServer.shared().command("CONFIG SET appendonly no");
        given().get("/q/health/ready").then().statusCode(503)
                .body(containsString("appendfsync"));
        RedisServer.shared().command("CONFIG SET appendonly yes");
        RedisServer.shared().command("CONFIG SET appendfsync always");
        given().get("/q/health/ready").then().statusCode(200)
                .body(containsString("\"level\": \"aof\""));
    }
}
