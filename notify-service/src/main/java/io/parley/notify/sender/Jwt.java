package io.parley.notify.sender;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;

/**
 * Signs compact JWTs with the JDK: ES256 (APNs provider tokens, VAPID) and RS256 (the FCM service-account
 * assertion). ES256 signatures are the JOSE form, r and s side by side (the JDK's P1363 format), not DER.
 *
 * <p>Why not smallrye-jwt-build, which is on the classpath: its builder adds {@code iat}, {@code exp} and {@code jti}
 * unless a service-wide switch ({@code smallrye.jwt.new-token.add-default-claims}) turns that off for every token the
 * service signs, and the providers say exactly which claims they take (APNs: {@code iss} and {@code iat} only). These
 * lines sign exactly the header and claims they are given, with the JDK's own signature algorithms.
 */
public final class Jwt {

    private Jwt() {
    }

    public static String es256(JsonObject header, JsonObject claims, PrivateKey key) {
        return sign(header.put("alg", "ES256"), claims, key, "SHA256withECDSAinP1363Format");
    }

    public static String rs256(JsonObject header, JsonObject claims, PrivateKey key) {
        return sign(header.put("alg", "RS256"), claims, key, "SHA256withRSA");
    }

    private static String sign(JsonObject header, JsonObject claims, PrivateKey key, String algorithm) {
        String input = PushKeys.b64url(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
                + PushKeys.b64url(claims.encode().getBytes(StandardCharsets.UTF_8));
        try {
            Signature signature = Signature.getInstance(algorithm);
            signature.initSign(key);
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + PushKeys.b64url(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a JWT with " + algorithm, e);
        }
    }
}
