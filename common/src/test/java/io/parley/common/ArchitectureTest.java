package io.parley.common;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * common's package rule: no package cycle, and the few packages that use others do so one way — error (the
 * contract's error shapes) knows no other package, token and security are built on it, and the HTTP helpers on top.
 * The other packages (crypto, id, json, node, redis, retention, text, thread) stand alone. ({@code PackageRules} in
 * test-support checks the services the same way; test-support depends on common, so common cannot use it.)
 */
class ArchitectureTest {

    private static final JavaClasses COMMON = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.parley.common");

    @Test
    void packagesShouldBeFreeOfCycles() {
        slices().matching("io.parley.common.(*)..").namingSlices("$1").should().beFreeOfCycles().check(COMMON);
    }

    @Test
    void errorTokenAndSecurityShouldBeLayeredOneWay() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("error").definedBy("io.parley.common.error..")
                .layer("config").definedBy("io.parley.common.config..")
                .layer("token").definedBy("io.parley.common.token..")
                .layer("security").definedBy("io.parley.common.security..")
                .layer("http").definedBy("io.parley.common.http..", "io.parley.common.openapi..")
                .whereLayer("http").mayNotBeAccessedByAnyLayer()
                .whereLayer("security").mayOnlyBeAccessedByLayers("http")
                .whereLayer("token").mayOnlyBeAccessedByLayers("security", "http")
                .whereLayer("config").mayOnlyBeAccessedByLayers("token", "security", "http")
                .check(COMMON);
    }
}
