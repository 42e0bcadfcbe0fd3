package io.parley.common.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Every service's JSON binding is strict about scalar types: the contract says a field of the wrong JSON type is
 * 400 {@code MALFORMED_JSON}, so nothing is coerced. Jackson by default turns {@code {"username":12345}} into the
 * string "12345", {@code "5"} into 5, {@code 1.9} into 1 and {@code true} into "true"; here each of those fails to
 * bind, and {@code ApiExceptionMappers} answers it with the contract's body.
 *
 * <p>What stays allowed: an integer where a floating-point number is expected (1 is a valid JSON spelling of 1.0),
 * and {@code null} for any field (treated as absent, so the resource's own "is required" check names it).
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        apply(mapper);
    }

    /** Makes {@code mapper} strict; also for mappers built outside CDI. */
    public static ObjectMapper apply(ObjectMapper mapper) {
        // "5" -> 5, "true" -> true, 1 -> true and the like: numbers, booleans, dates take only their own JSON type
        mapper.configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
        // 1.9 -> 1 for integer fields
        mapper.configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false);
        // 12345 / 1.5 / true -> "12345" / "1.5" / "true" for string fields: not covered by the feature above
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        // "" -> null for objects, lists and numbers would hide a wrong type behind "is required"
        for (LogicalType type : new LogicalType[] {LogicalType.POJO, LogicalType.Collection, LogicalType.Map,
                LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        return mapper;
    }
}
