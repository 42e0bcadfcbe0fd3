package io.parley.loadgen;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Reads one gauge of a chat node's Prometheus page ({@code /q/metrics}): the idle scenario's warm-up round waits
 * on {@code parley_chat_connections} until the node has let go of the warm-up connections.
 */
final class NodeMetrics {

    static final String CONNECTIONS = "parley_chat_connections";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The gauge's value on the node at {@code baseUrl} (summed over its label sets); throws if it cannot be read. */
    double gauge(String baseUrl, String name) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/q/metrics"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(baseUrl + "/q/metrics answered " + response.statusCode());
        }
        Double value = parse(response.body(), name);
        if (value == null) {
            throw new IllegalStateException(baseUrl + "/q/metrics has no " + name);
        }
        return value;
    }

    /**
     * The value of the metric {@code name} in a Prometheus text exposition, summed over its samples (one per label
     * set); null if it has no sample. Only that exact name counts ({@code name_total}, {@code name_x} do not).
     */
    static Double parse(String exposition, String name) {
        Double sum = null;
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#' || !line.startsWith(name) || line.length() == name.length()) {
                continue;
            }
            char after = line.charAt(name.length());
            int valueFrom;
            if (after == '{') {
                int close = line.lastIndexOf('}');
                if (close < 0) {
                    continue;
                }
                valueFrom = close + 1;
            } else if (after == ' ' || after == '\t') {
                valueFrom = name.length();
            } else {
                continue;
            }
            // "<value>" or "<value> <timestamp>"
            String[] parts = line.substring(valueFrom).trim().split("\\s+");
            try {
                double v = Double.parseDouble(parts[0]);
                sum = (sum == null ? 0 : sum) + v;
            } catch (NumberFormatException e) {
                // NaN/Inf spelled otherwise, or garbage: not a sample we can use
            }
        }
        return sum;
    }
}
