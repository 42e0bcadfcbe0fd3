package io.parley.loadgen;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** One JSON line: fields in the order they were put, nested maps allowed, no line breaks. */
final class Report {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> fields = new LinkedHashMap<>();

    Report put(String name, Object value) {
        fields.put(name, value);
        return this;
    }

    Map<String, Object> fields() {
        return fields;
    }

    String toJson() {
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of numbers, strings and maps always encodes", e);
        }
    }

    static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    /** {@code part / whole}, rounded; null when there is nothing to divide by. */
    static Double ratio(double part, double whole, int decimals) {
        return whole <= 0 || part < 0 ? null : round(part / whole, decimals);
    }
}
