package io.parley.auth.service;

import io.parley.auth.config.AuthConfig;
import io.parley.common.crypto.Secrets;
import io.quarkus.elytron.security.common.BcryptUtil;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * bcrypt (salted, slow; Elytron's implementation) over a SHA-256 pre-hash: bcrypt reads only 72 bytes, and
 * passwords may be 128 characters of UTF-8, so two long passwords sharing a prefix must not collide.
 * CPU-heavy by design: call from worker threads only.
 */
@ApplicationScoped
public class PasswordHasher {

    private final int cost;
    /** Checked against when the user does not exist, so a wrong username costs the same time as a wrong password. */
    private final String decoy;

    public PasswordHasher(AuthConfig config) {
        this.cost = config.bcryptCost();
        this.decoy = hash("decoy-password-for-timing");
    }

    public String hash(String password) {
        return BcryptUtil.bcryptHash(prehash(password), cost);
    }

    public boolean matches(String password, String hash) {
        return BcryptUtil.matches(prehash(password), hash);
    }

    /** Spends the time of one check without a real hash. */
    public void burnCheck(String password) {
        BcryptUtil.matches(prehash(password), decoy);
    }

    private static String prehash(String password) {
        return Base64.getEncoder().encodeToString(Secrets.sha256(password.getBytes(StandardCharsets.UTF_8)));
    }
}
