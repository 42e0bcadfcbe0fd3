package io.parley.common.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Random secrets (session ids, refresh tokens, API keys, ids, verification codes) and their one-way digests.
 * The one place every service draws randomness for secrets from.
 */
public final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private Secrets() {
    }

    /** {@code bytes} random bytes as Base64url without padding. */
    public static String random(int bytes) {
        byte[] raw = new byte[bytes];
        RANDOM.nextBytes(raw);
        return URL.encodeToString(raw);
    }

    /** {@code bytes} random bytes as lowercase hex (e.g. 16 bytes: a 32-character id). */
    public static String hex(int bytes) {
        byte[] raw = new byte[bytes];
        RANDOM.nextBytes(raw);
        return HexFormat.of().formatHex(raw);
    }

    /** A six-digit code, leading zeros kept (what a person types back to prove an address is theirs). */
    public static String code() {
        return String.format("%06d", RANDOM.nextInt(1_000_000));
    }

    /**
     * SHA-256 as hex. Enough for high-entropy secrets (API keys, refresh tokens: 256 random bits), which need
     * no slow hash; passwords use bcrypt instead.
     */
    public static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256(text.getBytes(StandardCharsets.UTF_8)));
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** Compares secrets in time independent of where they differ. */
    public static boolean constantTimeEquals(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
