package io.parley.common.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Decrypts a JWE in compact serialization (RFC 7516) that uses exactly {@code alg=A256KW} and
 * {@code enc=A256GCM} — the only form Parley issues — with the JDK's own AES key unwrap and AES-GCM.
 *
 * <p>Why not a JOSE library here: jose4j (what smallrye-jwt uses) looks up JCA providers and builds its
 * algorithm objects on every call, which measured ~100 µs per token on our 2-core machines; the hot path
 * (every WebSocket upgrade, every REST call) needs ≤ 20 µs. The operations are the standard ones, done with
 * per-thread cached {@link Cipher}s; tokens are still built by smallrye-jwt, and the tests check that what
 * it builds decrypts here and that any altered byte is refused.
 */
final class A256KwGcmDecryptor {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Decoder BASE64URL = Base64.getUrlDecoder();
    private static final String BASE64URL_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private static final int GCM_TAG_BITS = 128;
    private static final ThreadLocal<Cipher> KEY_UNWRAP = ThreadLocal.withInitial(() -> cipher("AESWrap"));
    private static final ThreadLocal<Cipher> CONTENT = ThreadLocal.withInitial(() -> cipher("AES/GCM/NoPadding"));

    /** A token sealed with a key that is retired: refused, but told apart from a forged one (the client refreshes). */
    static final class RetiredKeyException extends GeneralSecurityException {
        RetiredKeyException(String kid) {
            super("key " + kid + " is retired");
        }
    }

    private A256KwGcmDecryptor() {
    }

    /**
     * The plaintext, or an exception when the token is malformed, uses other algorithms, names a key the set does not
     * know (or a retired one: {@link RetiredKeyException}), or fails the tag. A token without {@code kid} (sealed
     * before keys had names) is tried with every key not retired.
     */
    static byte[] decrypt(String compact, TokenKeySet keys, Instant now) throws GeneralSecurityException {
        int d1 = compact.indexOf('.');
        int d2 = compact.indexOf('.', d1 + 1);
        int d3 = compact.indexOf('.', d2 + 1);
        int d4 = compact.indexOf('.', d3 + 1);
        if (d1 <= 0 || d2 < 0 || d3 < 0 || d4 < 0 || compact.indexOf('.', d4 + 1) >= 0) {
            throw new GeneralSecurityException("not a compact JWE");
        }
        String protectedHeader = compact.substring(0, d1);
        String kid = checkHeader(decode(protectedHeader));
        byte[] encryptedKey = decode(compact.substring(d1 + 1, d2));
        byte[] iv = decode(compact.substring(d2 + 1, d3));
        byte[] ciphertext = decode(compact.substring(d3 + 1, d4));
        byte[] tag = decode(compact.substring(d4 + 1));
        if (encryptedKey.length != 40 || iv.length != 12 || tag.length != GCM_TAG_BITS / 8) {
            throw new GeneralSecurityException("unexpected JWE part sizes");
        }

        Key contentKey = null;
        if (kid != null) {
            TokenKeySet.Entry entry = keys.byKid(kid);
            if (entry == null) {
                throw new GeneralSecurityException("unknown key id");
            }
            if (entry.retiredAt(now)) {
                throw new RetiredKeyException(kid);
            }
            contentKey = unwrap(encryptedKey, entry.key());
        } else {
            // A wrong key fails AES key wrap's integrity check: a few AES blocks per try, and only kid-less tokens try.
            for (TokenKeySet.Entry entry : keys.entries()) {
                if (!entry.retiredAt(now)) {
                    try {
                        contentKey = unwrap(encryptedKey, entry.key());
                        break;
                    } catch (GeneralSecurityException wrongKey) {
                        // the next key
                    }
                }
            }
            if (contentKey == null) {
                throw new GeneralSecurityException("no key unwraps the token");
            }
        }

        Cipher content = CONTENT.get();
        content.init(Cipher.DECRYPT_MODE, contentKey, new GCMParameterSpec(GCM_TAG_BITS, iv));
        // The additional authenticated data is the ASCII of the encoded protected header (RFC 7516 §5.2).
        content.updateAAD(protectedHeader.getBytes(StandardCharsets.US_ASCII));
        content.update(ciphertext);
        return content.doFinal(tag);
    }

    /**
     * Base64url, canonical only: the JDK decoder ignores the unused low bits of the last character, so two
     * spellings would decode to the same bytes — a token altered there must be refused like any other change.
     */
    private static byte[] decode(String part) throws GeneralSecurityException {
        int unusedBits = (part.length() * 6) % 8;
        if (unusedBits != 0) {
            int last = BASE64URL_ALPHABET.indexOf(part.charAt(part.length() - 1));
            if (last < 0 || (last & ((1 << unusedBits) - 1)) != 0) {
                throw new GeneralSecurityException("non-canonical Base64url");
            }
        }
        return BASE64URL.decode(part);
    }

    private static Key unwrap(byte[] encryptedKey, SecretKey keyEncryptionKey) throws GeneralSecurityException {
        Cipher unwrap = KEY_UNWRAP.get();
        unwrap.init(Cipher.UNWRAP_MODE, keyEncryptionKey);
        return unwrap.unwrap(encryptedKey, "AES", Cipher.SECRET_KEY);
    }

    /** Checks the algorithms; the header's {@code kid}, or {@code null} when it has none. */
    private static String checkHeader(byte[] header) throws GeneralSecurityException {
        JsonNode json;
        try {
            json = JSON.readTree(header);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException("JWE header is not JSON");
        }
        if (json == null || !"A256KW".equals(json.path("alg").asText()) || !"A256GCM".equals(json.path("enc").asText())
                || json.has("zip") || json.has("crit")) {
            throw new GeneralSecurityException("JWE must be alg=A256KW, enc=A256GCM, without zip or crit");
        }
        JsonNode kid = json.get("kid");
        if (kid == null) {
            return null;
        }
        if (!kid.isTextual()) {
            throw new GeneralSecurityException("JWE kid must be text");
        }
        return kid.asText();
    }

    private static Cipher cipher(String transformation) {
        try {
            return Cipher.getInstance(transformation);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(transformation + " is part of every JDK", e);
        }
    }
}
