package io.parley.testsupport.openapi;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A service's OpenAPI document ({@code /q/openapi}) against docs/protocol.md: the same REST operations both ways,
 * each with a summary and error responses in the contract's error body. A service's test extends this with its
 * {@code @QuarkusTest} and test resources and names its section of protocol.md.
 */
public abstract class OpenApiContractTests {

    static final String ERROR_BODY_REF = "#/components/schemas/ErrorBody";

    private OpenApiRoutes document;

    /** The service whose section of protocol.md is compared, e.g. {@code chat-service}. */
    protected abstract String service();

    @BeforeEach
    void fetchDocument() {
        String json = given().queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200).extract().asString();
        document = OpenApiRoutes.parse(json);
    }

    @Test
    void shouldServeEveryOperationProtocolMdDocumentsAndNoOther() {
        Set<Route> documented = ProtocolRoutes.of(service());
        assertTrue(documented.size() >= 2, "protocol.md's " + service() + " section lists operations: " + documented);
        RouteComparison comparison = RouteComparison.of(documented, document.routes());
        assertTrue(comparison.agree(), comparison::toString);
    }

    @Test
    void shouldGiveEveryOperationASummary() {
        assertEquals(Set.of(), document.withoutSummary(), "operations without @Operation(summary)");
    }

    @Test
    void shouldDescribeErrorResponsesWithTheContractsErrorBody() {
        assertEquals(Set.of(), document.withoutErrorResponses(), "operations that list no error response");
        assertEquals(Set.of(), document.withErrorsOutsideTheErrorBody(ERROR_BODY_REF),
                "operations with an error response that is not {code, message}");
    }
}
