package io.parley.auth;

import io.parley.testsupport.PackageRules;
import org.junit.jupiter.api.Test;

/**
 * The package rule of this service (see its README): no package cycle, and a one-way order in which a package
 * uses only the packages before it. A new package must be placed in the order.
 */
class ArchitectureTest {

    @Test
    void packagesFormAOneWayOrderWithoutCycles() {
        PackageRules.of("io.parley.auth")
                .order("config", "redis", "repository", "service", "rest")
                .check();
    }
}
