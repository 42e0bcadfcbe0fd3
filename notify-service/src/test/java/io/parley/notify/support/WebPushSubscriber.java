package io.parley.notify.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.notify.sender.PushKeys;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A browser's push subscription and its push service, on the shared loopback receiver: its own key pair and auth
 * secret, an endpoint path of its own. {@link #received} checks each push as a push service and the browser would —
 * the VAPID JWT (signature with {@code k}, {@code k} the deployment's key, {@code aud} the origin, {@code exp} within
 * 24 h), the aes128gcm content coding — and decrypts it.
 */
public final class WebPushSubscriber {

    /** One push as the service worker would see it, with the headers it came with. */
    public record Received(JsonObject payload, String topic, String ttl, String urgency) {
    }

    private final HttpReceiver receiver;
    private final String path = "/wp/" + UUID.randomUUID();
    private final KeyPair keys;
    private final byte[] auth = new byte[16];

    public WebPushSubscriber(HttpReceiver receiver) throws Exception {
        this.receiver = receiver;
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        this.keys = ec.generateKeyPair();
        new SecureRandom().nextBytes(auth);
        receiver.on(path, request -> new HttpReceiver.Answer(201, ""));
    }

    public String endpoint() {
        return receiver.url(path);
    }

    /** The subscription as {@code PushSubscription.toJSON()} gives it. */
    public Map<String, Object> subscription() {
        return Map.of("endpoint", endpoint(), "keys", Map.of("p256dh",
                PushKeys.b64url(PushKeys.uncompressed((ECPublicKey) keys.getPublic())), "auth", PushKeys.b64url(auth)));
    }

    /** From now on the push service answers {@code status} (404/410: the subscription is gone). */
    public void answer(int status) {
        receiver.on(path, request -> new HttpReceiver.Answer(status, ""));
    }

    public int requestCount() {
        return receiver.requests(path).size();
    }

    public List<Received> received() throws Exception {
        List<Received> out = new ArrayList<>();
        for (HttpReceiver.Request request : receiver.requests(path)) {
            assertEquals("aes128gcm", request.header("content-encoding"));
            checkVapid(request.header("authorization"));
            byte[] plain = WebPushDecryption.decrypt(request.body(), keys.getPrivate(),
                    PushKeys.uncompressed((ECPublicKey) keys.getPublic()), auth);
            out.add(new Received(new JsonObject(new String(plain, StandardCharsets.UTF_8)), request.header("topic"),
                    request.header("ttl"), request.header("urgency")));
        }
        return out;
    }

    private void checkVapid(String authorization) {
        assertTrue(authorization != null && authorization.startsWith("vapid "), "VAPID authorization: " + authorization);
        String t = null;
        String k = null;
        for (String part : authorization.substring(6).split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv[0].equals("t")) {
                t = kv[1];
            } else if (kv[0].equals("k")) {
                k = kv[1];
            }
        }
        assertEquals(PushKeys.b64url(PushKeys.uncompressed(PushResource.vapidPublicKey())), k, "k is the deployment's key");
        JsonObject claims = JwtCheck.verify(t, PushKeys.p256Public(PushKeys.unb64url(k))).claims();
        URI uri = URI.create(endpoint());
        assertEquals(uri.getScheme() + "://" + uri.getRawAuthority(), claims.getString("aud"));
        long now = System.currentTimeMillis() / 1000;
        assertTrue(claims.getLong("exp") > now && claims.getLong("exp") <= now + 86_400, "exp within 24 h");
        assertTrue(claims.getString("sub").startsWith("mailto:"), "sub is a contact");
    }
}
