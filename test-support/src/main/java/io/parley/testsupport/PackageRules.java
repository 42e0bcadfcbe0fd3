package io.parley.testsupport;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The package rules every service keeps, checked on its main classes (tests excluded):
 * <ol>
 *   <li>no cycle among the packages directly below the root ({@code <root>.(*)..} slices): a package never
 *       depends, even through others, on one that depends on it;</li>
 *   <li>a one-way order: each package may use only the packages listed before it in {@link #order} (and itself),
 *       never one listed after it;</li>
 *   <li>every package below the root is in the order, so a new package has to be placed deliberately.</li>
 * </ol>
 * Usage, in a plain JUnit test of the service: {@code PackageRules.of("io.parley.auth").order("config", "redis",
 * "repository", "service", "rest").check();} — lowest first.
 */
public final class PackageRules {

    private final String root;
    private final List<String> order = new ArrayList<>();

    private PackageRules(String root) {
        this.root = root;
    }

    /** The rules for the packages below {@code root}, e.g. {@code io.parley.notify}. */
    public static PackageRules of(String root) {
        return new PackageRules(root);
    }

    /** The packages directly below the root, lowest (depends on nothing of this service) first. */
    public PackageRules order(String... packages) {
        order.addAll(List.of(packages));
        return this;
    }

    /**
     * The service's main classes, without tests: read from the class directories that hold the root package (not
     * from jars, and without scanning the whole class path, which takes half a minute).
     */
    public JavaClasses classes() {
        List<URL> directories = new ArrayList<>();
        try {
            Enumeration<URL> found = Thread.currentThread().getContextClassLoader().getResources(root.replace('.', '/'));
            while (found.hasMoreElements()) {
                URL url = found.nextElement();
                if ("file".equals(url.getProtocol())) {
                    directories.add(url);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // the rules look at this service's own packages only: no need to load every JDK and library class it uses
        ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importUrls(directories);
    }

    /** Fails, naming the offending dependencies, if any rule is broken. */
    public void check() {
        JavaClasses classes = classes();
        if (classes.isEmpty()) {
            throw new AssertionError("no classes found below " + root);
        }
        checkFreeOfCycles(classes);
        checkOrder(classes);
        checkEveryPackagePlaced(classes);
    }

    /** Only the cycle rule (for a service whose order is not fixed yet). */
    public void checkFreeOfCycles() {
        checkFreeOfCycles(classes());
    }

    private void checkFreeOfCycles(JavaClasses classes) {
        slices().matching(root + ".(*)..").namingSlices("$1").should().beFreeOfCycles().check(classes);
    }

    private void checkOrder(JavaClasses classes) {
        for (int i = 0; i < order.size() - 1; i++) {
            String[] higher = order.subList(i + 1, order.size()).stream().map(p -> root + "." + p + "..")
                    .toArray(String[]::new);
            noClasses().that().resideInAPackage(root + "." + order.get(i) + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(higher)
                    .because(order.get(i) + " comes before " + String.join(", ", order.subList(i + 1, order.size()))
                            + " in " + root + "'s package order")
                    .check(classes);
        }
    }

    private void checkEveryPackagePlaced(JavaClasses classes) {
        Set<String> unplaced = new TreeSet<>();
        for (JavaClass c : classes) {
            String pkg = c.getPackageName();
            if (!pkg.startsWith(root + ".")) {
                continue;
            }
            String top = pkg.substring(root.length() + 1).split("\\.")[0];
            if (!order.contains(top)) {
                unplaced.add(top);
            }
        }
        if (!unplaced.isEmpty()) {
            throw new AssertionError("packages below " + root + " missing from its package order " + order + ": "
                    + unplaced + " — place each in the order (and in the service README)");
        }
    }
}
