package io.parley.notify.delivery;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.notify.support.GreenMailResource;
import io.parley.notify.support.HttpReceiver;
import io.parley.notify.support.NotifyTestBase;
import io.parley.notify.support.ReceiverResource;
import io.parley.notify.support.TestTokens;
import io.parley.notify.support.WebhookEndpoint;
import io.parley.testsupport.MariaDbTestResource;
import io.parley.testsupport.RedisTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.InetAddress;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Server-side request forgery: webhook URLs may not reach internal addresses. The test profile allow-lists exactly
 * 127.0.0.1 (where the shared receiver listens); a second receiver on 127.0.0.2 — also loopback, not allow-listed —
 * stands for an internal service and must never be called.
 */
@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
@QuarkusTestResource(value = MariaDbTestResource.class, initArgs = @ResourceArg(name = "database", value = "parley_notify"))
@QuarkusTestResource(GreenMailResource.class)
@QuarkusTestResource(ReceiverResource.class)
class EgressTest extends NotifyTestBase {

    private static HttpReceiver internal;

    @BeforeAll
    static void startInternalService() throws Exception {
        internal = HttpReceiver.start(InetAddress.getByName("127.0.0.2"));
    }

    @AfterAll
    static void stopInternalService() {
        internal.close();
    }

    @Test
    void shouldRefuseToBindWebhooksToInternalAddresses() {
        long user = TestTokens.newUserId();
        String token = userToken(user);
        int port = Integer.parseInt(internal.baseUrl().substring(internal.baseUrl().lastIndexOf(':') + 1));
        for (String address : List.of(internal.url("/hook"), "http://[::1]:" + port + "/hook",
                "http://169.254.169.254/latest/meta-data/", "http://localhost:" + port + "/hook",
                "http://10.0.0.1/hook", "http://kubernetes.default.svc/hook", "http://[fd00::1]/hook")) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("type", "webhook", "address", address))
                    .post("/api/v1/channels").then().statusCode(400).body("code", equalTo("INVALID_INPUT"))
                    .body("message", containsString("refused"));
        }
        given().auth().oauth2(token).get("/api/v1/channels").then().statusCode(200).body("size()", equalTo(0));
        assertEquals(List.of(), internal.all(), "no challenge reached the internal service");
    }

    @Test
    void shouldCheckTheAddressAgainOnEverySend() throws Exception {
        long user = TestTokens.newUserId();
        WebhookEndpoint endpoint = new WebhookEndpoint(receiver());
        String channel = bindVerifiedWebhook(user, endpoint)[0];
        // after verification the name now points inwards (as a DNS change would make it): the stored URL is rewritten
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE channels SET address = ? WHERE id = ?")) {
            ps.setString(1, internal.url("/hook"));
            ps.setString(2, channel);
            assertEquals(1, ps.executeUpdate());
        }

        append(event(user, TestTokens.newUserId(), "to an internal address"));

        await().atMost(WAIT).until(() -> rowsOf(user).stream().anyMatch(r -> r.lastError() != null));
        Row row = rowsOf(user).get(0);
        assertTrue(row.lastError().contains("egress"), row.lastError());
        assertTrue(!"delivered".equals(row.status()), row.status());
        await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> internal.all().isEmpty());
    }

    @Test
    void shouldNotFollowARedirectToAnInternalAddress() {
        long user = TestTokens.newUserId();
        WebhookEndpoint endpoint = new WebhookEndpoint(receiver());
        bindVerifiedWebhook(user, endpoint);
        String target = internal.url("/stolen");
        // the allow-listed receiver answers every delivery with a redirect inwards
        receiver().on(pathOf(endpoint.url()), request -> redirect(target));

        append(event(user, TestTokens.newUserId(), "bounced"));

        await().atMost(WAIT).until(() -> receiver().requests(pathOf(endpoint.url())).size() >= 2); // challenge + a try
        await().atMost(WAIT).until(() -> rowsOf(user).stream().anyMatch(r -> r.lastError() != null));
        assertTrue(rowsOf(user).get(0).lastError().contains("302"), rowsOf(user).get(0).lastError());
        await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> internal.all().isEmpty());
    }

    private static String pathOf(String url) {
        return URI.create(url).getPath();
    }

    private static HttpReceiver.Answer redirect(String location) {
        return new HttpReceiver.Answer(302, null, Map.of("Location", location));
    }
}
