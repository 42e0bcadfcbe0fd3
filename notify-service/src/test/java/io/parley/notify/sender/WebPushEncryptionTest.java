package io.parley.notify.sender;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.parley.notify.support.WebPushDecryption;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;

/** RFC 8291 encryption, checked against the RFC's own example (appendix A), not only against our decryption. */
class WebPushEncryptionTest {

    private static final String PLAINTEXT = "When I grow up, I want to be a watermelon";
    private static final String AS_PUBLIC = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    private static final String AS_PRIVATE = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    private static final String UA_PUBLIC = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    private static final String UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    private static final String SALT = "DGv6ra1nlYgDCS1FRnbzlw";
    private static final String AUTH = "BTBZMqHH6r4Tts7J_aSIgg";
    private static final String MESSAGE = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml"
            + "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT"
            + "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    @Test
    void shouldProduceTheRfc8291AppendixAMessage() {
        KeyPair as = new KeyPair(PushKeys.p256Public(PushKeys.unb64url(AS_PUBLIC)),
                PushKeys.p256Private(PushKeys.unb64url(AS_PRIVATE)));
        byte[] body = WebPushEncryption.encrypt(PLAINTEXT.getBytes(StandardCharsets.UTF_8), PushKeys.unb64url(UA_PUBLIC),
                PushKeys.unb64url(AUTH), as, PushKeys.unb64url(SALT));
        assertEquals(MESSAGE, PushKeys.b64url(body));
    }

    @Test
    void shouldDecryptTheRfcMessageWithTheUserAgentsKey() throws Exception {
        byte[] plain = WebPushDecryption.decrypt(PushKeys.unb64url(MESSAGE), PushKeys.p256Private(PushKeys.unb64url(UA_PRIVATE)),
                PushKeys.unb64url(UA_PUBLIC), PushKeys.unb64url(AUTH));
        assertEquals(PLAINTEXT, new String(plain, StandardCharsets.UTF_8));
    }

    @Test
    void shouldEncryptEachMessageWithAFreshKeyThatTheSubscriberCanDecrypt() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ua = generator.generateKeyPair();
        byte[] uaPublic = PushKeys.uncompressed((ECPublicKey) ua.getPublic());
        byte[] auth = new byte[16];
        byte[] text = "{\"title\":\"hi\"}".getBytes(StandardCharsets.UTF_8);
        byte[] first = WebPushEncryption.encrypt(text, uaPublic, auth);
        byte[] second = WebPushEncryption.encrypt(text, uaPublic, auth);
        assertArrayEquals(text, WebPushDecryption.decrypt(first, ua.getPrivate(), uaPublic, auth));
        assertArrayEquals(text, WebPushDecryption.decrypt(second, ua.getPrivate(), uaPublic, auth));
        assertEquals(false, java.util.Arrays.equals(first, second), "a fresh salt and key per message");
    }

    @Test
    void shouldRefuseAKeyThatIsNotOnTheCurve() {
        byte[] bad = PushKeys.unb64url(UA_PUBLIC);
        bad[64] ^= 1;
        assertThrows(IllegalArgumentException.class, () -> PushKeys.p256Public(bad));
    }
}
