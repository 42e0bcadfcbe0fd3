package io.parley.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Images: one name and tag for Maven, the Dockerfiles and the chart; the user the chart runs is the image's. */
class ImagesTest {

    static Path root() {
        return ChartRenderer.k8sDir().getParent();
    }

    @Test
    void shouldTagImagesWithTheMavenProjectVersion() throws IOException {
        Matcher pom = Pattern.compile("<artifactId>parley-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(root().resolve("pom.xml")));
        assertTrue(pom.find());
        Matcher chart = Pattern.compile("(?m)^appVersion:\\s*\"?([^\"\\s]+)\"?").matcher(Files.readString(Renders.chart().resolve("Chart.yaml")));
        assertTrue(chart.find());
        assertEquals(pom.group(1), chart.group(1), "Chart.yaml appVersion (the default image tag) is the Maven project version");
    }

    @ParameterizedTest
    @CsvSource({"auth-service,8081", "id-service,8084", "chat-service,8080", "notify-service,8083"})
    void shouldBuildNonRootImagesOnTheContractPort(String service, int port) throws IOException {
        Path docker = root().resolve(service).resolve("src/main/docker");
        String jvm = Files.readString(docker.resolve("Dockerfile.jvm"));
        assertTrue(jvm.contains("FROM registry.access.redhat.com/ubi9/openjdk-17-runtime"));
        String nativeMicro = Files.readString(docker.resolve("Dockerfile.native-micro"));
        assertTrue(nativeMicro.contains("quay.io/quarkus/ubi9-quarkus-mandrel-builder-image:jdk-21"));
        assertTrue(nativeMicro.contains("FROM quay.io/quarkus/ubi9-quarkus-micro-image:2.0"));
        assertTrue(Files.exists(docker.resolve("Dockerfile.native-micro.dockerignore")));
        long runAsUser = Manifests.named(Renders.defaults(), Deployment.class, service).getSpec().getTemplate().getSpec()
                .getSecurityContext().getRunAsUser();
        for (String dockerfile : new String[] {jvm, nativeMicro}) {
            assertTrue(dockerfile.contains("\nEXPOSE " + port + "\n"), service + " exposes " + port);
            assertTrue(dockerfile.contains("\nUSER " + runAsUser + "\n"), service + " runs as the chart's user " + runAsUser);
        }
    }
}
