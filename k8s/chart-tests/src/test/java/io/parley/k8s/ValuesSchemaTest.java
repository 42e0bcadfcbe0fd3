package io.parley.k8s;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A wrong value stops helm template / install (values.schema.json, or a fail() in the templates). */
class ValuesSchemaTest {

    static Stream<Arguments> wrongValues() {
        return Stream.of(
                Arguments.of(Map.of("redis.mode", "banana"), "redis.mode"),
                Arguments.of(Map.of("redis.durability", "sometimes"), "durability"),
                Arguments.of(Map.of("chat.replicas", -1), "replicas"),
                Arguments.of(Map.of("auth.replica", 3), "replica"),
                Arguments.of(Map.of("podSecurityContext.runAsNonRoot", false), "runAsNonRoot"),
                Arguments.of(Map.of("containerSecurityContext.allowPrivilegeEscalation", true), "allowPrivilegeEscalation"),
                Arguments.of(Map.of("config.revocationCacheTtl", "2s"), "revocationCacheTtl"),
                Arguments.of(Map.of("chat.limits.maxFrameBytes", 0), "maxFrameBytes"),
                Arguments.of(Map.of("chat.quotas.connections", -1), "connections"),
                Arguments.of(Map.of("chat.quotas.overrides", "big:conections=5"), "overrides"),
                Arguments.of(Map.of("chat.terminationGracePeriodSeconds", 20), "terminationGracePeriodSeconds"),
                Arguments.of(Map.of("chat.drain.windowSeconds", 60), "terminationGracePeriodSeconds"),
                Arguments.of(Map.of("redis.mode", "cluster"), "external Redis Cluster"),
                Arguments.of(Map.of("redis.durability", "replica"), "replica"),
                Arguments.of(Map.of("redis.enabled", false, "redis.external.hosts[0]", "redis://r:6379",
                        "redis.mode", "cluster", "redis.durability", "replica"), "use aof"),
                Arguments.of(Map.of("mysql.enabled", false), "mysql.external.host"),
                Arguments.of(Map.of("ingress.routes[0].service", "billing"), "service"),
                Arguments.of(Map.of("image.pullPolicy", "Sometimes"), "pullPolicy"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongValues")
    void shouldRefuseAWrongValue(Map<String, Object> set, String mentioned) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> ChartRenderer.render(Renders.chart(), List.of(), set));
        assertTrue(e.getMessage().contains(mentioned), () -> "the error names " + mentioned + ": " + e.getMessage());
    }
}
