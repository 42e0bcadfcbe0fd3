package io.parley.chat.it;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points the in-process chat node at the real {@link Platform}. */
public class PlatformTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Platform.get().chatConfig();
    }

    @Override
    public void stop() {
        // the platform is shared by the test JVM and stopped by PID when it exits
    }
}
