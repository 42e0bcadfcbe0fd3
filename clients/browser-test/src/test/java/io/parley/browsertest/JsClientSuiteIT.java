package io.parley.browsertest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** clients/js's own {@code node --test} suite (no dependencies, no services), so that it runs in ./parley test. */
class JsClientSuiteIT {

    @Test
    void jsClientNodeTestsPass() {
        Path client = Path.of("..", "js").toAbsolutePath().normalize();
        assertEquals(true, Files.isDirectory(client.resolve("test")), client + "/test is missing");
        int exit = NodeRun.run("[js-client] ", NodeRun.command(NodeRun.node(), "--test", "--test-reporter=spec", "test/"),
                client, Map.of(), Duration.ofMinutes(3));
        assertEquals(0, exit, "clients/js: node --test failed (see [js-client] lines above)");
    }
}
