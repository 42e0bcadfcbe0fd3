package io.parley.notify.support;

import io.parley.notify.sender.PushKeys;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.json.JsonObject;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Map;

/**
 * The push providers' stand-ins for a test JVM, with keys made at start: an FCM service account (RSA) whose
 * {@code token_uri} is the {@link FcmStandIn}, an APNs token key (P-256) the {@link ApnsStandIn} checks, and a VAPID
 * key pair the Web Push receivers ({@link WebPushSubscriber}) check. Configures notify-service to use them.
 */
public class PushResource implements QuarkusTestResourceLifecycleManager {

    private static KeyPair fcmKey;
    private static KeyPair apnsKey;
    private static KeyPair vapidKey;
    private static FcmStandIn fcm;
    private static ApnsStandIn apns;

    public static synchronized FcmStandIn fcm() {
        return fcm;
    }

    public static synchronized ApnsStandIn apns() {
        return apns;
    }

    public static ECPublicKey vapidPublicKey() {
        return (ECPublicKey) vapidKey.getPublic();
    }

    @Override
    public synchronized Map<String, String> start() {
        try {
            if (fcm == null) {
                KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
                rsa.initialize(2048);
                fcmKey = rsa.generateKeyPair();
                KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
                ec.initialize(new ECGenParameterSpec("secp256r1"));
                apnsKey = ec.generateKeyPair();
                vapidKey = ec.generateKeyPair();
                fcm = new FcmStandIn(fcmKey);
                apns = new ApnsStandIn(apnsKey.getPublic());
            }
            String account = new JsonObject().put("type", "service_account").put("project_id", FcmStandIn.PROJECT)
                    .put("client_email", FcmStandIn.CLIENT_EMAIL).put("private_key", pem(fcmKey.getPrivate().getEncoded()))
                    .put("token_uri", fcm.tokenUri()).encode();
            byte[] scalar = ((java.security.interfaces.ECPrivateKey) vapidKey.getPrivate()).getS().toByteArray();
            byte[] d = new byte[32];
            System.arraycopy(scalar, Math.max(0, scalar.length - 32), d, Math.max(0, 32 - scalar.length),
                    Math.min(32, scalar.length));
            return Map.ofEntries(
                    Map.entry("parley.notify.push.fcm.service-account", account),
                    Map.entry("parley.notify.push.fcm.base-url", fcm.baseUrl()),
                    Map.entry("parley.notify.push.apns.key", pem(apnsKey.getPrivate().getEncoded())),
                    Map.entry("parley.notify.push.apns.key-id", ApnsStandIn.KEY_ID),
                    Map.entry("parley.notify.push.apns.team-id", ApnsStandIn.TEAM_ID),
                    Map.entry("parley.notify.push.apns.topic", ApnsStandIn.TOPIC),
                    Map.entry("parley.notify.push.apns.base-url", apns.baseUrl()),
                    Map.entry("parley.notify.push.apns.trust-certificate", apns.certificatePem()),
                    Map.entry("parley.notify.push.web-push.vapid-public-key",
                            PushKeys.b64url(PushKeys.uncompressed((ECPublicKey) vapidKey.getPublic()))),
                    Map.entry("parley.notify.push.web-push.vapid-private-key", PushKeys.b64url(d)),
                    Map.entry("parley.notify.push.web-push.subject", "mailto:ops@parley.test"));
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the push stand-ins", e);
        }
    }

    private static String pem(byte[] pkcs8) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----\n";
    }

    @Override
    public void stop() {
        // shared across the test classes of this JVM
    }
}
