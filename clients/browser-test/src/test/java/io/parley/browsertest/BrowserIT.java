package io.parley.browsertest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.testsupport.LocalPlatform;
import io.parley.testsupport.Packages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The chat page as two users see it: Debian's Chromium, driven by playwright-core from {@code node --test}
 * (test/*.test.mjs in this module), against all four services started from their packaged jars. Screenshots of
 * each scenario's end state — and, when one fails, of the failure and the pages' console logs — are written to
 * {@code target/browser-screenshots/}.
 */
class BrowserIT {

    /** Generous: CI has two loaded cores; the scenarios themselves wait on conditions, never on time. */
    private static final Duration NPM_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration SCENARIOS_TIMEOUT = Duration.ofMinutes(4);

    @Test
    void chatPageWorksForTwoUsersInChromium() throws Exception {
        Path chromium = Packages.require("chromium", "chromium");
        Path node = NodeRun.node();
        Path npm = NodeRun.npm();
        Path module = Path.of("").toAbsolutePath();
        Path screenshots = Path.of(System.getProperty("parley.screenshots", "target/browser-screenshots"));
        clear(screenshots); // what is there afterwards is this run's

        Map<String, String> npmEnv = Map.of(
                // node_modules is rebuilt from package-lock.json; the npm cache (~/.npm) makes that offline after once
                "npm_config_prefer_offline", "true",
                "npm_config_update_notifier", "false");
        int installed = NodeRun.run("[npm] ", NodeRun.command(npm, "ci", "--no-audit", "--no-fund"),
                module, npmEnv, NPM_TIMEOUT);
        assertEquals(0, installed, "npm ci failed (see [npm] lines above)");

        LocalPlatform platform = LocalPlatform.get();
        Map<String, String> env = new HashMap<>();
        env.put("PARLEY_CHAT_URL", platform.chatUrl());
        env.put("PARLEY_AUTH_URL", platform.authUrl());
        env.put("PARLEY_NOTIFY_URL", platform.notifyUrl());
        env.put("PARLEY_ADMIN_KEY", LocalPlatform.ADMIN_KEY); // the JS client's live test creates an app
        env.put("NODE_OPTIONS", NodeRun.webSocketNodeOptions());
        env.put("PARLEY_CHROMIUM", chromium.toString());
        env.put("PARLEY_SCREENSHOTS", screenshots.toAbsolutePath().toString());
        int exit = NodeRun.run("[browser] ", NodeRun.command(node, "--test", "--test-reporter=spec",
                "--test-concurrency=1", "test/"), module, env, SCENARIOS_TIMEOUT);
        assertEquals(0, exit, "the browser scenarios failed (see [browser] lines above); screenshots and console logs "
                + "in " + screenshots.toAbsolutePath() + "; service logs in target/service-logs/");
    }

    private static void clear(Path directory) throws IOException {
        Files.createDirectories(directory);
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
        }
    }
}
