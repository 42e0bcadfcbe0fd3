package io.parley.chat.support;

import io.parley.testsupport.RedisServer;
import io.parley.testsupport.ServiceProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real id-service (its packaged jar, run as a process on the shared Redis) for the group ids and message ids
 * chat-service leases. One per test JVM; stopped by PID when the JVM exits.
 */
public class IdServiceTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String TOKEN_KEY = "3QjGJ3j2eF7ojUUESyDbaYRiCXgTy3rAEEyS8V2oenY=";
    private static ServiceProcess shared;

    public static synchronized ServiceProcess idService() {
        if (shared == null || !shared.isReady()) {
            shared = ServiceProcess.start("id-service", Path.of("../id-service/target/quarkus-app/quarkus-run.jar"),
                    Map.of("QUARKUS_REDIS_HOSTS", RedisServer.shared().uri(), "PARLEY_TOKEN_KEY", TOKEN_KEY));
        }
        return shared;
    }

    @Override
    public Map<String, String> start() {
        return Map.of("parley.chat.id-service-url", idService().baseUrl());
    }

    @Override
    public void stop() {
        // shared across the test classes of this JVM
    }
}
