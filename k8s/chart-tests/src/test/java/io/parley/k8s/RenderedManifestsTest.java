package io.parley.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code kubectl apply -k k8s/} applies the chart's default render, and that render is current. */
class RenderedManifestsTest {

    @Test
    void shouldMatchAFreshRenderOfTheChart() throws IOException {
        Path file = ChartRenderer.renderedFile();
        String expected = ChartRenderer.renderForKubectl(Renders.chart());
        if (Boolean.getBoolean("parley.k8s.write")) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, expected);
        }
        assertTrue(Files.exists(file), file + " is missing: run scripts/render-k8s.sh");
        assertEquals(expected, Files.readString(file),
                "k8s/rendered/parley.yaml differs from the chart: run scripts/render-k8s.sh and commit the result");
    }

    @Test
    void shouldSatisfyEveryRule() throws IOException {
        assertEquals(List.of(), ChartRules.check(Manifests.parse(Files.readString(ChartRenderer.renderedFile()))));
    }

    @Test
    void shouldBeWhatTheKustomizationApplies() throws IOException {
        JsonNode kustomization = new ObjectMapper(new YAMLFactory())
                .readTree(ChartRenderer.k8sDir().resolve("kustomization.yaml").toFile());
        List<String> resources = new ArrayList<>();
        kustomization.get("resources").forEach(r -> resources.add(r.asText()));
        assertTrue(resources.contains("rendered/parley.yaml"), resources::toString);
        for (String resource : resources) {
            assertTrue(Files.exists(ChartRenderer.k8sDir().resolve(resource)), resource + " does not exist");
            assertTrue(!resource.startsWith("generated/"), "k8s/generated is the reference the chart is checked against, not applied");
        }
        assertEquals(ChartRenderer.NAMESPACE, kustomization.get("namespace").asText());
    }
}
