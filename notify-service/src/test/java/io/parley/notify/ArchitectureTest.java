package io.parley.notify;

import io.parley.testsupport.PackageRules;
import org.junit.jupiter.api.Test;

/**
 * The package rule of this service (see its README): no package cycle, and a one-way order in which a package
 * uses only the packages before it. A new package must be placed in the order.
 */
class ArchitectureTest {

    @Test
    void packagesFormAOneWayOrderWithoutCycles() {
        PackageRules.of("io.parley.notify")
                .order("config", "support", "sender", "channel", "push", "preference", "delivery", "notification", "relay")
                .check();
    }
}
