package io.parley.notify;

import io.parley.notify.support.GreenMailResource;
import io.parley.notify.support.ReceiverResource;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.parley.testsupport.openapi.OpenApiContractTests;
import io.quarkus.test.junit.QuarkusTest;

/** notify-service's /q/openapi against its section of docs/protocol.md (checks in {@link OpenApiContractTests}). */
@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_notify"))
@QuarkusTestResource(GreenMailResource.class)
@QuarkusTestResource(ReceiverResource.class)
class OpenApiDocumentTest extends OpenApiContractTests {

    @Override
    protected String service() {
        return "notify-service";
    }
}
