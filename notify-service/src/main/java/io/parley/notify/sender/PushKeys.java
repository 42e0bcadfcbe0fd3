package io.parley.notify.sender;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Key handling the push senders share, with the JDK only: base64url, P-256 keys from and to their raw forms (Web
 * Push and VAPID send the 65-byte uncompressed point and the 32-byte scalar) and PKCS#8 PEM keys (the APNs
 * {@code .p8} key, the FCM service account's RSA key).
 */
public final class PushKeys {

    private static final ECParameterSpec P256 = p256();

    private PushKeys() {
    }

    public static String b64url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Decodes base64url with or without padding (browsers send either); also accepts the standard alphabet. */
    public static byte[] unb64url(String text) {
        String s = text.trim().replace('+', '-').replace('/', '_');
        while (s.endsWith("=")) {
            s = s.substring(0, s.length() - 1);
        }
        return Base64.getUrlDecoder().decode(s);
    }

    /** A P-256 public key from its 65-byte uncompressed form; IllegalArgumentException if it is not a point of the curve. */
    public static ECPublicKey p256Public(byte[] uncompressed) {
        if (uncompressed.length != 65 || uncompressed[0] != 0x04) {
            throw new IllegalArgumentException("not an uncompressed P-256 point (65 bytes starting with 0x04)");
        }
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(uncompressed, 1, 33));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(uncompressed, 33, 65));
        BigInteger p = ((java.security.spec.ECFieldFp) P256.getCurve().getField()).getP();
        // y^2 = x^3 + ax + b (mod p): a point off the curve would make ECDH unsafe, and the JDK does not check it here
        BigInteger left = y.modPow(BigInteger.TWO, p);
        BigInteger right = x.pow(3).add(P256.getCurve().getA().multiply(x)).add(P256.getCurve().getB()).mod(p);
        if (!left.equals(right)) {
            throw new IllegalArgumentException("the point is not on the P-256 curve");
        }
        try {
            return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), P256));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a P-256 public key: " + e.getMessage());
        }
    }

    /** A P-256 private key from its 32-byte scalar. */
    public static PrivateKey p256Private(byte[] scalar) {
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(new BigInteger(1, scalar), P256));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a P-256 private key: " + e.getMessage());
        }
    }

    /** The 65-byte uncompressed form of a P-256 public key. */
    public static byte[] uncompressed(ECPublicKey key) {
        byte[] out = new byte[65];
        out[0] = 0x04;
        copyUnsigned(key.getW().getAffineX(), out, 1);
        copyUnsigned(key.getW().getAffineY(), out, 33);
        return out;
    }

    /** A PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}) of the given algorithm ({@code EC}, {@code RSA}). */
    public static PrivateKey pkcs8(String pem, String algorithm) {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a PKCS#8 " + algorithm + " private key: " + e.getMessage());
        }
    }

    /** A secret given inline, or the path of the file holding it (a mounted Secret): inline if it starts with {@code inlineMarker}. */
    public static String inlineOrFile(String value, String inlineMarker) {
        if (value.stripLeading().startsWith(inlineMarker)) {
            return value;
        }
        try {
            return Files.readString(Path.of(value.trim()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + value.trim(), e);
        }
    }

    private static void copyUnsigned(BigInteger value, byte[] out, int offset) {
        byte[] bytes = value.toByteArray();
        int start = Math.max(0, bytes.length - 32);
        int length = bytes.length - start;
        System.arraycopy(bytes, start, out, offset + 32 - length, length);
    }

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec("secp256r1"));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 is not available", e);
        }
    }
}
