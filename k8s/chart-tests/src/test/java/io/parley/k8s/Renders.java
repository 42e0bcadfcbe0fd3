package io.parley.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Renders of the chart shared by the tests (each render takes a moment; they are made once per JVM). */
final class Renders {

    private static String defaultYaml;
    private static String prodYaml;

    private Renders() {
    }

    static Path chart() {
        return ChartRenderer.chartDir();
    }

    static Path prodValues() {
        return chart().resolve("values-prod.yaml");
    }

    static synchronized String defaultYaml() {
        if (defaultYaml == null) {
            defaultYaml = ChartRenderer.render(chart(), List.of(), Map.of());
        }
        return defaultYaml;
    }

    static synchronized String prodYaml() {
        if (prodYaml == null) {
            prodYaml = ChartRenderer.render(chart(), List.of(prodValues()), Map.of());
        }
        return prodYaml;
    }

    static List<HasMetadata> defaults() {
        return Manifests.parse(defaultYaml());
    }

    static List<HasMetadata> prod() {
        return Manifests.parse(prodYaml());
    }

    static List<HasMetadata> with(Map<String, Object> set) {
        return Manifests.parse(ChartRenderer.render(chart(), List.of(), set));
    }
}
