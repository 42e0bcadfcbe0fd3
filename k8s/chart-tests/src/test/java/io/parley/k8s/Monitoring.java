package io.parley.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The chart's alert rules and Grafana dashboard, and the metric names their PromQL expressions use. */
final class Monitoring {

    /** Series Prometheus makes itself (not in any /q/metrics). */
    static final Set<String> PROMETHEUS_OWN = Set.of("up");

    /** A metric name in PromQL: Parley's and Quarkus' families, or Prometheus' own up (functions and labels are not). */
    private static final Pattern METRIC = Pattern.compile("\\b(parley_[a-z0-9_]+|http_server_[a-z0-9_]+|jvm_[a-z0-9_]+|process_[a-z0-9_]+|up)\\b(?=\\s*[{\\[)]|\\s*$|\\s*[=<>!])");
    private static final Pattern QUOTED = Pattern.compile("\"[^\"]*\"");

    private Monitoring() {
    }

    static Path alertsFile() {
        return Renders.chart().resolve("monitoring/alerts.yaml");
    }

    static Path dashboardFile() {
        return Renders.chart().resolve("monitoring/parley-dashboard.json");
    }

    static Path operationsDoc() {
        return ChartRenderer.k8sDir().getParent().resolve("docs/operations.md");
    }

    /** The metric names an expression uses (label values in quotes are not names). */
    static Set<String> metricsIn(String promql) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(QUOTED.matcher(promql).replaceAll("\"\""));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Every expr of the rule file. */
    static List<String> alertExpressions() {
        try {
            JsonNode groups = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(alertsFile().toFile()).path("groups");
            List<String> exprs = new ArrayList<>();
            groups.forEach(g -> g.path("rules").forEach(r -> exprs.add(r.path("expr").asText())));
            return exprs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every target expression of every panel of the dashboard (rows included). */
    static List<String> dashboardExpressions() {
        try {
            JsonNode dashboard = new ObjectMapper().readTree(dashboardFile().toFile());
            List<String> exprs = new ArrayList<>();
            collectTargets(dashboard.path("panels"), exprs);
            dashboard.path("templating").path("list").forEach(v -> {
                JsonNode query = v.path("query");
                String text = query.isObject() ? query.path("query").asText() : query.asText();
                if (v.path("type").asText().equals("query")) {
                    exprs.add(text.replaceAll("^label_values\\((.*),\\s*\\w+\\)$", "$1"));
                }
            });
            return exprs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void collectTargets(JsonNode panels, List<String> exprs) {
        panels.forEach(p -> {
            p.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
            collectTargets(p.path("panels"), exprs);
        });
    }

    static Set<String> allMetricNames() {
        Set<String> names = new TreeSet<>();
        alertExpressions().forEach(e -> names.addAll(metricsIn(e)));
        dashboardExpressions().forEach(e -> names.addAll(metricsIn(e)));
        return names;
    }

    /** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens. */
    static String anchor(String heading) {
        return heading.trim().toLowerCase().replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
    }

    static Set<String> operationsAnchors() {
        try {
            Set<String> anchors = new TreeSet<>();
            for (String line : Files.readAllLines(operationsDoc())) {
                if (line.startsWith("#")) {
                    anchors.add(anchor(line.replaceFirst("^#+", "")));
                }
            }
            return anchors;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
