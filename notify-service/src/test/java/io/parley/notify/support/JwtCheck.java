package io.parley.notify.support;

import io.parley.notify.sender.PushKeys;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.Signature;

/** Verifies a compact JWT's signature the way a provider would (ES256 in JOSE form, RS256), for the stand-ins. */
public final class JwtCheck {

    /** A JWT whose signature checked out. */
    public record Verified(JsonObject header, JsonObject claims) {
    }

    private JwtCheck() {
    }

    /** The header and claims, or an AssertionError if the signature does not verify with {@code key}. */
    public static Verified verify(String jwt, PublicKey key) {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            throw new AssertionError("not a compact JWT: " + jwt);
        }
        JsonObject header = new JsonObject(new String(PushKeys.unb64url(parts[0]), StandardCharsets.UTF_8));
        String algorithm = switch (header.getString("alg", "")) {
            case "ES256" -> "SHA256withECDSAinP1363Format";
            case "RS256" -> "SHA256withRSA";
            default -> throw new AssertionError("unexpected alg " + header.getString("alg"));
        };
        try {
            Signature signature = Signature.getInstance(algorithm);
            signature.initVerify(key);
            signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!signature.verify(PushKeys.unb64url(parts[2]))) {
                throw new AssertionError("the JWT's signature does not verify");
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError("the JWT's signature does not verify: " + e);
        }
        return new Verified(header, new JsonObject(new String(PushKeys.unb64url(parts[1]), StandardCharsets.UTF_8)));
    }
}
