package io.parley.common.token;

import java.util.Base64;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/** The 256-bit AES key that wraps every token's content key (JWE {@code A256KW}). */
public final class TokenKey {

    private TokenKey() {
    }

    /**
     * Reads the key from its Base64 (standard or url-safe) text, as kept in configuration or a Kubernetes Secret.
     *
     * @throws IllegalArgumentException when the text is not Base64 of exactly 32 bytes
     */
    public static SecretKey fromBase64(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("token key is not set (parley.token.key / PARLEY_TOKEN_KEY)");
        }
        String trimmed = text.trim();
        byte[] raw;
        try {
            raw = trimmed.indexOf('-') >= 0 || trimmed.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(trimmed)
                    : Base64.getDecoder().decode(trimmed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("token key is not valid Base64", e);
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException("token key must be 32 bytes (256 bits), got " + raw.length);
        }
        return new SecretKeySpec(raw, "AES");
    }
}
