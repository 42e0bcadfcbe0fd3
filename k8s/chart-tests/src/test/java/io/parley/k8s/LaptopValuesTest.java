package io.parley.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The laptop install (k8s/README.md "Laptop install with kind or k3d"), as far as a machine without a cluster can
 * check it: the chart renders with values-laptop.yaml (schema included) and satisfies every rule; the four Parley
 * images are exactly what scripts/build-images.sh tags and are never pulled (they are loaded into the cluster and not
 * published); every other image is a public one pinned to a tag; the ingress routes every operation; the kind
 * configuration maps the laptop's port 80 to the ingress controller; and the README's steps name these files.
 */
class LaptopValuesTest {

    /** Public images the chart uses, each pinned (a new one must be added here on purpose, after pulling it once). */
    private static final Set<String> PUBLIC_IMAGES = Set.of(
            "docker.io/library/redis:7.4", "docker.io/library/mysql:8.4", "docker.io/groundnuty/k8s-wait-for:no-root-v1.7");

    static Path laptopValues() {
        return Renders.chart().resolve("values-laptop.yaml");
    }

    static List<HasMetadata> laptop() {
        return Manifests.parse(ChartRenderer.render(Renders.chart(), List.of(laptopValues()), Map.of()));
    }

    @Test
    void shouldSatisfyEveryRule() {
        List<HasMetadata> objects = laptop();
        assertEquals(List.of(), ChartRules.check(objects));
        List<String> typing = new ArrayList<>();
        objects.forEach(o -> typing.addAll(Manifests.typingProblems(o)));
        assertEquals(List.of(), typing);
    }

    @Test
    void shouldRunTheLoadedParleyImagesAndOnlyPinnedPublicOnes() throws IOException {
        String version = mavenVersion();
        List<String> problems = new ArrayList<>();
        for (HasMetadata o : laptop()) {
            PodSpec pod = o instanceof Deployment d ? d.getSpec().getTemplate().getSpec()
                    : o instanceof StatefulSet s ? s.getSpec().getTemplate().getSpec()
                    : o instanceof Job j ? j.getSpec().getTemplate().getSpec() : null;
            if (pod == null) {
                continue;
            }
            List<Container> containers = new ArrayList<>(pod.getContainers());
            if (pod.getInitContainers() != null) {
                containers.addAll(pod.getInitContainers());
            }
            for (Container c : containers) {
                String image = c.getImage();
                Matcher parley = Pattern.compile("docker\\.io/parley/(auth|id|chat|notify)-service:(.+)").matcher(image);
                if (parley.matches()) {
                    if (!parley.group(2).equals(version)) {
                        problems.add(Manifests.id(o) + ": " + image + " is not the tag build-images.sh gives (" + version + ")");
                    }
                    if (!"Never".equals(c.getImagePullPolicy())) {
                        problems.add(Manifests.id(o) + ": " + image + " would be pulled, and it is not published");
                    }
                } else if (!PUBLIC_IMAGES.contains(image)) {
                    problems.add(Manifests.id(o) + ": " + image + " is neither a loaded Parley image nor a known public one");
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void shouldRouteEveryOperationThroughTheLaptopIngress() throws IOException {
        Ingress ingress = Manifests.named(laptop(), Ingress.class, "parley");
        assertEquals("parley.localhost", ingress.getSpec().getRules().get(0).getHost());
        assertEquals(List.of(), IngressRoutesTest.misroutes(ingress));
    }

    @Test
    void shouldMapPort80OfTheLaptopToTheIngressNode() throws IOException {
        JsonNode kind = new YAMLMapper().readTree(ChartRenderer.k8sDir().resolve("laptop/kind-config.yaml").toFile());
        JsonNode node = kind.path("nodes").get(0);
        assertTrue(node.path("kubeadmConfigPatches").toString().contains("ingress-ready=true"));
        assertTrue(Stream.of(80, 443).allMatch(port -> node.path("extraPortMappings").findValues("hostPort").stream()
                .anyMatch(p -> p.asInt() == port)), node.toString());
    }

    @Test
    void shouldDescribeTheStepsWithTheseFiles() throws IOException {
        String readme = Files.readString(ChartRenderer.k8sDir().resolve("README.md"));
        for (String step : List.of("scripts/build-images.sh", "k8s/laptop/kind-config.yaml", "kind load docker-image",
                "k3d image import", "-f k8s/helm/parley/values-laptop.yaml", "http://parley.localhost/")) {
            assertTrue(readme.contains(step), "k8s/README.md's laptop install names " + step);
        }
        assertTrue(readme.contains("for s in auth-service id-service chat-service notify-service; do echo docker.io/parley/$s:$VERSION"),
                "the README loads the four images build-images.sh tags");
    }

    private static String mavenVersion() throws IOException {
        Matcher pom = Pattern.compile("<artifactId>parley-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(ChartRenderer.k8sDir().getParent().resolve("pom.xml")));
        assertTrue(pom.find());
        return pom.group(1);
    }
}
