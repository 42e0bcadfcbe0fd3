package io.parley.chat;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * chat-service's package rule (see its README): the packages directly below {@code io.parley.chat} form a one-way
 * order — a package uses only packages listed before it in {@link #ORDER}, never one after it — so there is no
 * package cycle. A new package has to be placed in the order (and in the README's map).
 */
class ArchitectureTest {

    private static final String ROOT = "io.parley.chat";

    /** Lowest first: each package may depend on the ones before it (and on itself) only. */
    static final List<String> ORDER = List.of(
            "config",                       // settings; knows nothing of the service
            "protocol",                     // the wire format: frames, ids, close codes
            "client", "filter", "store",    // peers over HTTP, the word filter, Redis keys/scripts and MySQL
            "fanout",                       // the node's pub/sub connection and its receivers' interface
            "contacts",                     // contact lists (on the store)
            "delivery",                     // this node's connections, outbound queues, acknowledgement windows
            "presence", "notify", "topics", // features on top of the connections
            "service",                      // send, sync, ack, read, groups, conversations
            "gateway",                      // the WebSocket endpoints
            "health", "admin", "rest");     // HTTP endpoints

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        List<URL> directories = new ArrayList<>();
        try { // this module's class directories only: scanning every jar on the class path takes half a minute
            Enumeration<URL> found = Thread.currentThread().getContextClassLoader().getResources(ROOT.replace('.', '/'));
            while (found.hasMoreElements()) {
                URL url = found.nextElement();
                if ("file".equals(url.getProtocol())) {
                    directories.add(url);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importUrls(directories);
        if (classes.isEmpty()) {
            throw new AssertionError("no classes found below " + ROOT);
        }
    }

    @Test
    void noPackageCycles() {
        slices().matching(ROOT + ".(*)..").namingSlices("$1").should().beFreeOfCycles().check(classes);
    }

    @Test
    void eachPackageUsesOnlyThePackagesBeforeIt() {
        List<String> reports = new ArrayList<>(); // every package's violations at once, not only the first's
        for (int i = 0; i < ORDER.size() - 1; i++) {
            List<String> later = ORDER.subList(i + 1, ORDER.size());
            EvaluationResult result = noClasses().that().resideInAPackage(ROOT + "." + ORDER.get(i) + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(
                            later.stream().map(p -> ROOT + "." + p + "..").toArray(String[]::new))
                    .because(ORDER.get(i) + " comes before " + String.join(", ", later) + " in chat-service's package order")
                    .evaluate(classes);
            if (result.hasViolation()) {
                reports.add(result.getFailureReport().toString());
            }
        }
        if (!reports.isEmpty()) {
            throw new AssertionError(String.join("\n", reports));
        }
    }

    @Test
    void everyPackageIsPlacedInTheOrder() {
        Set<String> unplaced = new TreeSet<>();
        for (JavaClass c : classes) {
            String pkg = c.getPackageName();
            if (pkg.startsWith(ROOT + ".")) {
                String top = pkg.substring(ROOT.length() + 1).split("\\.")[0];
                if (!ORDER.contains(top)) {
                    unplaced.add(top);
                }
            }
        }
        if (!unplaced.isEmpty()) {
            throw new AssertionError("packages missing from chat-service's package order " + ORDER + ": " + unplaced);
        }
    }
}
