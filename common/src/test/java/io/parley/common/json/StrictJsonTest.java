package io.parley.common.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class StrictJsonTest {

    record Body(String name, Long size, Integer count, Boolean flag, Double ratio, List<Long> users) {
    }

    private static final ObjectMapper JSON = StrictJson.apply(new ObjectMapper());

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"name\": 12345}", "{\"name\": 1.5}", "{\"name\": true}", "{\"name\": {}}", "{\"name\": [\"a\"]}",
            "{\"size\": \"5\"}", "{\"size\": 5.5}", "{\"size\": true}", "{\"size\": \"\"}",
            "{\"count\": \"7\"}", "{\"flag\": \"true\"}", "{\"flag\": 1}", "{\"ratio\": \"0.5\"}",
            "{\"users\": [\"1\"]}", "{\"users\": 1}", "{\"users\": \"\"}"})
    void shouldRefuseEveryScalarCoercion(String body) {
        assertThrows(MismatchedInputException.class, () -> JSON.readValue(body, Body.class));
    }

    @Test
    void shouldStillBindTheRightTypesAndNulls() throws Exception {
        Body body = JSON.readValue("{\"name\":\"x\",\"size\":5,\"count\":null,\"flag\":false,\"ratio\":1,\"users\":[1,2]}",
                Body.class);
        assertEquals(new Body("x", 5L, null, false, 1.0, List.of(1L, 2L)), body);
    }
}
