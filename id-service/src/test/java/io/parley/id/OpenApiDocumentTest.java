package io.parley.id;

import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.parley.testsupport.openapi.OpenApiContractTests;
import io.quarkus.test.junit.QuarkusTest;

/** id-service's /q/openapi against its section of docs/protocol.md (checks in {@link OpenApiContractTests}). */
@QuarkusTest
@QuarkusTestResource(value = RedisTestResource.class, restrictToAnnotatedClass = false)
class OpenApiDocumentTest extends OpenApiContractTests {

    @Override
    protected String service() {
        return "id-service";
    }
}
