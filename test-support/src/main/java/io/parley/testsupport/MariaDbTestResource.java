package io.parley.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a Quarkus test at a real MariaDB server (shared by the test JVM) and its own database, named by
 * the init argument {@code database} (default {@code parley}).
 */
public class MariaDbTestResource implements QuarkusTestResourceLifecycleManager {

    private String database = "parley";

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        MariaDbServer server = MariaDbServer.shared();
        return Map.of(
                "quarkus.datasource.jdbc.url", server.createDatabase(database),
                "quarkus.datasource.username", MariaDbServer.USER,
                "quarkus.datasource.password", MariaDbServer.PASSWORD);
    }

    @Override
    public void stop() {
        // shared across the test classes of this JVM; stopped by PID when the JVM exits
    }
}
