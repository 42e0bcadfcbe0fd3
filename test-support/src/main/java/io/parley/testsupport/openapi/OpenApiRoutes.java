package io.parley.testsupport.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The operations of an OpenAPI document (JSON), except Quarkus' own {@code /q/…} endpoints. */
public final class OpenApiRoutes {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

    private final Map<Route, JsonNode> operations = new TreeMap<>();

    private OpenApiRoutes(JsonNode document) {
        Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            if (path.getKey().startsWith("/q/")) {
                continue;
            }
            Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields();
            while (methods.hasNext()) {
                Map.Entry<String, JsonNode> method = methods.next();
                if (METHODS.contains(method.getKey())) {
                    operations.put(Route.of(method.getKey(), path.getKey()), method.getValue());
                }
            }
        }
    }

    public static OpenApiRoutes parse(String json) {
        try {
            return new OpenApiRoutes(new ObjectMapper().readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException("not an OpenAPI JSON document", e);
        }
    }

    public Set<Route> routes() {
        return new TreeSet<>(operations.keySet());
    }

    /** Operations without a summary. */
    public Set<Route> withoutSummary() {
        Set<Route> missing = new TreeSet<>();
        operations.forEach((route, operation) -> {
            if (operation.path("summary").asText("").isBlank()) {
                missing.add(route);
            }
        });
        return missing;
    }

    /** Operations with an error response (4xx/5xx) whose body is not the contract's error body. */
    public Set<Route> withErrorsOutsideTheErrorBody(String errorSchemaRef) {
        Set<Route> wrong = new TreeSet<>();
        operations.forEach((route, operation) -> operation.path("responses").fields().forEachRemaining(response -> {
            boolean error = response.getKey().startsWith("4") || response.getKey().startsWith("5");
            String ref = response.getValue().path("content").path("application/json").path("schema").path("$ref").asText();
            if (error && !ref.equals(errorSchemaRef)) {
                wrong.add(route);
            }
        }));
        return wrong;
    }

    /** Operations that answer nothing but success: no error response listed. */
    public Set<Route> withoutErrorResponses() {
        Set<Route> none = new TreeSet<>();
        operations.forEach((route, operation) -> {
            boolean anyError = false;
            for (Iterator<String> codes = operation.path("responses").fieldNames(); codes.hasNext(); ) {
                String code = codes.next();
                anyError |= code.startsWith("4") || code.startsWith("5");
            }
            if (!anyError) {
                none.add(route);
            }
        });
        return none;
    }
}
