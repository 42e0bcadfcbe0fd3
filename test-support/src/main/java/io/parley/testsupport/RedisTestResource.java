package io.parley.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points a Quarkus test at a real Redis server (shared by the test JVM). */
public class RedisTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("quarkus.redis.hosts", RedisServer.shared().uri());
    }

    @Override
    public void stop() {
        // shared across the test classes of this JVM; stopped by PID when the JVM exits
    }
}
