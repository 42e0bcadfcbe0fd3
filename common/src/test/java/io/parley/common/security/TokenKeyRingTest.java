package io.parley.common.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.common.config.TokenConfig;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key set file is re-read while running; a broken file keeps the last good keys. */
class TokenKeyRingTest {

    private static final String K1 = "3QjGJ3j2eF7ojUUESyDbaYRiCXgTy3rAEEyS8V2oenY=";
    private static final String K2 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    private final Vertx vertx = Vertx.vertx();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        vertx.close();
    }

    private static TokenConfig config(Optional<String> key, Optional<String> keys, Optional<String> file) {
        return new TokenConfig() {
            public Optional<String> key() { return key; }
            public Optional<String> keys() { return keys; }
            public Optional<String> keysFile() { return file; }
            public Duration keysReloadInterval() { return Duration.ofMillis(100); }
            public Duration accessTtl() { return Duration.ofMinutes(15); }
            public Duration refreshTtl() { return Duration.ofDays(30); }
            public Duration appTokenTtl() { return Duration.ofHours(1); }
            public Duration revocationCacheTtl() { return Duration.ofMillis(500); }
            public int revocationCacheSize() { return 10; }
        };
    }

    private void write(Path file, String text) throws Exception {
        Path tmp = Files.createTempFile(dir, "keys", ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String entry(String kid, String k) {
        return "{\"kid\":\"" + kid + "\",\"k\":\"" + k + "\"}";
    }

    @Test
    void shouldPickUpAChangedFileAndKeepTheLastGoodSetWhenItBreaks() throws Exception {
        Path file = dir.resolve("keys.json");
        write(file, "{\"keys\":[" + entry("k1", K1) + "]}");
        TokenKeyRing ring = new TokenKeyRing(config(Optional.empty(), Optional.empty(), Optional.of(file.toString())), vertx);
        ring.start(null);
        assertEquals("k1", ring.get().sealingKey(Instant.now()).kid());

        write(file, "{\"keys\":[" + entry("k1", K1) + "," + entry("k2", K2) + "]}");
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> "k2".equals(ring.get().sealingKey(Instant.now()).kid()));

        write(file, "{\"keys\":[ broken");
        ring.reload();
        write(file, "{\"keys\":[" + entry("k1", K1) + "," + entry("k2", K2) + "," + entry("k3", K1) + "]}");
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> "k3".equals(ring.get().sealingKey(Instant.now()).kid()));
        ring.stop(null);
    }

    @Test
    void shouldKeepTheLastGoodSetWhileTheFileIsBroken() throws Exception {
        Path file = dir.resolve("keys.json");
        write(file, "{\"keys\":[" + entry("k1", K1) + "]}");
        TokenKeyRing ring = new TokenKeyRing(config(Optional.empty(), Optional.empty(), Optional.of(file.toString())), vertx);
        write(file, "{\"keys\":[" + entry("k2", "c2hvcnQ=") + "]}");
        ring.reload();
        Files.delete(file);
        ring.reload();
        // a good set written afterwards is taken, so both reloads above have been handled by then
        write(file, "{\"keys\":[" + entry("k1", K1) + "," + entry("k4", K2) + "]}");
        ring.reload();
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> "k4".equals(ring.get().sealingKey(Instant.now()).kid()));
    }

    @Test
    void shouldFailAtStartOnABadOrMissingSource() {
        assertThrows(IllegalArgumentException.class, () -> new TokenKeyRing(
                config(Optional.empty(), Optional.empty(), Optional.of(dir.resolve("missing").toString())), vertx));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TokenKeyRing(
                config(Optional.empty(), Optional.of("{\"keys\":[]}"), Optional.empty()), vertx));
        assertTrue(e.getMessage().contains("parley.token.keys"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TokenKeyRing(
                config(Optional.empty(), Optional.empty(), Optional.empty()), vertx));
        assertEquals(null, new TokenKeyRing(config(Optional.of(K1), Optional.empty(), Optional.empty()), vertx)
                .get().sealingKey(Instant.now()).kid(), "the single legacy key seals without a kid");
    }
}
