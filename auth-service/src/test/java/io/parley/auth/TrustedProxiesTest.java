package io.parley.auth;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.auth.config.TrustedProxiesCheck;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The default trusted proxies (loopback) cost nothing per request. With {@code ::1} in the list, Quarkus took it for a
 * host name and opened a DNS client — a UDP socket it never closed — on every request: signing in 18,000 users ran
 * auth-service out of file descriptors. (Counted are UDP sockets: the test's own HTTP client holds TCP ones.)
 */
@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_auth"))
class TrustedProxiesTest {

    private static final int REQUESTS = 300;

    @Test
    void shouldNotOpenAFileDescriptorPerRequest() {
        given().header("X-Forwarded-For", "203.0.113.9").get("/q/health/live"); // warm: lazy pools open once
        int before = openUdpSockets();
        for (int i = 0; i < REQUESTS; i++) {
            given().header("X-Forwarded-For", "203.0.113." + (i % 250 + 1)).get("/q/health/live")
                    .then().statusCode(200);
        }
        int grown = openUdpSockets() - before;
        assertTrue(grown < REQUESTS / 3, "UDP sockets grew by " + grown + " over " + REQUESTS + " requests");
    }

    @Test
    void shouldTakeAddressesAndCidrsButNoHostNames() {
        for (String ok : new String[]{"127.0.0.1", "10.0.0.0/8", "::1/128", "fd00::/8", "10.244.0.0/16"}) {
            assertTrue(TrustedProxiesCheck.isAddressOrCidr(ok), ok);
        }
        for (String bad : new String[]{"::1", "localhost", "ingress.example.com", "10.0.0.0/x", "fd00::"}) {
            assertFalse(TrustedProxiesCheck.isAddressOrCidr(bad), bad);
        }
    }

    /** This process's open UDP sockets: its socket descriptors whose inode /proc/net/udp(6) lists. */
    private static int openUdpSockets() {
        Set<String> udp = new HashSet<>();
        for (String table : new String[]{"/proc/net/udp", "/proc/net/udp6"}) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] columns = line.trim().split("\\s+");
                    if (columns.length > 9 && !"inode".equals(columns[9])) {
                        udp.add("socket:[" + columns[9] + "]");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        int open = 0;
        File[] fds = new File("/proc/self/fd").listFiles();
        for (File fd : fds == null ? new File[0] : fds) {
            try {
                if (udp.contains(Files.readSymbolicLink(fd.toPath()).toString())) {
                    open++;
                }
            } catch (IOException e) {
                // closed while we looked
            }
        }
        return open;
    }
}
