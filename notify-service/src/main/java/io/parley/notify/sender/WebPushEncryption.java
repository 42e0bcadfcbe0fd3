package io.parley.notify.sender;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Message encryption for Web Push (RFC 8291) in the {@code aes128gcm} content coding (RFC 8188): a fresh P-256 key
 * pair and salt per message, ECDH with the subscription's {@code p256dh} key, HKDF with its {@code auth} secret, one
 * AES-128-GCM record. Checked against the RFC's appendix A test vector ({@code WebPushEncryptionTest}).
 */
public final class WebPushEncryption {

    /** The record size announced in the header; one record carries the whole (at most 4 kB) message. */
    public static final int RECORD_SIZE = 4096;
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebPushEncryption() {
    }

    /** Encrypts {@code plaintext} for a subscription with a fresh key pair and salt. */
    public static byte[] encrypt(byte[] plaintext, byte[] uaPublic, byte[] authSecret) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            byte[] salt = new byte[16];
            RANDOM.nextBytes(salt);
            return encrypt(plaintext, uaPublic, authSecret, generator.generateKeyPair(), salt);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Web Push encryption is not available", e);
        }
    }

    /** Encrypts with a given application-server key pair and salt (the test vector fixes both). */
    public static byte[] encrypt(byte[] plaintext, byte[] uaPublic, byte[] authSecret, KeyPair asKeys, byte[] salt) {
        if (plaintext.length + 1 + 16 > RECORD_SIZE - 86) {
            throw new IllegalArgumentException("a Web Push message holds at most " + (RECORD_SIZE - 103) + " bytes");
        }
        try {
            byte[] asPublic = PushKeys.uncompressed((ECPublicKey) asKeys.getPublic());
            KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
            agreement.init(asKeys.getPrivate());
            agreement.doPhase(PushKeys.p256Public(uaPublic), true);
            byte[] ecdhSecret = agreement.generateSecret();

            // RFC 8291 section 3.4: IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" || 0x00 || ua_public || as_public, 32)
            byte[] keyInfo = concat("WebPush: info\0".getBytes(StandardCharsets.US_ASCII), uaPublic, asPublic);
            byte[] ikm = expand(hmac(authSecret, ecdhSecret), keyInfo, 32);
            // RFC 8188 section 2.2: CEK and NONCE from HKDF(salt, IKM)
            byte[] prk = hmac(salt, ikm);
            byte[] cek = expand(prk, "Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII), 16);
            byte[] nonce = expand(prk, "Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII), 12);

            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
            // the last (only) record ends with the delimiter 0x02 and no padding
            byte[] record = cipher.doFinal(concat(plaintext, new byte[] {2}));

            ByteBuffer out = ByteBuffer.allocate(16 + 4 + 1 + asPublic.length + record.length);
            out.put(salt).putInt(RECORD_SIZE).put((byte) asPublic.length).put(asPublic).put(record);
            return out.array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Web Push encryption failed: " + e.getMessage(), e);
        }
    }

    static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    /** HKDF-Expand for at most one block (every length here is at most 32). */
    static byte[] expand(byte[] prk, byte[] info, int length) throws GeneralSecurityException {
        return Arrays.copyOf(hmac(prk, concat(info, new byte[] {1})), length);
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}
