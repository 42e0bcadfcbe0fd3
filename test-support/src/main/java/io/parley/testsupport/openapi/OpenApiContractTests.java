package io.parley.testsupport.openapi;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A service's OpenAPI document ({@code /q/openapi}) against docs/protocol.md: the same REST operations both ways,
 * each with a summary and error responses in the contract's error body. A service's test extends this with its
 * {@code @QuarkusTest} and test resources and names its section of protocol.md.
 *
 * <p>The served document is also committed, as {@code docs/openapi/<service>.json}: the chart's ingress test reads
 * every operation from there (k8s/chart-tests IngressRoutesTest) without starting the services, so a new endpoint
 * that nobody routes fails a test. After changing an endpoint, write the file again with
 * {@code -Dparley.openapi.write=true} (this test then writes instead of comparing) and commit it.
 */
public abstract class OpenApiContractTests {

    static final String ERROR_BODY_REF = "#/components/schemas/ErrorBody";

    /** {@code -Dparley.openapi.write=true}: write docs/openapi/<service>.json from the served document. */
    static final String WRITE_PROPERTY = "parley.openapi.write";

    private String json;
    private OpenApiRoutes document;

    /** The service whose section of protocol.md is compared, e.g. {@code chat-service}. */
    protected abstract String service();

    @BeforeEach
    void fetchDocument() {
        json = given().queryParam("format", "json").get("/q/openapi")
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
    void shouldServeTheDocumentCommittedInDocsOpenapi() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode served = mapper.readTree(json);
        Path committed = ProtocolRoutes.protocolFile().resolveSibling("openapi").resolve(service() + ".json");
        if (Boolean.getBoolean(WRITE_PROPERTY)) {
            Files.createDirectories(committed.getParent());
            Files.writeString(committed, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(served) + "\n",
                    StandardCharsets.UTF_8);
            return;
        }
        assertTrue(Files.isRegularFile(committed), () -> committed + " is missing: run this test with -D" + WRITE_PROPERTY + "=true");
        // not assertEquals: the two whole documents in the message would hide the one line that says what to do
        assertTrue(mapper.readTree(Files.readString(committed)).equals(served), () -> committed
                + " differs from the served /q/openapi: run this test with -D" + WRITE_PROPERTY + "=true and commit the file"
                + " (k8s/chart-tests IngressRoutesTest then checks the ingress routes every operation)");
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
