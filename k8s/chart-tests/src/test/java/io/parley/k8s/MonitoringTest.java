package io.parley.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.parley.testsupport.Packages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alerts and the dashboard the chart ships: the rendered PrometheusRule passes {@code promtool check rules}
 * (Debian's prometheus package, installed if missing), every alert says what it means and links a runbook that
 * docs/operations.md has, and the dashboard ConfigMap carries the sidecar's label and valid JSON. That every
 * metric they name exists in a running service's /q/metrics is {@code MonitoringMetricsIT}.
 */
class MonitoringTest {

    private static final String RUNBOOK_BASE = "https://git.example.com/parley/blob/main/docs/operations.md";

    @TempDir
    Path temp;

    private static Map<String, Object> renderedRuleSpec() {
        HasMetadata rule = Manifests.ofKind(Renders.prod(), "PrometheusRule").get(0);
        return ((GenericKubernetesResource) rule).get("spec");
    }

    /** {@code promtool check rules <file>}: the exit code and what it printed. */
    static ProcessResult promtool(Path rules) throws IOException, InterruptedException {
        Path promtool = Packages.require("promtool", "prometheus");
        Process process = new ProcessBuilder(promtool.toString(), "check", "rules", rules.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        return new ProcessResult(process.exitValue(), output);
    }

    record ProcessResult(int exit, String output) {
    }

    @Test
    void shouldPassPromtoolCheckRulesAsRendered() throws Exception {
        Path rules = temp.resolve("parley-rules.yaml");
        Files.writeString(rules, new YAMLMapper().writeValueAsString(renderedRuleSpec()));
        ProcessResult result = promtool(rules);
        assertEquals(0, result.exit(), result.output());
        assertTrue(result.output().contains("SUCCESS"), result.output());
    }

    @Test
    void shouldFailPromtoolOnABrokenExpression() throws Exception {
        Path rules = temp.resolve("broken.yaml");
        Files.writeString(rules, Files.readString(Monitoring.alertsFile())
                .replace("increase(parley_chat_persist_failures_total[5m])", "increase(parley_chat_persist_failures_total[5m]"));
        ProcessResult result = promtool(rules);
        assertNotEquals(0, result.exit(), result.output());
    }

    @Test
    void shouldLinkEveryAlertToARunbookInOperationsMd() {
        Set<String> anchors = Monitoring.operationsAnchors();
        List<String> problems = new ArrayList<>();
        JsonNode groups = new ObjectMapper().valueToTree(renderedRuleSpec()).path("groups");
        int alerts = 0;
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                alerts++;
                String name = rule.path("alert").asText();
                JsonNode annotations = rule.path("annotations");
                String runbook = annotations.path("runbook_url").asText();
                if (!runbook.startsWith(RUNBOOK_BASE + "#") || !anchors.contains(runbook.substring(RUNBOOK_BASE.length() + 1))) {
                    problems.add(name + ": runbook_url " + runbook + " is not a heading of docs/operations.md");
                }
                if (annotations.path("summary").asText().isBlank() || annotations.path("description").asText().isBlank()) {
                    problems.add(name + ": no summary or description");
                }
                if (rule.path("labels").path("severity").asText().isBlank()) {
                    problems.add(name + ": no severity");
                }
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(alerts >= 10, "alerts: " + alerts);
    }

    @Test
    void shouldAlertOnWhatTheOnCallActsOn() throws IOException {
        String rules = Files.readString(Monitoring.alertsFile());
        for (String metric : List.of("parley_chat_persist_pending", "parley_chat_persist_failures_total",
                "parley_notify_dead_total", "parley_chat_shed_connections_total", "parley_chat_fanout_gaps_total",
                "status=\"401\"")) {
            assertTrue(rules.contains(metric), "an alert on " + metric);
        }
    }

    @Test
    void shouldShipTheDashboardForTheGrafanaSidecar() throws IOException {
        ConfigMap dashboard = Manifests.named(Renders.prod(), ConfigMap.class, "parley-grafana-dashboard");
        assertEquals("1", dashboard.getMetadata().getLabels().get("grafana_dashboard"));
        JsonNode json = new ObjectMapper().readTree(dashboard.getData().get("parley.json"));
        assertEquals("parley-overview", json.path("uid").asText());
        assertTrue(Monitoring.dashboardExpressions().size() >= 20);
        for (String metric : List.of("parley_chat_connections", "parley_chat_frames_out_total", "parley_chat_append_seconds",
                "parley_chat_unacked", "parley_chat_persist_pending", "parley_notify_outbox_lag", "parley_notify_dead_total",
                "parley_chat_persist_failures_total")) {
            assertTrue(Monitoring.allMetricNames().contains(metric), "the dashboard shows " + metric);
        }
    }

    @Test
    void shouldShipNeitherByDefault() {
        List<HasMetadata> objects = Renders.defaults();
        assertTrue(Manifests.ofKind(objects, "PrometheusRule").isEmpty());
        assertFalse(objects.stream().anyMatch(o -> o.getMetadata().getName().equals("parley-grafana-dashboard")));
    }

    @Test
    void shouldFindMetricNamesInPromqlButNotFunctionsLabelsOrValues() {
        assertEquals(Set.of("parley_chat_closed_total"),
                Monitoring.metricsIn("sum by (pod) (rate(parley_chat_closed_total{reason=\"parley_x_total\"}[5m])) > 1"));
        assertEquals(Set.of("up"), Monitoring.metricsIn("up{job=\"chat-service\"} == 0"));
        assertEquals(Set.of("parley_chat_unacked"), Monitoring.metricsIn("sum by (pod) (parley_chat_unacked)"));
    }
}
