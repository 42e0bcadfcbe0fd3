package io.parley.notify.support;

import io.parley.notify.sender.PushKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The browser's side of RFC 8291, written separately from the sender's code (from the RFC, not from
 * {@code WebPushEncryption}): decrypts an {@code aes128gcm} body with the subscription's private key and auth secret.
 */
public final class WebPushDecryption {

    private WebPushDecryption() {
    }

    public static byte[] decrypt(byte[] body, PrivateKey uaPrivate, byte[] uaPublic, byte[] authSecret) throws Exception {
        ByteBuffer in = ByteBuffer.wrap(body);
        byte[] salt = new byte[16];
        in.get(salt);
        int recordSize = in.getInt();
        byte[] keyId = new byte[in.get() & 0xff];
        in.get(keyId);
        byte[] ciphertext = new byte[in.remaining()];
        in.get(ciphertext);
        if (ciphertext.length > recordSize) {
            throw new IllegalArgumentException("more than one record");
        }
        ECPublicKey asPublic = PushKeys.p256Public(keyId);
        KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
        agreement.init(uaPrivate);
        agreement.doPhase(asPublic, true);
        byte[] ecdh = agreement.generateSecret();
        byte[] prkKey = hmac(authSecret, ecdh);
        ByteBuffer info = ByteBuffer.allocate(14 + 65 + 65 + 1);
        info.put("WebPush: info".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put(uaPublic).put(keyId).put((byte) 1);
        byte[] ikm = hmac(prkKey, info.array());
        byte[] prk = hmac(salt, ikm);
        byte[] cek = Arrays.copyOf(hmac(prk, "Content-Encoding: aes128gcm\0\1".getBytes(StandardCharsets.US_ASCII)), 16);
        byte[] nonce = Arrays.copyOf(hmac(prk, "Content-Encoding: nonce\0\1".getBytes(StandardCharsets.US_ASCII)), 12);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
        byte[] padded = cipher.doFinal(ciphertext);
        int end = padded.length - 1;
        while (end >= 0 && padded[end] == 0) {
            end--;
        }
        if (end < 0 || padded[end] != 2) {
            throw new IllegalArgumentException("no last-record delimiter");
        }
        return Arrays.copyOf(padded, end);
    }

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }
}
